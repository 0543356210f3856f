// The training loop on a tiny synthetic dataset (chorus synth -> prep -> features, the real stages):
// exact resume, falling loss, what metrics.csv, oof.csv and a checkpoint hold, and the refusal of a
// store whose feature parameters differ from the checkpoint's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "dist/mpi_context.hpp"
#include "meta/csv.hpp"
#include "model/checkpoint.hpp"
#include "model/classifier.hpp"
#include "stages/features.hpp"
#include "store/feature_store.hpp"
#include "run_util.hpp"
#include "test_util.hpp"
#include "tiny_train_data.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/train.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The shared tiny dataset (tiny_train_data.hpp), made once per process.
const fs::path& tinyWork() {
  static dist::MpiContext mpi;
  return testing::tinyTrainData(mpi);
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
fs::path workCopy(const fs::path& dir) { return testing::tinyTrainWork(tinyWork(), dir); }

// `chorus train` on the tiny data with DIR/train.toml as its config: one step of one epoch on one
// thread, then `more` (TOML lines of the [train] section).
std::string quickTrainCommand(const fs::path& dir, const fs::path& work, const std::string& more) {
  std::ofstream(dir / "train.toml") << "[train]\nepochs = 1\nwarmup-epochs = 0\nbatch-size = 4\nmax-steps-per-epoch = 1\n"
                                       "threads = 1\ndevice = \"cpu\"\n" << more;
  return testing::chorusBinary() + " train --data " + (tinyWork() / "data").string() + " --work " + work.string() +
         " --config " + (dir / "train.toml").string();
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
  auto a = trainJob(tinyOptions(straight, 4), meta::parseJobSpec("convnext_atto/0", "--job"));
  EXPECT_TRUE(a.finished);
  EXPECT_EQ(a.epochs, 4);

  TrainOptions first = tinyOptions(split, 4);
  first.stopAfter = 2;
  auto b = trainJob(first, meta::parseJobSpec("convnext_atto/0", "--job"));
  EXPECT_FALSE(b.finished);
  EXPECT_EQ(b.epochs, 2);
  TrainOptions second = tinyOptions(split, 4);
  second.resume = true;
  auto c = trainJob(second, meta::parseJobSpec("convnext_atto/0", "--job"));
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
  auto ma = meta::readMetricsCsv(straight / "models/convnext_atto-f0/metrics.csv");
  auto mc = meta::readMetricsCsv(split / "models/convnext_atto-f0/metrics.csv");
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
  // No BatchNorm (batches of 4 here), and layer decay as for pretrained weights: the stem and early
  // stages move slowly, so 24 steps at lr 1e-3 settle instead of jumping about.
  o.layerDecay = "0.75";
  auto results = runTrain(o);
  ASSERT_EQ(results.size(), 1u);
  const fs::path jobDir = work / "models" / "convnext_atto-f1";

  auto metrics = meta::readMetricsCsv(jobDir / "metrics.csv");
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
  for (const auto& [k, v] : dataset::melOptionsOf(clips).describe()) EXPECT_EQ(state.features.at(k), v) << k;
  EXPECT_TRUE(state.features.count("norm_mean_db"));
  EXPECT_EQ(state.config.backbone, "convnext_atto");
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
  trainJob(o, meta::parseJobSpec("convnext_atto/0", "--job"));
  const fs::path last = *checkpointDir(work / "models" / "convnext_atto-f0", "last");
  json state = json::parse(readTextFile(last / "state.json"));
  EXPECT_EQ(state.at("features").at("hop"), "512");
  state["features"]["hop"] = "256";  // as if the model had been trained on other features
  writeFileAtomic(last / "state.json", state.dump());
  o.resume = true;
  try {
    trainJob(o, meta::parseJobSpec("convnext_atto/0", "--job"));
    FAIL() << "resume accepted features the checkpoint was not trained on";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("hop = 256"), std::string::npos) << e.what();
  }
}

