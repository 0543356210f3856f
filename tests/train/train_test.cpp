// The training loop on a tiny synthetic dataset (chorus synth -> prep -> features, the real stages):
// exact resume, falling loss, what metrics.csv, oof.csv and a checkpoint hold, and the refusal of a
// store whose feature parameters differ from the checkpoint's.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "dist/mpi_context.hpp"
#include "meta/csv.hpp"
#include "model/checkpoint.hpp"
#include "stages/features.hpp"
#include "stages/prep.hpp"
#include "stages/synth.hpp"
#include "store/feature_store.hpp"
#include "run_util.hpp"
#include "test_util.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/train.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 3 species, 18 clips and 4 labelled soundscapes, made once per process.
const fs::path& tinyWork() {
  static const fs::path root = [] {
    // Per process: ctest may run the tests of this file side by side.
    fs::path r = fs::temp_directory_path() / "chorus-tests" / ("train-data-" + std::to_string(::getpid()));
    fs::remove_all(r);
    stages::SynthOptions synth;
    synth.out = r / "data";
    synth.solution = r / "solution.csv";
    synth.species = 3, synth.trainClips = 18, synth.trainSoundscapes = 4, synth.testSoundscapes = 0;
    stages::runSynth(synth);
    stages::PrepOptions prep;
    prep.data = r / "data", prep.work = r / "work", prep.folds = 2;
    stages::runPrep(prep);
    static dist::MpiContext mpi;
    for (const char* set : {"train_audio", "train_soundscapes"}) {
      stages::FeaturesOptions features;
      features.data = r / "data", features.work = r / "work", features.set = set;
      stages::runFeatures(features, mpi);
    }
    return r;
  }();
  return root;
}

TrainOptions tinyOptions(const fs::path& work, int epochs) {
  TrainOptions o;
  o.data = tinyWork() / "data";
  o.work = work;
  o.job = "convnext_atto/0";
  o.epochs = epochs;
  o.batchSize = 4;
  o.evalBatchSize = 16;
  o.maxStepsPerEpoch = 2;
  o.lr = 1e-3;
  o.warmupEpochs = 1;
  o.threads = 1;
  o.device = "cpu";
  return o;
}

// A work folder with the shared meta and features (models/ is the test's own).
fs::path workCopy(const fs::path& dir) {
  const fs::path work = dir / "work";
  fs::create_directories(work);
  fs::create_directory_symlink(tinyWork() / "work" / "meta", work / "meta");
  fs::create_directory_symlink(tinyWork() / "work" / "features", work / "features");
  return work;
}

model::NamedTensors bestOrLast(const fs::path& jobDir, const char* pointer) {
  auto dir = checkpointDir(jobDir, pointer);
  EXPECT_TRUE(dir.has_value()) << jobDir << " has no " << pointer;
  return model::readTensorFile(*dir / "weights.pt");
}

}  // namespace

TEST(Train, ResumeGivesTheSameWeightsAsOneRun) {
  const fs::path dir = testing::scratchDir();
  const fs::path straight = workCopy(dir / "straight"), split = workCopy(dir / "split");
  auto a = trainJob(tinyOptions(straight, 4), parseJob("convnext_atto/0"));
  EXPECT_TRUE(a.finished);
  EXPECT_EQ(a.epochs, 4);

  TrainOptions first = tinyOptions(split, 4);
  first.stopAfter = 2;
  auto b = trainJob(first, parseJob("convnext_atto/0"));
  EXPECT_FALSE(b.finished);
  EXPECT_EQ(b.epochs, 2);
  TrainOptions second = tinyOptions(split, 4);
  second.resume = true;
  auto c = trainJob(second, parseJob("convnext_atto/0"));
  EXPECT_TRUE(c.finished);
  EXPECT_EQ(c.epochs, 4);

  const auto wa = bestOrLast(straight / "models" / "convnext_atto-f0", "last");
  const auto wc = bestOrLast(split / "models" / "convnext_atto-f0", "last");
  ASSERT_EQ(wa.size(), wc.size());
  for (const auto& [name, tensor] : wa) {
    ASSERT_TRUE(wc.count(name)) << name;
    EXPECT_TRUE(torch::equal(tensor, wc.at(name))) << name << " differs after resume";
  }
  // The recorded losses agree too (wall times aside).
  auto ma = parseMetricsCsv(readTextFile(straight / "models/convnext_atto-f0/metrics.csv"), "a");
  auto mc = parseMetricsCsv(readTextFile(split / "models/convnext_atto-f0/metrics.csv"), "c");
  ASSERT_EQ(ma.size(), 4u);
  ASSERT_EQ(mc.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(ma[i].step, mc[i].step);
    EXPECT_EQ(ma[i].trainLoss, mc[i].trainLoss);
    EXPECT_EQ(ma[i].valLoss, mc[i].valLoss);
    EXPECT_EQ(ma[i].soundscapeAuc, mc[i].soundscapeAuc);
  }
}

