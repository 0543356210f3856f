// The checkpoint's recorded configuration (train/job_config.hpp): every field survives a round
// trip through state.json; a key removed from an older or edited state.json is refused by name,
// with the file; the sections a switch adds read back as absent when they were never written.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "model/classifier.hpp"
#include "test_util.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/job_config.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Every field away from a default JobConfig's value, the optional sections present.
JobConfig everyFieldSet() {
  JobConfig c;
  c.backbone = "efficientnetv2_b0", c.head = "pooled", c.fold = 3;
  c.dropRate = 0.2, c.dropPathRate = 0.1, c.layerScaleInit = 0.5;
  c.loss = model::LossKind::Bce, c.gammaNeg = 2, c.gammaPos = 1, c.clip = 0.01;
  c.epochs = 7, c.batchSize = 16, c.stepsPerEpoch = 99;
  c.lr = 3e-4, c.minLr = 1e-7, c.warmupEpochs = 0.5, c.weightDecay = 0.05, c.layerDecay = 0.8, c.gradClip = 2;
  c.patience = 4, c.secondaryTarget = 0.3, c.augment = true;
  dataset::AugmentOptions& a = c.augmentations;
  a.roll = {false, 0.9}, a.colouredNoise = {false, 0.1}, a.background = {false, 0.2};
  a.gain = {false, 0.4}, a.freqMask = {false, 0.6}, a.timeMask = {false, 0.7};
  a.noiseSnrMin = 4, a.noiseSnrMax = 25, a.noiseBetaMin = 0.5, a.noiseBetaMax = 1.5;
  a.backgroundSnrMin = 5, a.backgroundSnrMax = 20, a.gainDb = 6, a.freqMaskBins = 12, a.timeMaskFrames = 30;
  c.crop.mode = dataset::CropMode::Random, c.crop.jitterSeconds = 0.25, c.crop.avoidLead = false;
  c.rareRepeats = 3, c.seed = 1234567890123ull, c.threads = 2, c.world = 4;
  c.pseudo = JobConfig::Pseudo{"/w/pseudo/r1", 0.5, 2};
  c.distil = JobConfig::Distil{"/w/teacher.h5", 0.3, 2, 0.1};
  c.backboneWeights = JobConfig::Weights{"/m/model.safetensors", "ab12"};
  return c;
}

void flatten(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
  if (!j.is_object()) {
    out[prefix] = j;
    return;
  }
  for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
}

// A checkpoint folder with `config` in its state.json, then `edit` applied to that file's JSON.
fs::path checkpointWith(const JobConfig& config, const std::function<void(json&)>& edit) {
  const fs::path job = testing::scratchDir() / "job";
  model::ModelOptions mo;
  mo.backbone = "convnext_atto", mo.numClasses = 3;
  model::Classifier net = model::makeModel(mo);  // saveCheckpoint writes timm's names too: a real model
  torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(1e-3));
  TrainState state;
  state.epoch = 1;
  state.config = config;
  saveCheckpoint(job, {"last"}, state, *net, optimizer);
  const fs::path dir = *checkpointDir(job, "last");
  json j = json::parse(readTextFile(dir / "state.json"));
  edit(j);
  writeFileAtomic(dir / "state.json", j.dump(1));
  return dir;
}

std::string refusal(const fs::path& dir) {
  try {
    readState(dir);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST(JobConfig, EveryFieldSurvivesTheRoundTripThroughStateJson) {
  const JobConfig c = everyFieldSet();
  std::map<std::string, json> set, plain;
  flatten(toJson(c), "", set);
  flatten(toJson(JobConfig{}), "", plain);
  EXPECT_EQ(set.size(), 56u);  // every leaf of the format, the optional sections' 9 included
  for (const auto& [key, value] : set) {  // each field is written, from its own member
    if (!plain.count(key)) continue;
    EXPECT_NE(value, plain.at(key)) << key << " is not written from its field";
  }

  const TrainState read = readState(checkpointWith(c, [](json&) {}));
  EXPECT_EQ(toJson(read.config), toJson(c));
  EXPECT_EQ(read.config.seed, c.seed);
  EXPECT_EQ(read.config.crop.mode, dataset::CropMode::Random);
  EXPECT_EQ(read.config.loss, model::LossKind::Bce);
  EXPECT_EQ(read.config.augmentations.timeMaskFrames, 30);
  ASSERT_TRUE(read.config.backboneWeights.has_value());
  EXPECT_EQ(read.config.backboneWeights->sha256, "ab12");
}

TEST(JobConfig, AMissingKeyIsRefusedNamingTheKeyAndTheFile) {
  for (const char* key : {"lr", "crop.jitter_seconds", "augmentations.time_mask.frames", "world"}) {
    SCOPED_TRACE(key);
    const std::string k = key;
    const fs::path dir = checkpointWith(everyFieldSet(), [&](json& j) {
      json* at = &j["config"];
      std::string rest = k;
      for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.'))
        at = &(*at)[rest.substr(0, dot)], rest = rest.substr(dot + 1);
      at->erase(rest);
    });
    const std::string what = refusal(dir);
    EXPECT_NE(what.find((dir / "state.json").string()), std::string::npos) << what;
    EXPECT_NE(what.find("key '" + k + "' is missing"), std::string::npos) << what;
  }
  const fs::path typed = checkpointWith(everyFieldSet(), [](json& j) { j["config"]["lr"] = "fast"; });
  EXPECT_NE(refusal(typed).find("key 'lr' has the wrong type"), std::string::npos) << refusal(typed);
  const fs::path mode = checkpointWith(everyFieldSet(), [](json& j) { j["config"]["crop"]["mode"] = "middle"; });
  EXPECT_NE(refusal(mode).find("'crop.mode' is 'middle'"), std::string::npos) << refusal(mode);
}

TEST(JobConfig, SectionsOfSwitchesThatWereOffReadAsAbsent) {
  JobConfig c = everyFieldSet();
  c.pseudo.reset(), c.distil.reset(), c.backboneWeights.reset();
  const json j = toJson(c);
  for (const char* key : {"pseudo", "distil", "backbone_weights"}) EXPECT_FALSE(j.contains(key)) << key;
  const TrainState read = readState(checkpointWith(c, [](json&) {}));
  EXPECT_FALSE(read.config.pseudo || read.config.distil || read.config.backboneWeights);
  // A section that is there must be whole.
  const fs::path half = checkpointWith(everyFieldSet(), [](json& j) { j["config"]["pseudo"].erase("p"); });
  EXPECT_NE(refusal(half).find("key 'pseudo.p' is missing"), std::string::npos) << refusal(half);
}

}  // namespace chorus::train