TEST(Train, CommandLineReadsTheTrainSectionAndMapsBadOptionsToUsage) {
  const fs::path dir = testing::scratchDir();
  const fs::path work = workCopy(dir);
  const std::string base = quickTrainCommand(dir, work, "no-augment = true\n");
  auto ok = testing::run(base + " --job efficientnet_b0/1");
  ASSERT_EQ(ok.code, 0) << ok.output;
  auto metrics = meta::readMetricsCsv(work / "models/efficientnet_b0-f1/metrics.csv");
  ASSERT_EQ(metrics.size(), 1u);  // epochs = 1 from the config
  EXPECT_EQ(metrics[0].step, 1);  // max-steps-per-epoch = 1
  EXPECT_EQ(readState(*checkpointDir(work / "models/efficientnet_b0-f1", "last")).config.augment, false);

  auto badJob = testing::run(base + " --job efficientnet_b0");
  EXPECT_EQ(badJob.code, 2) << badJob.output;
  EXPECT_NE(badJob.output.find("BACKBONE/FOLD"), std::string::npos) << badJob.output;
  auto badBackbone = testing::run(base + " --job resnet9/0");
  EXPECT_EQ(badBackbone.code, 2) << badBackbone.output;
}

TEST(Train, ResumeRefusesAChangedAugmentationAndNamesIt) {
  const fs::path work = workCopy(testing::scratchDir());
  TrainOptions o = tinyOptions(work, 3);
  o.stopAfter = 1;
  o.maxStepsPerEpoch = 1;
  trainJob(o, meta::parseJobSpec("convnext_atto/0", "--job"));
  o.resume = true;
  o.augmentations.gain.on = false;  // the one change
  try {
    trainJob(o, meta::parseJobSpec("convnext_atto/0", "--job"));
    FAIL() << "resume accepted a run with the gain augmentation switched off";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("augmentations.gain.on: true in the checkpoint, false now"), std::string::npos) << what;
    EXPECT_EQ(what.find("freq_mask"), std::string::npos) << "names options that did not change: " << what;
  }
  // The master switch resolves into every augmentation, so turning it off is refused as well.
  o.augmentations = dataset::AugmentOptions();
  o.augment = false;
  EXPECT_THROW(trainJob(o, meta::parseJobSpec("convnext_atto/0", "--job")), UsageError);
  // With the same options the job continues (stopAfter is not part of the config).
  o.augment = true;
  o.stopAfter = 0;
  EXPECT_EQ(trainJob(o, meta::parseJobSpec("convnext_atto/0", "--job")).epochs, 3);
}

TEST(Train, ConfigResolvesTheMasterSwitchAndEveryTechnique) {
  TrainOptions o;
  o.augmentations.freqMask.p = 0.25;
  o.crop.mode = dataset::CropMode::Random;
  o.rareRepeats = 3;
  o.layerDecay = "0.75";
  json on = toJson(jobConfig(o, meta::parseJobSpec("convnext_atto/2", "--job"), 10, 1));
  EXPECT_EQ(on.at("augmentations").at("freq_mask").at("p"), 0.25);
  EXPECT_EQ(on.at("augmentations").at("roll").at("on"), true);
  EXPECT_EQ(on.at("crop").at("mode"), "random");
  EXPECT_EQ(on.at("rare_repeats"), 3);
  EXPECT_EQ(on.at("layer_decay"), 0.75);
  o.augment = false;
  json off = toJson(jobConfig(o, meta::parseJobSpec("convnext_atto/2", "--job"), 10, 1));
  for (const char* a : {"roll", "coloured_noise", "background", "gain", "freq_mask", "time_mask"})
    EXPECT_EQ(off.at("augmentations").at(a).at("on"), false) << a;
  // Layer decay: auto is on with pretrained weights only; a number wins either way.
  TrainOptions layers;
  EXPECT_EQ(toJson(jobConfig(layers, meta::parseJobSpec("convnext_atto/2", "--job"), 10, 1)).at("layer_decay"), 1.0);
  EXPECT_EQ(layers.layerDecayFor(true), kPretrainedLayerDecay);
  EXPECT_EQ(layers.layerDecayFor(false), 1.0);
  layers.layerDecay = "0.9";
  EXPECT_EQ(layers.layerDecayFor(true), 0.9);
  EXPECT_EQ(layers.layerDecayFor(false), 0.9);
  for (const char* v : {"fast", "1.5", "0", "0.9x"}) {
    layers.layerDecay = v;
    EXPECT_THROW(layers.validate(), UsageError) << v;
  }
  // Bad values are usage errors naming the option.
  TrainOptions bad;
  bad.augmentations.gain.p = 1.5;
  EXPECT_THROW(bad.validate(), UsageError);
  bad = TrainOptions();
  bad.augmentations.noiseSnrMin = 40;
  EXPECT_THROW(bad.validate(), UsageError);
  bad = TrainOptions();
  bad.rareRepeats = 0;
  EXPECT_THROW(bad.validate(), UsageError);
  bad = TrainOptions();
  bad.crop.jitterSeconds = -1;
  EXPECT_THROW(bad.validate(), UsageError);
}

