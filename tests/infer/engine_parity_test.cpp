// The OpenVINO engine against the libtorch one, on trained models (a short real training run of
// every native backbone x head on the tiny synthetic set) and recordings (log-mels of
// ../shared/real_audio files, or of the committed synthesised audio where ../shared is absent,
// through the whole prediction path): f32 clip logits within 1e-3.
// Also: the IR written beside the checkpoint and reused, `export`, bf16 refused or run as the CPU
// allows, and the engine choice rules. Skipped (77 / GTEST_SKIP) in a build without OpenVINO.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <random>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "dist/mpi_context.hpp"
#include "infer/engine.hpp"
#include "infer/export.hpp"
#include "infer/predict.hpp"
#include "ovengine/runtime.hpp"
#include "test_util.hpp"
#include "train/tiny_train_data.hpp"
#include "train/train.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {

const fs::path& tinyData() {
  static dist::MpiContext mpi;
  return testing::tinyTrainData(mpi);
}

// WORK with the tiny data's meta/features and one model, BACKBONE-f0, trained for 4 steps (batch 4)
// with `head`: BatchNorm statistics, weights and head all moved away from their initial values.
fs::path trainedWork(const std::string& backbone, const std::string& head) {
  const fs::path dir = fs::temp_directory_path() / "chorus-tests" / ("engine-" + backbone + "-" + head + "-" +
                                                                      std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path work = testing::tinyTrainWork(tinyData(), dir);
  train::TrainOptions o;
  o.data = tinyData() / "data";
  o.work = work;
  o.job = backbone + "/0";
  o.model.head = head;
  o.epochs = 1, o.batchSize = 4, o.evalBatchSize = 16, o.maxStepsPerEpoch = 4, o.warmupEpochs = 0;
  o.lr = 1e-3, o.threads = 2, o.device = "cpu";
  const auto results = train::runTrain(o);
  EXPECT_EQ(results.size(), 1u);
  return work;
}

bool haveRealRecordings() { return fs::exists(fs::path(CHORUS_REAL_AUDIO) / "opensoundscape_1min.wav"); }

// Three real recordings: a 60 s soundscape (12 windows), a BirdNET example soundscape, a short robin
// clip. Where ../shared is absent, the committed synthesised audio (tools/make_audio_fixtures.py): a
// 30 s Vorbis soundscape (6 windows), a 4 s clip and a 0.3 s 16 kHz stereo Opus file.
std::vector<Soundscape> recordings() {
  std::vector<Soundscape> out;
  if (haveRealRecordings()) {
    for (const char* name : {"opensoundscape_1min.wav", "birdnet_soundscape.ogg", "librosa_robin_456440.hq.ogg"})
      out.push_back({name, fs::path(CHORUS_REAL_AUDIO) / name, 0});
  } else {
    const fs::path synth = fs::path(CHORUS_FIXTURES) / "audio" / "synth";
    for (const char* name : {"soundscape_32k.ogg", "birds_32k.wav", "opus_16000_stereo.opus"})
      out.push_back({name, synth / name, 0});
  }
  for (auto& s : out) {
    const auto listed = listSoundscapes(s.audio.parent_path());
    for (const auto& l : listed)
      if (l.id == s.id) s.seconds = l.seconds;
  }
  return out;
}

EnsembleOptions options(const fs::path& work, const std::string& engine, const std::string& precision = "f32") {
  EnsembleOptions o;
  o.engine = engine, o.precision = precision;
  o.threads = 2;
  o.species = work / "meta" / "species_list.csv";
  return o;
}

Predictions predictWith(const fs::path& work, const std::string& engine, const std::string& precision = "f32") {
  const Ensemble e = Ensemble::load(modelDirs(work / "models"), options(work, engine, precision));
  EXPECT_EQ(e.engine(), engine);
  EXPECT_EQ(e.info(0).engine, engine);
  PredictOptions po;
  po.tta = {"orig", "reverse"};
  po.progress = false;
  return predict(e, recordings(), po);
}

struct Difference {
  double maxAbs = 0, largest = 0;
};

Difference compare(const Predictions& a, const Predictions& b) {
  EXPECT_EQ(a.logits.size(), b.logits.size());
  EXPECT_EQ(a.rowIds, b.rowIds);
  Difference d;
  for (size_t j = 0; j < a.logits.size() && j < b.logits.size(); ++j) {
    d.maxAbs = std::max(d.maxAbs, std::abs(double(a.logits[j]) - double(b.logits[j])));
    d.largest = std::max(d.largest, std::abs(double(a.logits[j])));
  }
  return d;
}

class EngineParity : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

}  // namespace

