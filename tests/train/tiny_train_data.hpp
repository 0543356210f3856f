// The tiny synthetic dataset of the training tests (chorus synth -> prep -> features, the real
// stages): 3 species, 18 clips and 4 labelled soundscapes, made once per process, or once per
// mpirun world (the root makes the data, every rank takes part in the features stage), and work
// folders that share its meta/ and features/.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <string>

#include "dist/mpi_context.hpp"
#include "stages/features.hpp"
#include "stages/prep.hpp"
#include "stages/synth.hpp"

namespace chorus::testing {

inline const std::filesystem::path& tinyTrainData(const dist::MpiContext& world) {
  namespace fs = std::filesystem;
  static const fs::path root = [&] {
    // Per process (ctest may run tests side by side), the root's for a world.
    const fs::path r = world.broadcast(
        (fs::temp_directory_path() / "chorus-tests" / ("train-data-" + std::to_string(::getpid()))).string());
    if (world.isRoot()) {
      fs::remove_all(r);
      stages::SynthOptions synth;
      synth.out = r / "data";
      synth.solution = r / "solution.csv";
      synth.species = 3, synth.trainClips = 18, synth.trainSoundscapes = 4, synth.testSoundscapes = 0;
      stages::runSynth(synth);
      stages::PrepOptions prep;
      prep.data = r / "data", prep.work = r / "work", prep.folds = 2;
      stages::runPrep(prep);
    }
    world.barrier();
    for (const char* set : {"train_audio", "train_soundscapes"}) {
      stages::FeaturesOptions features;
      features.data = r / "data", features.work = r / "work", features.set = set;
      stages::runFeatures(features, world);
    }
    return r;
  }();
  return root;
}

// DIR/work with the tiny data's meta/ and features/ linked in (models/ is the caller's own).
inline std::filesystem::path tinyTrainWork(const std::filesystem::path& data, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path work = dir / "work";
  fs::create_directories(work);
  fs::create_directory_symlink(data / "work" / "meta", work / "meta");
  fs::create_directory_symlink(data / "work" / "features", work / "features");
  return work;
}

}  // namespace chorus::testing
