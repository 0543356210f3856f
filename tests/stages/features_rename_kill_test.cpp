// No instant of `chorus features` loses work: the run is killed (SIGKILL) just before each of its
// renames in turn (rename_shim.c, LD_PRELOAD), then rerun: the rerun finishes the set, its store
// equals a clean run's, and the killed run's temporaries (a dead pid's) are gone.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "features_dataset.hpp"
#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using testing::temporariesUnder;

TEST(FeaturesRenameKill, RerunAfterAKillAtEachRenameMatchesACleanRun) {
  const fs::path root = testing::scratchDir();
  const fs::path folder = root / "data/train_soundscapes";
  fs::create_directories(folder);
  testing::writeClip(root / "one.wav", 20, 32000, 1, 7);
  for (int i = 0; i < 4; ++i) fs::copy_file(root / "one.wav", folder / ("sc_" + std::to_string(100 + i) + ".wav"));
  const auto args = [&](const fs::path& work) {
    return " features --data " + (root / "data").string() + " --work " + work.string() +
           " --set train_soundscapes --part-seconds 20 --threads 1 --log-level warn";
  };
  const std::string shim = "env LD_PRELOAD=" + std::string(CHORUS_RENAME_SHIM);
  auto clean = testing::run(shim + " CHORUS_RENAME_LOG=" + (root / "renames.txt").string() + " " +
                            testing::chorusBinary() + args(root / "clean"));
  ASSERT_EQ(clean.code, 0) << clean.output;
  std::ifstream log(root / "renames.txt");
  size_t renames = 0;
  for (std::string line; std::getline(log, line);) ++renames;
  ASSERT_GE(renames, 5u) << "4 parts and the store are published by rename";
  std::cout << "features: " << renames << " renames in a clean run\n";
  const store::FeatureStore expected(root / "clean/features/train_soundscapes.h5");

  for (size_t k = 1; k <= renames; ++k) {
    SCOPED_TRACE("killed before rename " + std::to_string(k));
    const fs::path work = root / ("k" + std::to_string(k));
    auto killed = testing::run(shim + " CHORUS_RENAME_KILL_AT=" + std::to_string(k) + " " + testing::chorusBinary() + args(work));
    ASSERT_EQ(killed.code, 128 + 9) << killed.output;
    auto rerun = testing::run(testing::chorusBinary() + args(work));
    ASSERT_EQ(rerun.code, 0) << rerun.output;
    testing::expectSameStores(expected, store::FeatureStore(work / "features/train_soundscapes.h5"));
    EXPECT_EQ(temporariesUnder(work / "features"), std::vector<std::string>{});
    if (!::testing::Test::HasFailure()) fs::remove_all(work);
  }
}

}  // namespace
}  // namespace chorus
