// chorus features under mpirun -np 2: the store is the same as one rank makes (the chorus binary,
// run alone), both ranks do work and log it, and a resume under two ranks redoes only what is lost.
#include <gtest/gtest.h>
#include <mpi.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>

#include "core/fs.hpp"
#include "dist/mpi_context.hpp"
#include "features_dataset.hpp"
#include "run_util.hpp"
#include "stages/features.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace chorus;
using chorus::store::FeatureStore;

namespace {

const dist::MpiContext& world() {
  static dist::MpiContext mpi;  // MPI is already up (mpi_main.cpp): this only reads rank and size
  return mpi;
}

// The same folder on every rank, made fresh by rank 0.
fs::path sharedScratch() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / "chorus-tests" / (std::string(info->test_suite_name()) + "." + info->name());
  if (world().isRoot()) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  world().barrier();
  return dir;
}

// A command prefix that runs a program as its own single-rank MPI job from inside this mpirun job:
// without the launcher's variables it initialises as a singleton instead of joining our job.
std::string outsideThisJob() {
  std::string prefix = "env";
  for (char** e = environ; *e; ++e) {
    std::string name(*e, std::strcspn(*e, "="));
    for (const char* p : {"OMPI_", "PMIX_", "OPAL_", "PRTE_", "HYDRA_", "PMI_"})
      if (name.rfind(p, 0) == 0) prefix += " -u " + name;
  }
  return prefix;
}

stages::FeaturesOptions optionsFor(const fs::path& data, const fs::path& work) {
  stages::FeaturesOptions o;
  o.data = data;
  o.work = work;
  o.set = "all";
  o.partSeconds = 10;
  return o;
}

}  // namespace

TEST(FeaturesMpi, TwoRanksMakeTheStoreThatOneRankMakes) {
  const fs::path root = sharedScratch();
  if (world().isRoot()) chorus::testing::makeTinyDataset(root);
  world().barrier();
  auto summary = stages::runFeatures(optionsFor(root / "data", root / "np2"), world());
  EXPECT_EQ(summary.exitCode, ExitCode::PartialFailure);  // on every rank
  EXPECT_EQ(summary.failed, 3u);
  // Both ranks wrote parts, each into its own log.
  const std::string log = readTextFile(root / "np2/logs" / ("features.rank" + std::to_string(world().rank()) + ".log"));
  EXPECT_NE(log.find("part-"), std::string::npos) << "rank " << world().rank() << " wrote no part";
  world().barrier();
  if (!world().isRoot()) return;

  auto one = chorus::testing::run(outsideThisJob() + " " + chorus::testing::chorusBinary() + " features --data " +
                                  (root / "data").string() + " --work " + (root / "np1").string() +
                                  " --set all --part-seconds 10");
  ASSERT_EQ(one.code, 4) << one.output;  // PartialFailure: the three broken files
  for (const char* set : {"train_audio", "train_soundscapes"}) {
    SCOPED_TRACE(set);
    FeatureStore a(root / "np1/features" / (std::string(set) + ".h5")), b(root / "np2/features" / (std::string(set) + ".h5"));
    chorus::testing::expectSameStores(a, b);
  }
  auto report = nlohmann::json::parse(readTextFile(root / "np2/features/report.json"));
  EXPECT_EQ(report["sets"]["train_audio"]["failed"], 3);
  EXPECT_EQ(report["sets"]["train_audio"]["items_computed"], 9);
}

TEST(FeaturesMpi, TwoRanksResumeOnlyTheLostParts) {
  const fs::path root = sharedScratch();
  if (world().isRoot()) chorus::testing::makeTinyDataset(root);
  world().barrier();
  auto options = optionsFor(root / "data", root / "work");
  options.set = "train_audio";
  stages::runFeatures(options, world());
  size_t lost = 0;
  if (world().isRoot()) {
    fs::copy(root / "work/features", root / "first", fs::copy_options::recursive);
    for (const char* part : {"part-000000.h5", "part-000003.h5"}) {
      fs::path p = root / "work/features/train_audio.parts" / part;
      lost += std::stoul(FeatureStore(p).attributes().at("part_item_count"));
      fs::remove(p);
    }
  }
  world().barrier();
  stages::runFeatures(options, world());
  if (!world().isRoot()) return;
  auto report = nlohmann::json::parse(readTextFile(root / "work/features/report.json"));
  EXPECT_EQ(report["sets"]["train_audio"]["parts_written"], 2);
  EXPECT_EQ(report["sets"]["train_audio"]["items_computed"], lost);
  chorus::testing::expectSameStores(FeatureStore(root / "first/train_audio.h5"),
                                    FeatureStore(root / "work/features/train_audio.h5"));
}
