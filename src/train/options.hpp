// chorus train's options: a plain struct (no torch), filled by cli or a test, validated once.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dataset/options.hpp"
#include "dataset/pseudo_labels.hpp"
#include "meta/job_name.hpp"
#include "model/distillation_options.hpp"
#include "model/options.hpp"
#include "train/job_config.hpp"

namespace chorus::dataset {
struct DataOptions;
}

namespace chorus::train {

inline constexpr double kPretrainedLayerDecay = 0.75;  // --layer-decay auto with --backbone-weights

struct TrainOptions {
  std::filesystem::path data, work;  // the Kaggle layout; WORK holds meta/, features/, models/
  std::string job;                   // "BACKBONE/FOLD"; empty: every backbone x fold below, in turn
  std::vector<std::string> backbones = {"efficientnet_b0", "efficientnetv2_b0"};
  std::vector<int> folds = {0, 1, 2, 3, 4};
  bool resume = false;               // continue a job from the checkpoint its last.json names

  model::ModelOptions model;  // backbone is set per job; numClasses from sample_submission.csv
  // --backbone-weights (model/backbone_weights.hpp): PATH when one backbone is trained, else
  // BACKBONE=PATH per backbone (backbones without one start from scratch). A fresh job starts from
  // them; its checkpoints record the file and its sha256 (jobConfig), and a resume that names
  // them again must name the same bytes.
  std::vector<std::string> backboneWeights;
  model::LossOptions loss;

  int epochs = 10;
  int stopAfter = 0;         // > 0: stop (with a checkpoint) after this many epochs in this run
  int batchSize = 32;
  int evalBatchSize = 64;
  int64_t maxStepsPerEpoch = 0;  // > 0: cap (quick runs and tests)
  double lr = 1e-3, minLr = 1e-6;
  double warmupEpochs = 1.0;  // linear warmup length, in epochs (fractions allowed)
  double weightDecay = 1e-2;
  // lr_scale = layerDecay^(numBlocks - layer); 1: off (one rate everywhere). "auto" (the default):
  // kPretrainedLayerDecay when the backbone starts from --backbone-weights (LLRD protects pretrained
  // early layers), else off (from scratch it only slows the stem: B0 at 0.75: 0.75^17 = 0.008 of the
  // head's rate). A number wins. torchscript: models get 1 under auto (nothing says they are pretrained).
  std::string layerDecay = "auto";
  double gradClip = 1.0;      // max global gradient norm; 0: off
  // Exponential moving average of the weights (weight_average.hpp): evaluated and kept; 0: off.
  double emaDecay = 0;
  int patience = 0;           // early stopping: epochs without a better headline score; 0: off
  double secondaryTarget = 0.5;  // target of a clip's secondary labels (dataset::TargetOptions)
  bool augment = true;        // master switch: off turns every augmentation below off (crops only)
  dataset::AugmentOptions augmentations;  // each augmentation's own switch, probability and range
  dataset::CropOptions crop;              // energy (default) or random crop of long clips
  int rareRepeats = 1;        // rare species' clips appear this many times per epoch (1: no oversampling)
  uint64_t seed = 42;
  int threads = 2;            // torch intra-op threads (fixed: CPU results depend on it)
  std::string device = "auto";  // auto | cpu | cuda (auto: CUDA when available)
  // Distributed (dist): ranks per GPU on a node (several small jobs filling one GPU), and the
  // longest wait in one collective before the run is aborted as hung.
  int jobsPerGpu = 1;
  double collectiveTimeout = 900;
  // Noisy student (dataset/pseudo_labels.hpp): pseudo.dir = WORK/pseudo/r<n> mixes its windows into
  // training (probability pseudo.p, stronger noise); the jobs are then round n: models/<bb>-f<k>-r<n>/.
  dataset::PseudoOptions pseudo;
  // Distillation (train/distil.hpp): a teacher store whose windows add the distillation term on the
  // training windows it covers (train_soundscapes windows and/or train_audio clips); empty: off.
  std::filesystem::path distil;
  model::DistillOptions distillation;

  void validate() const;  // UsageError naming the first bad value
  void validateBackboneWeights() const;
  // The augmentations training applies: `augmentations`, or none when the master switch is off.
  dataset::AugmentOptions resolvedAugmentations() const;
  // The views the layers below take, filled from these options in one place: fold `fold`'s
  // training data, and the model of `backbone` over `numClasses` classes.
  dataset::DataOptions dataFor(int fold) const;
  model::ModelOptions modelFor(const std::string& backbone, int numClasses) const;
  // The weights file or folder --backbone-weights gives `backbone`; "" when none.
  std::string backboneWeightsFor(const std::string& backbone) const;
  // --layer-decay resolved for a backbone that starts (or, on a resume, started) from pretrained weights or not.
  double layerDecayFor(bool pretrained) const;
};

// The jobs `options` asks for: --job BACKBONE/FOLD alone, else every backbone x fold.
std::vector<meta::Job> jobsFor(const TrainOptions& options);

// Every option that shapes a job's weights (and the data-parallel group's size `world`), resolved:
// stored in each checkpoint, so that --resume with other options is refused (requireSameConfig)
// instead of silently mixing two runs. The backbone weights are identified here (file, sha256).
JobConfig jobConfig(const TrainOptions& options, const meta::Job& job, int64_t stepsPerEpoch, int world);
// UsageError naming each option that differs between a checkpoint's config and this run's.
void requireSameConfig(const JobConfig& saved, const JobConfig& now, const std::string& checkpoint);

}  // namespace chorus::train