TEST(Train, LossFallsAndOutputsHoldWhatTheySay) {
  const fs::path work = workCopy(testing::scratchDir());
  // Without augmentation every epoch sees the same windows, so the loss must fall steadily.
  TrainOptions o = tinyOptions(work, 6);
  o.maxStepsPerEpoch = 4;
  o.augment = false;
  o.job = "convnext_atto/1";  // fold 1 holds soundscape windows with and without each species
  auto results = runTrain(o);
  ASSERT_EQ(results.size(), 1u);
  const fs::path jobDir = work / "models" / "convnext_atto-f1";

  auto metrics = parseMetricsCsv(readTextFile(jobDir / "metrics.csv"), "metrics.csv");
  ASSERT_EQ(metrics.size(), 6u);
  const double lastTwo = (metrics[4].trainLoss + metrics[5].trainLoss) / 2;
  EXPECT_LT(lastTwo, 0.8 * metrics.front().trainLoss) << "training loss did not fall";
  EXPECT_LT(metrics.back().valLoss, metrics.front().valLoss);
  for (size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(metrics[i].epoch, int(i) + 1);
    EXPECT_EQ(metrics[i].step, int64_t(i + 1) * 4);
    EXPECT_GT(metrics[i].valLoss, 0);
    EXPECT_GT(metrics[i].seconds, 0);
  }
  EXPECT_GE(metrics[0].clipAuc, 0);        // held-out clips of 3 species are scorable
  EXPECT_GE(metrics[0].soundscapeAuc, 0);  // and so are fold 1's soundscape windows

  // The checkpoint: the store's feature parameters, the normalisation, the config, the best epoch.
  auto best = checkpointDir(jobDir, "best");
  ASSERT_TRUE(best);
  for (const char* f : {"weights.pt", "optimizer.pt", "rng.pt", "state.json"}) EXPECT_TRUE(fs::exists(*best / f)) << f;
  TrainState state = readState(*checkpointDir(jobDir, "last"));
  EXPECT_TRUE(state.finished);
  EXPECT_EQ(state.epoch, 6);
  EXPECT_EQ(state.metrics.size(), 6u);
  store::FeatureStore clips(work / "features" / "train_audio.h5");
  for (const auto& [k, v] : stages::storeMelOptions(clips).describe()) EXPECT_EQ(state.features.at(k), v) << k;
  EXPECT_TRUE(state.features.count("norm_mean_db"));
  EXPECT_EQ(json::parse(state.config).at("backbone"), "convnext_atto");
  EXPECT_EQ(readState(*best).epoch, state.bestEpoch);

  // oof.csv: one row per held-out example, row_id, kind, fold, then one column per species.
  auto oof = meta::CsvTable::read(jobDir / "oof.csv");
  auto species = meta::CsvTable::read(work / "meta" / "species_list.csv");
  EXPECT_EQ(oof.header().size(), 3 + species.size());
  size_t heldOut = 0;
  auto clipsCsv = meta::CsvTable::read(work / "meta" / "train_cleaned_stratified.csv");
  for (size_t r = 0; r < clipsCsv.size(); ++r) heldOut += clipsCsv.at(r, "fold") == "1";
  size_t clipRows = 0;
  for (size_t r = 0; r < oof.size(); ++r) {
    EXPECT_EQ(oof.at(r, "fold"), "1");
    clipRows += oof.at(r, "kind") == "clip";
    const double p = std::stod(oof.rows()[r].fields[3]);
    EXPECT_TRUE(p > 0 && p < 1) << p;
  }
  EXPECT_EQ(clipRows, heldOut);
  EXPECT_GT(oof.size(), clipRows);  // soundscape rows too, named by the competition's row_id
  EXPECT_NE(oof.rows().back().fields[0].find("BC2026_Train_"), std::string::npos);

  // A second run finds the job finished and skips it.
  auto again = runTrain(o);
  EXPECT_TRUE(again.at(0).skipped);
}

TEST(Train, ResumeRefusesAStoreWithOtherFeatureParameters) {
  const fs::path work = workCopy(testing::scratchDir());
  TrainOptions o = tinyOptions(work, 3);
  o.stopAfter = 1;
  o.maxStepsPerEpoch = 1;
  trainJob(o, parseJob("convnext_atto/0"));
  const fs::path last = *checkpointDir(work / "models" / "convnext_atto-f0", "last");
  json state = json::parse(readTextFile(last / "state.json"));
  EXPECT_EQ(state.at("features").at("hop"), "512");
  state["features"]["hop"] = "256";  // as if the model had been trained on other features
  writeFileAtomic(last / "state.json", state.dump());
  o.resume = true;
  try {
    trainJob(o, parseJob("convnext_atto/0"));
    FAIL() << "resume accepted features the checkpoint was not trained on";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("hop = 256"), std::string::npos) << e.what();
  }
}

TEST(Train, CommandLineReadsTheTrainSectionAndMapsBadOptionsToUsage) {
  const fs::path dir = testing::scratchDir();
  const fs::path work = workCopy(dir);
  std::ofstream(dir / "train.toml") << "[train]\nepochs = 1\nwarmup-epochs = 0\nbatch-size = 4\nmax-steps-per-epoch = 1\nthreads = 1\n"
                                       "device = \"cpu\"\nno-augment = true\n";
  const std::string base = testing::chorusBinary() + " train --data " + (tinyWork() / "data").string() + " --work " +
                           work.string() + " --config " + (dir / "train.toml").string();
  auto ok = testing::run(base + " --job efficientnet_b0/1");
  ASSERT_EQ(ok.code, 0) << ok.output;
  auto metrics = parseMetricsCsv(readTextFile(work / "models/efficientnet_b0-f1/metrics.csv"), "metrics.csv");
  ASSERT_EQ(metrics.size(), 1u);  // epochs = 1 from the config
  EXPECT_EQ(metrics[0].step, 1);  // max-steps-per-epoch = 1
  EXPECT_EQ(json::parse(readState(*checkpointDir(work / "models/efficientnet_b0-f1", "last")).config).at("augment"), false);

  auto badJob = testing::run(base + " --job efficientnet_b0");
  EXPECT_EQ(badJob.code, 2) << badJob.output;
  EXPECT_NE(badJob.output.find("BACKBONE/FOLD"), std::string::npos) << badJob.output;
  auto badBackbone = testing::run(base + " --job resnet9/0");
  EXPECT_EQ(badBackbone.code, 2) << badBackbone.output;
}

}  // namespace chorus::train
