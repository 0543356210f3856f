// Augmentations of a dB window. Anything added to the sound is added in the linear power domain
// (dB -> power, add, -> dB), as two sounds add in the air; adding dB values would multiply them.
// Each takes its draws from its own stream of the example's RNG (example_rng.hpp).
#pragma once
#include <vector>

#include "dataset/example_rng.hpp"
#include "dataset/options.hpp"
#include "dataset/window.hpp"

namespace chorus::dataset {

class BackgroundPool;

// Power-domain mix: w = 10 log10(10^(w/10) + g * 10^(other/10)), g = (P_w / P_other) / 10^(snr/10)
// where P is the window's total power: `other` ends up snrDb below `w`. Same shape required.
void mixAtSnr(Window& w, const Window& other, double snrDb);

void rollTime(Window& w, int shift);      // cyclic: frame t moves to (t + shift) mod frames
void addGain(Window& w, double db);       // every cell + db (power x 10^(db/10))
void maskMels(Window& w, int first, int count, float value);     // bins [first, first + count)
void maskFrames(Window& w, int first, int count, float value);   // frames [first, first + count)

// f^-beta noise as the mel spectrogram sees it: mel bin m's expected power is
// sum_f filterbank[f][m] * S(f), S = f^-beta (f > 0) with the Hann window's leakage into the
// neighbouring bins, times an exponential(1) draw per cell (the power of a Gaussian STFT bin).
// Checked against torchaudio's mel spectra of real f^-beta noise. `filterbank` is bins x mels
// (audio::melFilterbank). Returns dB relative to the loudest bin's mean.
Window colouredNoise(const std::vector<float>& filterbank, int mels, int frames, double beta, double sampleRate,
                     ExampleRng& rng);

struct AugmentContext {
  const std::vector<float>* filterbank = nullptr;  // for coloured noise (bins x mels)
  double sampleRate = 32000;
  const BackgroundPool* background = nullptr;  // null or empty: no background augmentation
  // Masked cells: the normalisation mean, so they enter the model as 0 (no evidence either way),
  // not as the dB floor, which would be a silence louder in contrast than anything real.
  float maskValueDb = -20;
};

// Applies, in this order: roll, background, coloured noise, gain, frequency mask, time mask.
// Draws for augmentation X come from ExampleRng(seed, epoch, slot, Stream::X).
void augment(Window& w, const AugmentOptions& options, const AugmentContext& context, uint64_t seed,
             int64_t epoch, uint64_t slot);

}  // namespace chorus::dataset
