// The prediction API on real audio and real checkpoints: synth soundscapes (plus a short and a
// long one), their feature store, and freshly initialised ConvNeXt-Atto models saved as training
// checkpoints. Windows and row ids, determinism, store vs audio, a model trained on other
// features (recomputed or refused), the time budget's dropping, and the HDF5 round trip.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "audio/audio_writer.hpp"
#include "core/error.hpp"
#include "dataset/normalisation.hpp"
#include "dist/mpi_context.hpp"
#include "infer/ensemble_impl.hpp"
#include "infer/torch/torch_engine.hpp"
#include "infer/predict.hpp"
#include "model/classifier.hpp"
#include "stages/features.hpp"
#include "stages/prep.hpp"
#include "stages/synth.hpp"
#include "store/feature_store.hpp"
#include "test_util.hpp"
#include "train/checkpoint_dir.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {

// 3 species; 2 synth test soundscapes (60 s), a 7 s and a 63 s one; the test_soundscapes store.
const fs::path& tinyRoot() {
  static const fs::path root = [] {
    fs::path r = fs::temp_directory_path() / "chorus-tests" / ("infer-data-" + std::to_string(::getpid()));
    fs::remove_all(r);
    stages::SynthOptions synth;
    synth.out = r / "data";
    synth.solution = r / "solution.csv";
    synth.species = 3, synth.trainClips = 6, synth.trainSoundscapes = 1, synth.testSoundscapes = 2;
    stages::runSynth(synth);
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.f, 0.05f);
    for (auto [name, seconds] : {std::pair<const char*, int>{"short_clip.ogg", 7}, {"long_clip.ogg", 63}}) {
      std::vector<float> samples(size_t(seconds) * 32000);
      for (size_t i = 0; i < samples.size(); ++i)
        samples[i] = noise(rng) + 0.3f * float(std::sin(0.2 * double(i))) * float((i / 32000) % 2);
      audio::writeAudio(r / "data" / "test_soundscapes" / name, samples, {});
    }
    stages::PrepOptions prep;
    prep.data = r / "data", prep.work = r / "work", prep.folds = 2;
    stages::runPrep(prep);
    static dist::MpiContext mpi;
    stages::FeaturesOptions features;
    features.data = r / "data", features.work = r / "work", features.set = "test_soundscapes";
    features.dtype = store::MelDtype::Float32;
    stages::runFeatures(features, mpi);
    return r;
  }();
  return root;
}

// Fresh BatchNorms are the identity (mean 0, var 1, scale 1, shift 0), under which folding them
// into their convolutions could be wrong and still agree; trained ones are not.
void giveBatchNormsTrainedValues(torch::nn::Module& net) {
  torch::NoGradGuard noGrad;
  for (const auto& m : net.modules()) {
    if (auto* bn = m->as<torch::nn::BatchNorm2dImpl>()) {
      bn->running_mean.normal_(0.0, 0.2);
      bn->running_var.uniform_(0.5, 2.0);
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.normal_(0.0, 0.2);
    }
  }
}

// A freshly initialised model saved as a training checkpoint under models/<name>/.
fs::path makeCheckpoint(const fs::path& models, const std::string& name, int fold, uint64_t seed,
                        const audio::MelOptions& mel, const std::string& backbone = "convnext_atto",
                        bool trainedBatchNorm = false) {
  model::ModelOptions mo;
  mo.backbone = backbone;
  mo.numClasses = 3;
  torch::manual_seed(seed);
  model::Classifier net = model::makeModel(mo);
  if (trainedBatchNorm) giveBatchNormsTrainedValues(*net);
  torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(1e-3));
  train::TrainState state;
  state.epoch = 1;
  state.features = mel.describe();
  for (const auto& [k, v] : dataset::Normalisation{}.describe()) state.features[k] = v;
  state.config.backbone = backbone, state.config.head = mo.head, state.config.fold = fold;
  state.config.dropRate = mo.dropRate, state.config.dropPathRate = mo.dropPathRate;
  state.config.layerScaleInit = mo.layerScaleInit;
  train::saveCheckpoint(models / name, {"last", "best"}, state, *net, optimizer);
  return models / name;
}