TEST_P(EngineParity, OpenVinoF32GivesTheTorchLogits) {
  if (!openVinoBuilt()) GTEST_SKIP() << "this build has no OpenVINO (tools/setup.sh installs the wheel)";
  const auto& [backbone, head] = GetParam();
  const fs::path work = trainedWork(backbone, head);
  const Predictions torchLogits = predictWith(work, "torch");
  const Predictions ov = predictWith(work, "openvino");
  ASSERT_FALSE(torchLogits.failures.size()) << torchLogits.failures[0].reason;
  // Real: 12 + the others' windows; synthesised: 6 + 1 + 1.
  EXPECT_GE(torchLogits.rows(), haveRealRecordings() ? 14u : 8u);
  const Difference d = compare(torchLogits, ov);
  std::cout << backbone << " + " << head << ": max |dlogit| " << d.maxAbs << " (largest |logit| " << d.largest << ")\n";
  EXPECT_LE(d.maxAbs, 1e-3);
  EXPECT_GT(d.largest, 1e-2);  // not a comparison of zeros

  // The IR sits beside the checkpoint and is reused, not rewritten, by the next load.
  const Ensemble e = Ensemble::load(modelDirs(work / "models"), options(work, "openvino"));
  const fs::path xml = e.info(0).dir / "model.xml";
  ASSERT_TRUE(fs::exists(xml) && fs::exists(e.info(0).dir / "model.bin"));
  const auto written = fs::last_write_time(xml);
  Ensemble::load(modelDirs(work / "models"), options(work, "openvino"));
  EXPECT_EQ(fs::last_write_time(xml), written);

  // bf16: run where the CPU has it (figures printed, no threshold), a clear error elsewhere.
  if (cpuSupportsBf16()) {
    const Difference b = compare(torchLogits, predictWith(work, "openvino", "bf16"));
    std::cout << backbone << " + " << head << " bf16: max |dlogit| " << b.maxAbs << "\n";
  } else {
    try {
      Ensemble::load(modelDirs(work / "models"), options(work, "openvino", "bf16"));
      ADD_FAILURE() << "bf16 accepted on a CPU without it";
    } catch (const UsageError& err) {
      EXPECT_NE(std::string(err.what()).find("does not support bf16"), std::string::npos) << err.what();
    }
  }
  fs::remove_all(work.parent_path());
}

INSTANTIATE_TEST_SUITE_P(EveryBackboneAndHead, EngineParity,
                         ::testing::Values(std::pair<std::string, std::string>{"efficientnet_b0", "sed"},
                                           std::pair<std::string, std::string>{"efficientnet_b0", "pooled"},
                                           std::pair<std::string, std::string>{"efficientnetv2_b0", "sed"},
                                           std::pair<std::string, std::string>{"efficientnetv2_b0", "pooled"},
                                           std::pair<std::string, std::string>{"convnext_atto", "sed"},
                                           std::pair<std::string, std::string>{"convnext_atto", "pooled"},
                                           // The larger backbones with one head each (the heads are covered above).
                                           std::pair<std::string, std::string>{"efficientnet_b3", "sed"},
                                           std::pair<std::string, std::string>{"efficientnetv2_s", "pooled"},
                                           std::pair<std::string, std::string>{"eca_nfnet_l0", "sed"}),
                         [](const auto& info) { return info.param.first + "_" + info.param.second; });

