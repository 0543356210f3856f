// The configuration a checkpoint records (state.json "config"): every option that shapes a job's
// weights, resolved. One typed struct, written and read in one place (job_config.cpp); train
// compares it on --resume (requireSameConfig), infer rebuilds the model from it.
//
// Reading is strict: every key must be there with its type, and a missing or mistyped one is an
// InputError naming the key and the file (a checkpoint from an older chorus that lacks a key is
// refused by name, never filled in with today's default). The one exception are the sections a
// switch adds, written only while the switch is on so that runs without it record what they
// always did: pseudo, distil, backbone_weights, ema_decay. Their absence means "off", which is also
// what every checkpoint from before the switch existed trained with.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "dataset/options.hpp"
#include "model/options.hpp"

namespace chorus::train {

struct JobConfig {
  std::string backbone, head;
  int fold = 0;
  double dropRate = 0, dropPathRate = 0, layerScaleInit = 0;
  model::LossKind loss = model::LossKind::Asymmetric;
  double gammaNeg = 0, gammaPos = 0, clip = 0;
  int epochs = 0, batchSize = 0;
  int64_t stepsPerEpoch = 0;
  double lr = 0, minLr = 0, warmupEpochs = 0, weightDecay = 0, layerDecay = 0, gradClip = 0;
  int patience = 0;
  double secondaryTarget = 0;
  bool augment = false;
  dataset::AugmentOptions augmentations;  // as applied: none() when augment is off
  dataset::CropOptions crop;
  int rareRepeats = 0;
  uint64_t seed = 0;
  int threads = 0, world = 0;
  double emaDecay = 0;  // "ema_decay", written when > 0
  struct Pseudo {
    std::string dir;
    double p = 0, noiseScale = 0;
  };
  std::optional<Pseudo> pseudo;
  struct Distil {
    std::string store;
    double weight = 0, temperature = 0, embeddingWeight = 0;
  };
  std::optional<Distil> distil;
  struct Weights {
    std::string file, sha256;
  };
  std::optional<Weights> backboneWeights;
};

nlohmann::json toJson(const JobConfig& config);
// InputError naming `source` (the state.json) and the dotted key that is missing or mistyped.
JobConfig jobConfigFromJson(const nlohmann::json& j, const std::string& source);

}  // namespace chorus::train