// Each technique's switch, through the real binary: flags and the [train] section of a config land
// in the checkpoint's resolved config; --help names every switch.
TEST(Train, CommandLineSwitchesReachTheCheckpoint) {
  const fs::path dir = testing::scratchDir();
  const fs::path work = workCopy(dir);
  const std::string base = quickTrainCommand(dir, work, "gain = false\ntime-mask-p = 0.125\ncrop = \"random\"\n");
  auto ok = testing::run(base + " --job convnext_atto/1 --no-roll --coloured-noise-p 0.2 --noise-snr-min 5 "
                                "--noise-snr-max 20 --no-background --background-snr-min 1 --gain-db 6 --freq-mask-bins 8 "
                                "--time-mask-frames 10 --crop-jitter 0.5 --rare-repeats 2 --layer-decay 1 "
                                "--secondary-target 0.25 --loss bce");
  ASSERT_EQ(ok.code, 0) << ok.output;
  json c = toJson(readState(*checkpointDir(work / "models/convnext_atto-f1", "last")).config);
  const json& a = c.at("augmentations");
  EXPECT_EQ(a.at("roll").at("on"), false);
  EXPECT_EQ(a.at("coloured_noise").at("on"), true);
  EXPECT_EQ(a.at("coloured_noise").at("p"), 0.2);
  EXPECT_EQ(a.at("coloured_noise").at("snr_db"), json::array({5.0, 20.0}));
  EXPECT_EQ(a.at("background").at("on"), false);
  EXPECT_EQ(a.at("background").at("snr_db"), json::array({1.0, 30.0}));
  EXPECT_EQ(a.at("gain").at("on"), false);  // from the config file
  EXPECT_EQ(a.at("gain").at("db"), 6.0);
  EXPECT_EQ(a.at("freq_mask").at("on"), true);
  EXPECT_EQ(a.at("freq_mask").at("bins"), 8);
  EXPECT_EQ(a.at("time_mask").at("p"), 0.125);  // from the config file
  EXPECT_EQ(a.at("time_mask").at("frames"), 10);
  EXPECT_EQ(c.at("crop").at("mode"), "random");  // from the config file
  EXPECT_EQ(c.at("crop").at("jitter_seconds"), 0.5);
  EXPECT_EQ(c.at("crop").at("avoid_lead"), true);
  EXPECT_EQ(c.at("rare_repeats"), 2);
  EXPECT_EQ(c.at("layer_decay"), 1.0);
  EXPECT_EQ(c.at("secondary_target"), 0.25);
  EXPECT_EQ(c.at("loss"), "bce");

  auto badP = testing::run(base + " --job convnext_atto/1 --gain-p 2");
  EXPECT_EQ(badP.code, 2) << badP.output;
  EXPECT_NE(badP.output.find("gain probability"), std::string::npos) << badP.output;
  auto badCrop = testing::run(base + " --job convnext_atto/1 --crop middle");
  EXPECT_EQ(badCrop.code, 2) << badCrop.output;

  auto help = testing::run(testing::chorusBinary() + " train --help");
  ASSERT_EQ(help.code, 0) << help.output;
  for (const char* flag : {"--loss", "--crop ", "--crop-jitter", "--augment,--no-augment", "--roll,--no-roll", "--roll-p",
                           "--coloured-noise,--no-coloured-noise", "--coloured-noise-p", "--noise-snr-min", "--noise-snr-max",
                           "--background,--no-background", "--background-p", "--background-snr-min", "--background-snr-max",
                           "--gain,--no-gain", "--gain-p", "--gain-db", "--freq-mask,--no-freq-mask", "--freq-mask-p",
                           "--freq-mask-bins", "--time-mask,--no-time-mask", "--time-mask-p", "--time-mask-frames",
                           "--layer-decay", "--rare-repeats", "--secondary-target", "--ema-decay"})
    EXPECT_NE(help.output.find(flag), std::string::npos) << flag << " missing from chorus train --help";
}

