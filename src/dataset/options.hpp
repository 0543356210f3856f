// What the training data layer can be told: crops, targets, augmentations, sampling. Plain structs
// with the DESIGN.md defaults; the train stage fills them from its own options and validates once.
#pragma once
#include <cstdint>

namespace CLI {
class App;
}

namespace chorus::dataset {

inline constexpr int kWindowFrames = 313;     // 5 s at 32 kHz, hop 512, centred frames

enum class CropMode { Energy, Random };

struct CropOptions {
  CropMode mode = CropMode::Energy;  // training crop of clips longer than the window
  double jitterSeconds = 1.0;        // energy crop: centre = peak + uniform(-jitter, +jitter)
  bool avoidLead = true;             // energy and random crops start after the leading voice/silence

  void addTo(CLI::App& app);  // --crop energy|random, --crop-jitter, --[no-]crop-avoid-lead
  void validate() const;      // UsageError naming the first bad value
};

const char* cropModeName(CropMode mode);  // "energy" | "random"

struct TargetOptions {
  // Secondary labels are named by the recordist but are usually faint or intermittent, so a 5 s
  // crop often misses them: 0.5 says "maybe" without teaching the model they are absent (0) or
  // as sure as the primary (1). Soundscape window labels are 1 (an expert heard them there).
  float primary = 1.0f;
  float secondary = 0.5f;
  float soundscape = 1.0f;
};

struct Probability {  // one augmentation's switch and probability
  bool on = true;
  double p = 0;
};

struct AugmentOptions {
  Probability roll{true, 1.0};             // cyclic roll in time by uniform [0, frames)
  Probability colouredNoise{true, 0.3};    // f^-beta noise, shaped through the store's mel filterbank
  double noiseSnrMin = 3, noiseSnrMax = 30;       // dB, uniform
  double noiseBetaMin = 0, noiseBetaMax = 2;      // white .. brown, uniform
  Probability background{true, 0.5};       // a real soundscape window (unlabelled ones preferred)
  double backgroundSnrMin = 3, backgroundSnrMax = 30;  // dB, uniform
  Probability gain{true, 0.3};             // uniform in [-gainDb, +gainDb]
  double gainDb = 12;
  Probability freqMask{true, 0.5};         // one band of 1..freqMaskBins mel bins
  int freqMaskBins = 24;
  Probability timeMask{true, 0.5};         // one stretch of 1..timeMaskFrames frames
  int timeMaskFrames = 40;

  static AugmentOptions none();  // every augmentation off (validation, tests)
  // A --[no-]NAME switch and a --NAME-p probability per augmentation, plus its ranges
  // (--noise-snr-min ...): see chorus train --help.
  void addTo(CLI::App& app);
  void validate() const;         // UsageError naming the first bad value (p outside [0, 1], min > max, ...)
};

struct SamplerOptions {
  uint64_t seed = 42;
  bool shuffle = true;
  // Rare species (WORK/meta/rare_species.csv): each of their training clips appears this many times
  // per epoch (1: no oversampling, the default). Repeats are separate slots: own crop, own draws.
  int rareRepeats = 1;
  // Pseudo-labelled examples (pseudo_labels.hpp): a fresh random round(pseudoP * count) of them per epoch.
  double pseudoP = 1.0;
};

}  // namespace chorus::dataset
