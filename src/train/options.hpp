// chorus train's options: a plain struct (no torch), filled by cli or a test, validated once.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/options.hpp"

namespace chorus::train {

struct TrainOptions {
  std::filesystem::path data, work;  // the Kaggle layout; WORK holds meta/, features/, models/
  std::string job;                   // "BACKBONE/FOLD"; empty: every backbone x fold below, in turn
  std::vector<std::string> backbones = {"efficientnet_b0", "convnext_atto"};
  std::vector<int> folds = {0, 1, 2, 3, 4};
  bool resume = false;               // continue a job from its last.pt checkpoint

  model::ModelOptions model;  // backbone is set per job; numClasses from sample_submission.csv
  model::LossOptions loss;

  int epochs = 10;
  int stopAfter = 0;         // > 0: stop (with a checkpoint) after this many epochs in this run
  int batchSize = 32;
  int evalBatchSize = 64;
  int64_t maxStepsPerEpoch = 0;  // > 0: cap (quick runs and tests)
  double lr = 1e-3, minLr = 1e-6;
  double warmupEpochs = 1.0;  // linear warmup length, in epochs (fractions allowed)
  double weightDecay = 1e-2;
  double layerDecay = 0.75;   // lr_scale = layerDecay^(numBlocks - layer)
  double gradClip = 1.0;      // max global gradient norm; 0: off
  int patience = 0;           // early stopping: epochs without a better headline score; 0: off
  double secondaryTarget = 0.5;  // target of a clip's secondary labels (dataset::TargetOptions)
  bool augment = true;        // the training augmentations of dataset::AugmentOptions (off: crops only)
  uint64_t seed = 42;
  int threads = 2;            // torch intra-op threads (fixed: CPU results depend on it)
  std::string device = "auto";  // auto | cpu | cuda (auto: CUDA when available)
  int world = 1, rank = 0;      // data-parallel group (one process for now)

  void validate() const;  // UsageError naming the first bad value
};

struct Job {
  std::string backbone;
  int fold = 0;
  std::string name() const { return backbone + "-f" + std::to_string(fold); }  // models/<name>/
};

// The jobs `options` asks for: --job BACKBONE/FOLD alone, else every backbone x fold.
std::vector<Job> jobsFor(const TrainOptions& options);
Job parseJob(const std::string& text);  // "efficientnet_b0/3"; UsageError otherwise

}  // namespace chorus::train
