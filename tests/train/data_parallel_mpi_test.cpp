// Data-parallel training on 2 real ranks (mpirun -np 2): 2 ranks x batch B follow 1 rank x batch
// 2B step for step (the sampler gives rank r every second slot, augmentations are keyed per
// example, gradients are averaged), both ranks end with bit-identical weights, only the root
// writes, and a batch-norm model keeps its ranks identical through the averaged running stats.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/fs.hpp"
#include "dist/mpi_context.hpp"
#include "model/checkpoint.hpp"
#include "test_util.hpp"
#include "tiny_train_data.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/train.hpp"

namespace chorus::train {
namespace fs = std::filesystem;

namespace {

const dist::MpiContext& world() {
  static dist::MpiContext mpi;  // MPI is already up (mpi_main.cpp): this only reads rank and size
  return mpi;
}

// A fresh folder for the test, the root's, on every rank.
fs::path sharedScratch() {
  std::string dir;
  if (world().isRoot()) dir = testing::scratchDir().string();
  dir = world().broadcast(dir);
  world().barrier();
  return dir;
}

TrainOptions options(const fs::path& work, const std::string& job, int batch) {
  TrainOptions o;
  o.data = testing::tinyTrainData(world()) / "data";
  o.work = work;
  o.job = job;
  o.epochs = 2;
  o.batchSize = batch;
  o.evalBatchSize = 16;
  o.maxStepsPerEpoch = 3;
  o.warmupEpochs = 0.5;
  o.threads = 1;
  o.device = "cpu";
  o.model.dropRate = 0;  // dropout masks of a B batch and a 2B batch cannot agree
  o.model.dropPathRate = 0;
  return o;  // augmentations stay on: keyed per example, the same on either rank
}

model::NamedTensors lastWeights(const fs::path& jobDir) {
  auto dir = checkpointDir(jobDir, "last");
  EXPECT_TRUE(dir.has_value()) << jobDir;
  return model::readTensorFile(*dir / "weights.pt");
}

}  // namespace

TEST(DataParallel, TwoRanksOfBatchBMatchOneRankOfBatchTwoB) {
  ASSERT_EQ(world().size(), 2) << "run under mpirun -np 2";
  const fs::path dir = sharedScratch();
  const fs::path data = testing::tinyTrainData(world());
  const std::string job = "convnext_atto/0";  // LayerNorm only: no batch statistics to differ

  fs::path single, pair;
  if (world().isRoot()) {
    single = testing::tinyTrainWork(data, dir / "single");
    pair = testing::tinyTrainWork(data, dir / "pair");
    JobResult one = trainJob(options(single, job, 4), meta::parseJobSpec(job, "--job"));  // this process alone
    EXPECT_TRUE(one.finished);
  }
  pair = world().broadcast(pair.string());
  world().barrier();

  JobResult two = trainJob(options(pair, job, 2), meta::parseJobSpec(job, "--job"), JobGroup{world().group(), 0, "test group"});
  EXPECT_TRUE(two.finished);
  EXPECT_EQ(two.epochs, 2);
  // The same model on both ranks, bit for bit.
  auto digests = world().gatherToRoot(std::to_string(two.modelDigest));
  if (!world().isRoot()) return;
  EXPECT_EQ(digests.at(0), digests.at(1));

  const auto a = lastWeights(single / "models/convnext_atto-f0");
  const auto b = lastWeights(pair / "models/convnext_atto-f0");
  ASSERT_EQ(a.size(), b.size());
  double worst = 0, scale = 0;
  for (const auto& [name, ta] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    worst = std::max(worst, (ta - b.at(name)).abs().max().item<double>());
    scale = std::max(scale, ta.abs().max().item<double>());
  }
  // 6 AdamW steps: float summation order is the only difference (a few ulps per step, amplified
  // where Adam divides small moments); a wrong data order or a summed instead of averaged
  // gradient moves weights by the learning rate (1e-3) or more.
  EXPECT_LT(worst, 2e-5) << "largest weight difference (weights up to " << scale << ")";
  std::cout << "largest weight difference 1 rank x 4 vs 2 ranks x 2 after 6 steps: " << worst << "\n";

  auto ma = meta::readMetricsCsv(single / "models/convnext_atto-f0/metrics.csv");
  auto mb = meta::readMetricsCsv(pair / "models/convnext_atto-f0/metrics.csv");
  ASSERT_EQ(ma.size(), 2u);
  ASSERT_EQ(mb.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(ma[e].step, mb[e].step);
    EXPECT_NEAR(ma[e].trainLoss, mb[e].trainLoss, 1e-5 * std::abs(ma[e].trainLoss));
    EXPECT_NEAR(ma[e].valLoss, mb[e].valLoss, 1e-4 * std::abs(ma[e].valLoss));  // sharded validation
  }
  // Only the root wrote: one set of outputs, no leftovers from rank 1.
  for (const char* f : {"metrics.csv", "oof.csv", "report.json", "last.json", "best.json"})
    EXPECT_TRUE(fs::exists(pair / "models/convnext_atto-f0" / f)) << f;
}

TEST(DataParallel, BatchNormRanksStayIdenticalAndResumeContinuesTheGroup) {
  const fs::path dir = sharedScratch();
  const fs::path data = testing::tinyTrainData(world());
  fs::path work;
  if (world().isRoot()) work = testing::tinyTrainWork(data, dir);
  work = world().broadcast(work.string());
  world().barrier();
  const std::string job = "efficientnet_b0/1";
  TrainOptions o = options(work, job, 2);
  o.model.dropRate = 0.2;  // dropout on: the ranks draw alike (same seed, same draws)
  o.epochs = 3;
  o.stopAfter = 1;
  JobResult first = trainJob(o, meta::parseJobSpec(job, "--job"), JobGroup{world().group(), 0, "test group"});
  EXPECT_FALSE(first.finished);
  o.stopAfter = 0;
  o.resume = true;
  JobResult rest = trainJob(o, meta::parseJobSpec(job, "--job"), JobGroup{world().group(), 0, "test group"});
  EXPECT_TRUE(rest.finished);
  EXPECT_EQ(rest.epochs, 3);
  auto digests = world().gatherToRoot(std::to_string(rest.modelDigest));
  if (!world().isRoot()) return;
  EXPECT_EQ(digests.at(0), digests.at(1)) << "the ranks' batch-norm models drifted apart";
  // The checkpoint's running statistics are the group's average: not the initial ones.
  const auto w = lastWeights(work / "models/efficientnet_b0-f1");
  bool moved = false;
  for (const auto& [name, t] : w)
    if (name.find("running_var") != std::string::npos) moved = moved || !torch::allclose(t, torch::ones_like(t));
  EXPECT_TRUE(moved);
  EXPECT_EQ(meta::readMetricsCsv(work / "models/efficientnet_b0-f1/metrics.csv").size(), 3u);
}

}  // namespace chorus::train
