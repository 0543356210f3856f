// What a checkpoint folder says of itself, without torch: its state.json (TrainState) and the
// job folder's pointers (best.json, last.json). The OpenVINO inference path (a torch-free build,
// CHORUS_WITH_TORCH=OFF) reads checkpoints through this alone; train/checkpoint_dir.hpp writes them.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meta/metrics_csv.hpp"
#include "train/job_config.hpp"

namespace chorus::train {

struct TrainState {
  int epoch = 0;       // epochs finished
  int64_t step = 0;    // optimizer steps taken
  uint64_t seed = 0;   // sampler and crop seed
  double bestScore = -1;
  int bestEpoch = 0;
  int sinceBest = 0;   // epochs without a better headline score (early stopping)
  bool finished = false;
  // Stopped mid-epoch by a signal (stop_signal.hpp): `step` includes the steps of epoch + 1 already
  // taken, partialLosses each rank's loss sum over them (in double, so that the resumed epoch's
  // train_loss is the uninterrupted one's to the last bit); saved as epoch-NNNN-step-S, resumed
  // from the next step.
  bool partial = false;
  std::vector<double> partialLosses;  // by rank of the group
  std::vector<meta::EpochMetrics> metrics;
  std::map<std::string, std::string> features;  // the store's mel parameters + normalisation
  JobConfig config;                             // the resolved options (job_config.hpp), read strictly
};

// The directory a pointer names, if there is one.
std::optional<std::filesystem::path> checkpointDir(const std::filesystem::path& jobDir, const std::string& pointer);

TrainState readState(const std::filesystem::path& dir);  // InputError naming the file

// InputError when a store's feature parameters are not the checkpoint's: a model must never see
// features it was not trained on. Names both, and the first key that differs.
void requireSameFeatures(const TrainState& state, const std::string& checkpoint,
                         const std::map<std::string, std::string>& store, const std::string& storeName);

}  // namespace chorus::train