// `chorus export`'s library half: the IR written for every model, listed in WORK/infer/export.json;
// --force writes it again.
TEST(EngineExport, WritesTheIrBesideEachCheckpoint) {
  if (!openVinoBuilt()) GTEST_SKIP() << "this build has no OpenVINO";
  const fs::path work = trainedWork("convnext_atto", "sed");
  ExportOptions o;
  o.work = work;
  const auto exported = runExport(o);
  ASSERT_EQ(exported.size(), 1u);
  EXPECT_EQ(exported[0].name, "convnext_atto-f0");
  EXPECT_EQ(exported[0].ir, exported[0].checkpoint / "model.xml");
  EXPECT_TRUE(fs::exists(exported[0].checkpoint / "model.bin"));
  EXPECT_TRUE(fs::exists(exported[0].checkpoint / "model.safetensors"));  // the contract's weights file
  const auto report = nlohmann::json::parse(std::ifstream(work / "infer" / "export.json"));
  EXPECT_EQ(report.at(0).at("model"), "convnext_atto-f0");
  EXPECT_EQ(report.at(0).at("openvino"), openVinoVersion());
  o.format = "onnx";
  EXPECT_THROW(runExport(o), UsageError);
  fs::remove_all(work.parent_path());
}

// --format openvino-f16 (the Kaggle bundle's models): the same graph with f16 weights, half the
// bytes, and logits that move by the weights' rounding only.
TEST(EngineExport, F16WeightsHalveTheIrAndKeepTheLogits) {
  if (!openVinoBuilt()) GTEST_SKIP() << "this build has no OpenVINO";
  const fs::path work = trainedWork("efficientnet_b0", "pooled");
  ExportOptions o;
  o.work = work;
  o.format = "openvino-f16";
  const auto exported = runExport(o);
  ASSERT_EQ(exported.size(), 1u);
  const fs::path dir = exported[0].checkpoint;
  EXPECT_EQ(exported[0].ir, dir / "model-f16.xml");
  const double ratio = double(fs::file_size(dir / "model-f16.bin")) / double(fs::file_size(dir / "model.bin"));
  std::cout << "[ f16 IR   ] model-f16.bin / model.bin = " << ratio << "\n";
  EXPECT_NEAR(ratio, 0.5, 0.02);
  EXPECT_EQ(testing::temporariesUnder(dir), std::vector<std::string>{});  // save_model's folder moved out, removed
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> windows(6 * 64 * 157);
  for (auto& w : windows) w = normal(rng);
  std::vector<float> logits[2];
  int i = 0;
  for (const char* xml : {"model.xml", "model-f16.xml"}) {
    auto net = openvino::CompiledNet::load(dir / xml, {});
    logits[i++] = net->run(windows.data(), 6, 1, 64, 157);
  }
  ASSERT_EQ(logits[0].size(), logits[1].size());
  double maxAbs = 0, largest = 0;
  for (size_t j = 0; j < logits[0].size(); ++j) {
    maxAbs = std::max(maxAbs, std::abs(double(logits[0][j]) - double(logits[1][j])));
    largest = std::max(largest, std::abs(double(logits[0][j])));
  }
  std::cout << "[ f16 IR   ] max |dlogit| " << maxAbs << " (largest |logit| " << largest << ")\n";
  EXPECT_GT(maxAbs, 0.0);  // the weights were rounded: not the f32 file under another name
  EXPECT_LE(maxAbs, 2e-2 * std::max(1.0, largest));
  fs::remove_all(work.parent_path());
}

TEST(EngineChoice, AutoIsOpenVinoOnTheCpuAndTorchOnCuda) {
  EXPECT_EQ(resolveEngine("auto", "f32", /*cuda=*/true), "torch");
  EXPECT_EQ(resolveEngine("auto", "f32", false), openVinoBuilt() ? "openvino" : "torch");
  EXPECT_EQ(resolveEngine("torch", "f32", false), "torch");
  EXPECT_THROW(resolveEngine("torch", "bf16", false), UsageError);
  EXPECT_THROW(resolveEngine("openvino", "f32", true), UsageError);
  EXPECT_THROW(resolveEngine("onnx", "f32", false), UsageError);
  EXPECT_THROW(resolveEngine("auto", "f16", false), UsageError);
  if (!openVinoBuilt()) {
    EXPECT_THROW(resolveEngine("openvino", "f32", false), UsageError);
  }
}

}  // namespace chorus::infer
