// chorus synth: a complete synthetic BirdCLEF dataset in the Kaggle layout, with the hidden labels
// of the test windows written outside it. The embedded default that the demo runs on.
//
// DIR/taxonomy.csv, train.csv, train_audio/<label>/<id>.ogg, train_soundscapes/*.ogg,
// train_soundscapes_labels.csv, test_soundscapes/*.ogg, sample_submission.csv; FILE (the solution:
// sample_submission's layout with 0/1) and, next to it, <FILE stem>_synth_truth.json: what is not
// in any Kaggle file (voice segments, corrupt files, every call's place, each species' band).
// DIR/.chorus_synth marks the folder as generated: a rerun replaces it consistently (audio no longer
// listed is removed), and a non-empty folder without the marker is refused.
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
  int trainClips = 0;              // 0: the preset's count (at least one per species)
  int trainSoundscapes = -1;       // -1: the preset's count
  int testSoundscapes = -1;        // -1: the preset's count
};

struct SynthSummary {
  int species = 0, trainClips = 0, trainSoundscapes = 0, testSoundscapes = 0, corrupt = 0;
  double audioSeconds = 0;
  double seconds = 0;  // wall time
};

SynthSummary runSynth(const SynthOptions& options);

// Where runSynth writes the side file for a given solution path.
std::filesystem::path synthTruthPath(const std::filesystem::path& solution);

}  // namespace chorus::stages
