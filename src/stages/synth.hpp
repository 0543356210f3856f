// chorus synth: a complete synthetic BirdCLEF dataset in the Kaggle layout, with the hidden labels
// of the test windows written outside it. The embedded default that the demo runs on.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace chorus::stages {

struct SynthOptions {
  std::filesystem::path out;       // dataset root (Kaggle layout)
  std::filesystem::path solution;  // hidden test labels, sample_submission layout, 0/1
  std::string preset = "demo";     // demo | small | full
  uint32_t seed = 2026;
  int corrupt = 0;                 // broken audio files added to train_audio (error-handling tests)
  int species = 0;                 // 0: the preset's count
};

struct SynthSummary {
  int species = 0, trainClips = 0, trainSoundscapes = 0, testSoundscapes = 0, corrupt = 0;
  double audioSeconds = 0;
};

SynthSummary runSynth(const SynthOptions& options);

}  // namespace chorus::stages
