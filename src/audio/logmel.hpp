// Log-mel spectrogram, the model input: power STFT (stft.hpp) -> mel filterbank -> dB.
// Matches torchaudio.transforms.MelSpectrogram + 10*log10(clamp(x, amin)) with the default options,
// and librosa.feature.melspectrogram + power_to_db(ref=1) with MelOptions::librosaDefaults().
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "audio/mel_options.hpp"
#include "audio/stft.hpp"

namespace chorus::audio {

class LogMel {
 public:
  explicit LogMel(MelOptions options);  // validates the options (UsageError)

  const MelOptions& options() const { return options_; }
  int64_t frames(int64_t samples) const { return stft_.frames(samples); }

  // out: frames(n) x nMels, row-major (a frame's mels are contiguous), in dB.
  // Thread-safe: one LogMel may be shared by all the threads of a process.
  void compute(const float* samples, size_t n, float* out) const;
  std::vector<float> compute(const float* samples, size_t n) const;
  std::vector<float> compute(const std::vector<float>& samples) const { return compute(samples.data(), samples.size()); }

  // The filterbank as used: bins() x nMels, row-major (torchaudio's melscale_fbanks layout).
  const std::vector<float>& filterbank() const { return filterbank_; }

 private:
  MelOptions options_;
  Stft stft_;
  std::vector<float> filterbank_;
  // Per mel, the first and one-past-last frequency bin with a non-zero weight (filters are narrow),
  // and where that span's weights start in weights_.
  std::vector<int> binBegin_, binEnd_;
  std::vector<size_t> weightOffset_;
  std::vector<float> weights_;
};

// bins x nMels filterbank. HTK scale: torchaudio.functional.melscale_fbanks (its float32 arithmetic;
// norm None or Slaney); Slaney scale: librosa.filters.mel (transposed; its double arithmetic).
std::vector<float> melFilterbank(const MelOptions& options);

// In-place power_to_db: 10*log10(max(x, amin)), then, if topDb > 0, max(x, max(all) - topDb).
void powerToDb(float* values, size_t n, float amin, float topDb);

}  // namespace chorus::audio