// --ema-decay: 3 epochs of one step each, so that every epoch's checkpoint of a run without the
// average holds the training weights after one more step. The average's run keeps (weights.pt)
// exactly what an EMA computed here from those weights gives, parameters and BatchNorm statistics
// alike (efficientnet_b0 has BatchNorms), and its training weights are the run without it's.
TEST(Ema, KeptWeightsAreTheMovingAverageOfTheTrainingWeights) {
  const fs::path dir = testing::scratchDir();
  const double decay = 0.6;
  auto options = [](const fs::path& work) {
    TrainOptions o = tinyOptions(work, 3);
    o.job = "efficientnet_b0/0", o.maxStepsPerEpoch = 1, o.warmupEpochs = 0;
    return o;
  };
  const meta::Job job = meta::parseJobSpec("efficientnet_b0/0", "--job");
  TrainOptions plain = options(workCopy(dir / "plain"));
  std::vector<model::NamedTensors> steps;  // the training weights before step 1, after step 1, 2, 3
  torch::manual_seed(plain.seed);  // the trainer's initial weights: the seed, then the model
  model::NamedTensors initial;
  for (const auto& [name, t] : model::namedState(*model::makeModel(plain.modelFor("efficientnet_b0", 3))))
    initial[name] = t.clone();
  steps.push_back(initial);
  plain.stopAfter = 1;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    trainJob(plain, job);
    plain.resume = true;
    const fs::path last = *checkpointDir(plain.work / "models/efficientnet_b0-f0", "last");
    EXPECT_FALSE(fs::exists(last / "train_weights.pt")) << "off: the checkpoint is as it was";
    EXPECT_FALSE(toJson(readState(last).config).contains("ema_decay"));
    steps.push_back(model::readTensorFile(last / "weights.pt"));
  }
  TrainOptions ema = options(workCopy(dir / "ema"));
  ema.emaDecay = decay;
  trainJob(ema, job);
  const fs::path last = *checkpointDir(ema.work / "models/efficientnet_b0-f0", "last");
  EXPECT_EQ(readState(last).config.emaDecay, decay);
  const auto kept = model::readTensorFile(last / "weights.pt"), trained = model::readTensorFile(last / "train_weights.pt");
  model::NamedTensors reference = steps[0];
  for (size_t k = 1; k < steps.size(); ++k)
    for (auto& [name, t] : reference)
      t = t.is_floating_point() ? decay * t + (1 - decay) * steps[k].at(name) : steps[k].at(name);
  double worst = 0, moved = 0;
  ASSERT_EQ(kept.size(), reference.size());
  for (const auto& [name, t] : reference) {
    ASSERT_TRUE(kept.count(name)) << name;
    EXPECT_TRUE(torch::equal(trained.at(name), steps.back().at(name))) << name << ": the average changed training";
    if (!t.is_floating_point()) {
      EXPECT_TRUE(torch::equal(kept.at(name), t)) << name;
      continue;
    }
    worst = std::max(worst, (kept.at(name) - t).abs().max().item<double>());
    moved = std::max(moved, (kept.at(name) - steps.back().at(name)).abs().max().item<double>());
  }
  EXPECT_LE(worst, 1e-6) << "the kept weights are not the moving average";
  EXPECT_GT(moved, 1e-4) << "the kept weights are the last step's, not an average";
  std::cout << "EMA: max |kept - reference| " << worst << ", max |kept - last training weights| " << moved << "\n";
  EXPECT_GT(kept.count("backbone.bn1.running_mean"), 0u);  // the statistics are among what is averaged
}

}  // namespace chorus::train