// The torch engine: these tests are about the prediction loop and the torch model's own options
// (engine_parity_test.cpp holds OpenVINO against it).
EnsembleOptions ensembleOptions() {
  EnsembleOptions o;
  o.engine = "torch";
  o.threads = 1;
  o.species = tinyRoot() / "work" / "meta" / "species_list.csv";
  return o;
}

fs::path scratch(const std::string& name) {
  fs::path d = testing::scratchDir() / ("infer-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(Predict, WindowsRowIdsAndDeterminism) {
  const fs::path models = scratch("models1") / "models";
  makeCheckpoint(models, "convnext_atto-f0", 0, 1, {});
  makeCheckpoint(models, "convnext_atto-f1", 1, 2, {});
  const auto dirs = modelDirs(models);
  ASSERT_EQ(dirs.size(), 2u);
  const Ensemble e = Ensemble::load(dirs, ensembleOptions());
  EXPECT_EQ(e.featureGroups(), 1u);
  EXPECT_EQ(e.info(1).fold, 1);
  const auto scapes = listSoundscapes(tinyRoot() / "data" / "test_soundscapes");
  ASSERT_EQ(scapes.size(), 4u);  // the two synth ones (BC2026_...), long_clip, short_clip: sorted by name
  PredictOptions o;
  o.progress = false;
  const Predictions p = predict(e, scapes, o);
  EXPECT_TRUE(p.failures.empty());
  // 12 + 12 + 13 + 2 windows, in input order.
  ASSERT_EQ(p.rows(), 39u);
  EXPECT_EQ(p.rowIds[0], fs::path(scapes[0].id).stem().string() + "_5");
  EXPECT_EQ(p.rowIds[11], fs::path(scapes[0].id).stem().string() + "_60");
  EXPECT_EQ(p.soundscapeOf[15], scapes[1].id);
  EXPECT_EQ(p.rowIds[24], "long_clip_5");
  EXPECT_EQ(p.rowIds[36], "long_clip_65");
  EXPECT_EQ(p.rowIds[37], "short_clip_5");
  EXPECT_EQ(p.rowIds[38], "short_clip_10");
  EXPECT_EQ(p.models, (std::vector<std::string>{"convnext_atto-f0", "convnext_atto-f1"}));
  EXPECT_EQ(p.tta, defaultTta());
  ASSERT_EQ(p.logits.size(), 2u * 39u * 3u);
  for (float v : p.logits) ASSERT_TRUE(std::isfinite(v));
  EXPECT_NE(p.logit(0, 20, 0), p.logit(1, 20, 0));  // two different models
  EXPECT_NE(p.logit(0, 20, 0), p.logit(0, 21, 0));  // windows differ
  const Predictions again = predict(e, scapes, o);
  EXPECT_EQ(again.logits, p.logits);

  // The HDF5 round trip keeps everything.
  const fs::path h5 = models.parent_path() / "p.h5";
  writePredictions(h5, p);
  const Predictions back = readPredictions(h5);
  EXPECT_EQ(back.logits, p.logits);
  EXPECT_EQ(back.rowIds, p.rowIds);
  EXPECT_EQ(back.models, p.models);
  EXPECT_EQ(back.folds, p.folds);
  EXPECT_EQ(back.tta, p.tta);
}

// The defaults (channels-last weights, BatchNorms folded into their convolutions) against the plain
// model, on EfficientNet-B0 with non-identity BatchNorms and on ConvNeXt-Atto.
TEST(Predict, ChannelsLastAndFoldedBatchNormGiveTheSameLogits) {
  const fs::path models = scratch("models5") / "models";
  makeCheckpoint(models, "efficientnet_b0-f0", 0, 9, {}, "efficientnet_b0", /*trainedBatchNorm=*/true);
  makeCheckpoint(models, "convnext_atto-f0", 0, 10, {});
  auto scapes = listSoundscapes(tinyRoot() / "data" / "test_soundscapes");
  scapes.resize(1);
  PredictOptions o;
  o.progress = false;
  o.tta = {"orig", "reverse"};
  EnsembleOptions plain = ensembleOptions();
  plain.channelsLast = false, plain.foldBatchNorm = false;
  const Ensemble fast = Ensemble::load(modelDirs(models), ensembleOptions());
  ASSERT_TRUE(ensembleOptions().channelsLast && ensembleOptions().foldBatchNorm);  // the defaults
  // The stem's 1-channel weight really is NHWC-strided (contiguous(ChannelsLast) would leave it NCHW).
  ASSERT_EQ(fast.info(1).backbone, "efficientnet_b0");
  const model::Classifier* b0net = torchNetOf(*fast.impl().engines[1]);
  ASSERT_NE(b0net, nullptr);
  const auto b0 = (*b0net)->named_parameters();
  EXPECT_EQ(b0["backbone.conv_stem.weight"].stride(1), 1);
  EXPECT_TRUE(b0.contains("backbone.conv_stem.bias"));  // folded: the stem conv gained a bias
  const Predictions a = predict(Ensemble::load(modelDirs(models), plain), scapes, o);
  const Predictions b = predict(fast, scapes, o);
  ASSERT_EQ(a.logits.size(), b.logits.size());
  double largest = 0;
  for (size_t j = 0; j < a.logits.size(); ++j) {
    ASSERT_NEAR(a.logits[j], b.logits[j], 1e-4) << j;
    largest = std::max(largest, std::abs(double(a.logits[j])));
  }
  EXPECT_GT(largest, 1e-3);  // not all near zero
}

// Every BatchNorm of both EfficientNets folds (each conv+BN pair is adjacent in registration order;
// timm counts 49 in tf_efficientnet_b0 and 59 in tf_efficientnetv2_b0), and the output stays within
// float rounding.
TEST(Predict, FoldingEfficientNetBatchNormsKeepsItsOutput) {
  for (const auto& [backbone, batchNorms] : {std::pair<std::string, int>{"efficientnet_b0", 49}, {"efficientnetv2_b0", 59}}) {
    model::ModelOptions mo;
    mo.backbone = backbone;
    mo.numClasses = 3;
    torch::manual_seed(11);
    model::Classifier net = model::makeModel(mo);
    giveBatchNormsTrainedValues(*net);
    net->eval();
    c10::InferenceMode inference;
    const torch::Tensor x = torch::randn({2, 1, 128, 313});
    const torch::Tensor before = net->forward(x);
    EXPECT_EQ(foldBatchNorms(*net), batchNorms) << backbone;
    EXPECT_EQ(foldBatchNorms(*net), 0) << backbone;  // already folded
    const torch::Tensor after = net->forward(x);
    EXPECT_LT((after - before).abs().max().item<float>(), 1e-4) << backbone;
    EXPECT_GT(before.abs().max().item<float>(), 1e-2) << backbone;
  }
}

TEST(Predict, TtaAveragesTheVariantsOfEachWindow) {
  const fs::path models = scratch("models2") / "models";
  makeCheckpoint(models, "convnext_atto-f0", 0, 3, {});
  const Ensemble e = Ensemble::load(modelDirs(models), ensembleOptions());
  auto scapes = listSoundscapes(tinyRoot() / "data" / "test_soundscapes");
  scapes.resize(1);
  PredictOptions o;
  o.progress = false;
  std::vector<Predictions> single;
  for (const auto& v : defaultTta()) {
    o.tta = {v};
    single.push_back(predict(e, scapes, o));
  }
  o.tta = defaultTta();
  const Predictions all = predict(e, scapes, o);
  for (size_t i = 1; i < single.size(); ++i) EXPECT_NE(single[i].logits, single[0].logits) << defaultTta()[i];
  for (size_t j = 0; j < all.logits.size(); ++j) {
    double mean = 0;
    for (const auto& s : single) mean += s.logits[j] / double(single.size());
    ASSERT_NEAR(all.logits[j], mean, 1e-4);
  }
}

TEST(Predict, StoreMatchesAudioAndOtherFeaturesAreRecomputedOrRefused) {
  const fs::path models = scratch("models3") / "models";
  makeCheckpoint(models, "convnext_atto-f0", 0, 4, {});
  audio::MelOptions other;
  other.nMels = 64;
  makeCheckpoint(models, "convnext_atto-f1", 1, 5, other);
  const Ensemble e = Ensemble::load(modelDirs(models), ensembleOptions());
  EXPECT_EQ(e.featureGroups(), 2u);
  auto scapes = listSoundscapes(tinyRoot() / "data" / "test_soundscapes");
  PredictOptions fromAudio;
  fromAudio.progress = false;
  fromAudio.tta = {"orig"};
  const Predictions a = predict(e, scapes, fromAudio);
  PredictOptions fromStore = fromAudio;
  fromStore.store = tinyRoot() / "work" / "features" / "test_soundscapes.h5";
  const Predictions s = predict(e, scapes, fromStore);  // model f1 recomputes its 64-mel log-mel
  ASSERT_EQ(s.logits.size(), a.logits.size());
  for (size_t j = 0; j < a.logits.size(); ++j) ASSERT_NEAR(s.logits[j], a.logits[j], 1e-3) << j;

  // Without audio the model on other features is refused, naming the parameter.
  for (auto& sc : scapes) sc.audio.clear();
  try {
    predict(e, scapes, fromStore);
    FAIL() << "expected an InputError";
  } catch (const InputError& err) {
    EXPECT_NE(std::string(err.what()).find("n_mels"), std::string::npos) << err.what();
    EXPECT_NE(std::string(err.what()).find("convnext_atto-f1"), std::string::npos) << err.what();
  }
}

TEST(Predict, TinyTimeBudgetDropsVariantsThenModelsConsistently) {
  const fs::path models = scratch("models4") / "models";
  makeCheckpoint(models, "convnext_atto-f0", 0, 6, {});
  makeCheckpoint(models, "convnext_atto-f1", 1, 7, {});
  const Ensemble e = Ensemble::load(modelDirs(models), ensembleOptions());
  const auto scapes = listSoundscapes(tinyRoot() / "data" / "test_soundscapes");
  PredictOptions o;
  o.progress = false;
  o.timeBudgetSeconds = 1e-3;
  o.calibrate = 1;
  const Predictions p = predict(e, scapes, o);
  EXPECT_EQ(p.tta, (std::vector<std::string>{"orig"}));
  EXPECT_EQ(p.droppedTta, (std::vector<std::string>{"gain-3", "gain+3", "reverse"}));
  EXPECT_EQ(p.models, (std::vector<std::string>{"convnext_atto-f0"}));
  EXPECT_EQ(p.droppedModels, (std::vector<std::string>{"convnext_atto-f1"}));
  EXPECT_GT(p.projectedSeconds, 0);
  // Every row, the calibration soundscape's included, is model f0 with "orig" only.
  PredictOptions plain;
  plain.progress = false;
  plain.tta = {"orig"};
  const Ensemble one = Ensemble::load({models / "convnext_atto-f0"}, ensembleOptions());
  const Predictions q = predict(one, scapes, plain);
  ASSERT_EQ(p.logits.size(), q.logits.size());
  EXPECT_EQ(p.rowIds, q.rowIds);
  for (size_t j = 0; j < q.logits.size(); ++j) ASSERT_NEAR(p.logits[j], q.logits[j], 1e-4) << j;
}

TEST(Predict, BrokenSoundscapeIsNamedAndTheRestCarriesOn) {
  const fs::path dir = scratch("broken");
  const fs::path models = dir / "models";
  makeCheckpoint(models, "convnext_atto-f0", 0, 8, {});
  const Ensemble e = Ensemble::load(modelDirs(models), ensembleOptions());
  auto scapes = listSoundscapes(tinyRoot() / "data" / "test_soundscapes");
  scapes.resize(2);
  {
    std::ofstream bad(dir / "broken.ogg");
    bad << "not audio";
  }
  scapes.insert(scapes.begin() + 1, Soundscape{"broken.ogg", dir / "broken.ogg", 60});
  PredictOptions o;
  o.progress = false;
  o.tta = {"orig"};
  const Predictions p = predict(e, scapes, o);
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_EQ(p.failures[0].id, "broken.ogg");
  EXPECT_NE(p.failures[0].reason.find("broken.ogg"), std::string::npos) << p.failures[0].reason;
  EXPECT_EQ(p.rows(), 24u);  // the two good ones
}

}  // namespace chorus::infer
