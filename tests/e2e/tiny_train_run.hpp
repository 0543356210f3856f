// The tiny training run of the reliability tests, through the chorus binary: a synthetic dataset
// (3 species, 18 clips, 4 soundscapes: synth, prep, features), made once per test process, and
// work folders that share its meta/ and features/ with their own models/. One job, CPU, one thread:
// every number is fixed by the seed, so two runs end with the same bytes.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "run_util.hpp"

namespace chorus::testing {

// A synthetic dataset made through the binary in TMP/chorus-tests/<tag>-<pid>: synth with
// `synthArgs`, prep into `folds` folds, the features of `sets` (a --set value each).
inline std::filesystem::path syntheticDataset(const std::string& tag, const std::string& synthArgs, int folds,
                                              const std::vector<std::string>& sets) {
  namespace fs = std::filesystem;
  const fs::path r = fs::temp_directory_path() / "chorus-tests" / (tag + "-" + std::to_string(::getpid()));
  fs::remove_all(r);
  fs::create_directories(r);
  const std::string B = chorusBinary(), D = (r / "data").string(), W = (r / "work").string();
  std::vector<std::string> cmds = {B + " synth --out " + D + " --solution " + (r / "solution.csv").string() + " " + synthArgs,
                                   B + " prep --data " + D + " --work " + W + " --n-folds " + std::to_string(folds)};
  for (const auto& set : sets) cmds.push_back(B + " features --data " + D + " --work " + W + " --set " + set);
  for (const auto& cmd : cmds) {
    auto res = run(cmd);
    if (res.code != 0) ADD_FAILURE() << cmd << "\n" << res.output;
  }
  return r;
}

inline const std::filesystem::path& tinyTrainRunData() {
  static const std::filesystem::path root =
      syntheticDataset("tiny-train", "--preset demo --species 3 --train-clips 18 --train-soundscapes 4 --test-soundscapes 1",
                       2, {"train_audio", "train_soundscapes"});
  return root;
}

// DIR/work (made afresh) with the tiny data's meta/ and features/ linked in.
inline std::filesystem::path tinyTrainRunWork(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path data = tinyTrainRunData(), work = dir / "work";
  fs::remove_all(dir);
  fs::create_directories(work);
  fs::create_directory_symlink(data / "work" / "meta", work / "meta");
  fs::create_directory_symlink(data / "work" / "features", work / "features");
  return work;
}

// `chorus train` of the one job, `epochs` epochs of `steps` steps of 2 windows.
inline std::string tinyTrainArgs(const std::filesystem::path& work, int epochs, int steps) {
  return " train --data " + (tinyTrainRunData() / "data").string() + " --work " + work.string() +
         " --job convnext_atto/0 --epochs " + std::to_string(epochs) + " --batch-size 2 --max-steps-per-epoch " +
         std::to_string(steps) + " --threads 1 --device cpu --warmup-epochs 0.5";
}

// metrics.csv without its last column (`seconds`, the wall time: the one value no two runs share).
inline std::string metricsWithoutSeconds(const std::filesystem::path& file) {
  std::istringstream in(readAll(file));
  std::string line, out;
  while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

}  // namespace chorus::testing
