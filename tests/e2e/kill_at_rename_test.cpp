// No instant of `chorus train` loses work: the run is killed (SIGKILL) just before each of its
// renames in turn (every publish of a file or a checkpoint folder is one; rename_shim.c stops it
// there), then rerun with --resume. Each rerun must end with the clean run's bytes: best and last
// weights, the pointers, metrics.csv (but its wall times) and oof.csv; a rerun that skipped the job
// as finished with a file missing or short would fail here. The killed run's temporaries (its pid is
// dead) are gone after the rerun; one of a live process (this test's) is left alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>

#include "run_util.hpp"
#include "test_util.hpp"
#include "tiny_train_run.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using testing::readAll;

const char* const kJob = "models/convnext_atto-f0";

std::string underShim(const std::string& env) {
  return "env LD_PRELOAD=" + std::string(CHORUS_RENAME_SHIM) + " " + env + " " + testing::chorusBinary();
}

// The files a finished job vouches for, by name, as the bytes a rerun must reproduce.
std::map<std::string, std::string> finishedJob(const fs::path& work) {
  const fs::path job = work / kJob;
  std::map<std::string, std::string> files;
  for (const char* pointer : {"best", "last"}) {
    const std::string text = readAll(job / (std::string(pointer) + ".json"));
    files[std::string(pointer) + ".json"] = text;
    const auto dir = text.find("epoch-");
    if (dir == std::string::npos) continue;
    const std::string name = text.substr(dir, text.find('"', dir) - dir);
    files[std::string(pointer) + " weights.pt"] = readAll(job / name / "weights.pt");
  }
  files["metrics.csv"] = testing::metricsWithoutSeconds(job / "metrics.csv");
  files["oof.csv"] = readAll(job / "oof.csv");
  return files;
}

std::vector<std::string> temporariesIn(const fs::path& dir) {
  std::vector<std::string> names;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().find(".tmp.") != std::string::npos) names.push_back(e.path().filename());
  return names;
}

TEST(KillAtRename, TrainRerunAfterAKillAtEachRenameEndsWithTheCleanRunsFiles) {
  const fs::path dir = testing::scratchDir();
  const auto args = [](const fs::path& work) { return testing::tinyTrainArgs(work, 2, 2); };

  const fs::path clean = testing::tinyTrainRunWork(dir / "clean");
  const auto started = std::chrono::steady_clock::now();
  auto ref = testing::run(underShim("CHORUS_RENAME_LOG=" + (dir / "renames.txt").string()) + args(clean));
  ASSERT_EQ(ref.code, 0) << ref.output;
  const double cleanSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto expected = finishedJob(clean);
  ASSERT_FALSE(expected.at("best weights.pt").empty());
  std::ifstream renameLog(dir / "renames.txt");
  std::vector<std::string> renames;
  for (std::string line; std::getline(renameLog, line);) renames.push_back(line);
  ASSERT_GE(renames.size(), 8u) << "fewer renames than two epochs publish";
  std::cout << "train: " << renames.size() << " renames in a clean run of " << cleanSeconds << " s\n";

  for (size_t k = 1; k <= renames.size(); ++k) {
    SCOPED_TRACE("killed before rename " + std::to_string(k) + ": " + renames[k - 1]);
    const fs::path work = testing::tinyTrainRunWork(dir / ("k" + std::to_string(k)));
    auto killed = testing::run(underShim("CHORUS_RENAME_KILL_AT=" + std::to_string(k)) + args(work));
    ASSERT_EQ(killed.code, 128 + 9) << killed.output;
    // A live process's temporary (this test's pid) must survive the rerun.
    const fs::path live = work / kJob / ("metrics.csv.tmp." + std::to_string(::getpid()));
    fs::create_directories(live.parent_path());
    std::ofstream(live) << "not done";
    const bool leftTemporaries = temporariesIn(work / kJob).size() > 1;

    auto rerun = testing::run(testing::chorusBinary() + args(work) + " --resume");
    ASSERT_EQ(rerun.code, 0) << rerun.output;
    const auto got = finishedJob(work);
    for (const auto& [name, bytes] : expected) EXPECT_TRUE(got.at(name) == bytes) << name << " differs from the clean run's";
    EXPECT_EQ(temporariesIn(work / kJob), std::vector<std::string>{live.filename().string()});
    if (leftTemporaries) EXPECT_NE(rerun.output.find("stale temporaries of killed runs removed"), std::string::npos);
    if (!::testing::Test::HasFailure()) fs::remove_all(dir / ("k" + std::to_string(k)));
  }
}

// The same for `chorus infer` on the trained job: every rerun's submission is the clean run's.
TEST(KillAtRename, InferRerunAfterAKillAtEachRenameWritesTheCleanRunsSubmission) {
  const fs::path dir = testing::scratchDir();
  const fs::path work = testing::tinyTrainRunWork(dir / "train");
  auto trained = testing::run(testing::chorusBinary() + testing::tinyTrainArgs(work, 1, 2));
  ASSERT_EQ(trained.code, 0) << trained.output;
  const auto args = [&](const fs::path& out) {
    return " infer --data " + (testing::tinyTrainRunData() / "data").string() + " --work " + work.string() +
           " --out " + out.string() + " --threads 1 --tta orig";
  };
  // The first infer run exports the model next to its checkpoint (a cache the later runs reuse):
  // each killed run starts from the trained folder alone, so that a kill inside the export is tried too.
  const fs::path checkpoint = work / kJob / "epoch-0001";
  std::set<fs::path> trainedFiles;
  for (const auto& e : fs::directory_iterator(checkpoint)) trainedFiles.insert(e.path());
  const auto fresh = [&] {
    fs::remove_all(work / "infer");
    for (const auto& e : fs::directory_iterator(checkpoint))
      if (!trainedFiles.count(e.path())) fs::remove_all(e.path());
  };
  auto clean = testing::run(underShim("CHORUS_RENAME_LOG=" + (dir / "renames.txt").string()) + args(dir / "clean.csv"));
  ASSERT_EQ(clean.code, 0) << clean.output;
  const std::string expected = readAll(dir / "clean.csv");
  ASSERT_FALSE(expected.empty());
  std::ifstream renameLog(dir / "renames.txt");
  size_t renames = 0;
  for (std::string line; std::getline(renameLog, line);) ++renames;
  ASSERT_GE(renames, 2u) << "the submission and the report are published by rename";
  std::cout << "infer: " << renames << " renames in a clean run\n";
  for (size_t k = 1; k <= renames; ++k) {
    SCOPED_TRACE("killed before rename " + std::to_string(k));
    fresh();
    const fs::path out = dir / ("k" + std::to_string(k) + ".csv");
    auto killed = testing::run(underShim("CHORUS_RENAME_KILL_AT=" + std::to_string(k)) + args(out));
    ASSERT_EQ(killed.code, 128 + 9) << killed.output;
    auto rerun = testing::run(testing::chorusBinary() + args(out));
    ASSERT_EQ(rerun.code, 0) << rerun.output;
    EXPECT_TRUE(readAll(out) == expected) << "the submission differs from the clean run's";
    EXPECT_EQ(temporariesIn(work / "infer"), std::vector<std::string>{});
    EXPECT_EQ(temporariesIn(dir), std::vector<std::string>{});
    EXPECT_EQ(temporariesIn(checkpoint), std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace chorus
