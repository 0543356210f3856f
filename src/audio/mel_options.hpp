// The parameters of a log-mel spectrogram. They travel into every feature store and checkpoint (as
// key/values), and inference compares them, so a model never sees features it was not trained on.
#pragma once
#include <map>
#include <string>

namespace CLI {
class App;
}

namespace chorus::audio {

enum class MelScale { Htk, Slaney };  // mel formula: HTK 2595*log10(1+f/700), or Slaney's linear/log
enum class MelNorm { None, Slaney };  // Slaney: each filter scaled to unit area (2 / bandwidth)
enum class PadMode { Reflect, Zero }; // how centred frames are padded at the clip edges

struct MelOptions {
  // Defaults: torchaudio.transforms.MelSpectrogram with the DESIGN.md arguments.
  int sampleRate = 32000;
  int nFft = 2048;  // also the window length (periodic Hann)
  int hop = 512;
  int nMels = 128;
  float fMin = 20;
  float fMax = 16000;
  MelScale scale = MelScale::Htk;
  MelNorm norm = MelNorm::None;
  bool center = true;  // frames centred on t*hop, nFft/2 padding each side
  PadMode pad = PadMode::Reflect;
  float power = 2;      // 1: magnitude, 2: power
  float amin = 1e-10f;  // floor before log10
  float topDb = 0;      // > 0: clip each clip's dB at max - topDb; 0 or negative: off

  // librosa.feature.melspectrogram's defaults (Slaney scale and norm, zero padding), same sizes.
  static MelOptions librosaDefaults();

  // Throws UsageError naming the first inconsistent value (fMax above Nyquist, hop < 1, ...).
  void validate() const;

  // Key/values with fixed names and exact text (floats printed round-trip), for HDF5 attributes and
  // checkpoints; fromDescription reads them back and throws InputError on an unknown or bad value.
  std::map<std::string, std::string> describe() const;
  static MelOptions fromDescription(const std::map<std::string, std::string>& keyValues);
  // The mel keys picked out of a larger map (a feature store's or a checkpoint's attributes), other
  // keys ignored. A map with no mel key at all gives the defaults when absentMeansDefaults (a store
  // written by hand), else InputError like fromDescription.
  static MelOptions fromAttributes(const std::map<std::string, std::string>& attributes,
                                   bool absentMeansDefaults = false);

  // Registers --sample-rate, --n-fft, --hop, --n-mels, --f-min, --f-max, --mel-scale, --mel-norm,
  // --center, --pad, --power, --top-db on a (sub)command; call validate() after parsing.
  void addTo(CLI::App& app);

  bool operator==(const MelOptions& other) const { return describe() == other.describe(); }
  bool operator!=(const MelOptions& other) const { return !(*this == other); }
};

const char* toString(MelScale scale);
const char* toString(MelNorm norm);
const char* toString(PadMode pad);

}  // namespace chorus::audio
