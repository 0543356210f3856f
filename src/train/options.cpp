#include "train/options.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace chorus::train {

void TrainOptions::validate() const {
  auto positive = [](bool ok, const std::string& what) {
    if (!ok) throw UsageError("train: " + what);
  };
  positive(epochs >= 1, "--epochs must be at least 1");
  positive(stopAfter >= 0, "--stop-after must not be negative");
  positive(batchSize >= 1 && evalBatchSize >= 1, "batch sizes must be at least 1");
  positive(maxStepsPerEpoch >= 0, "--max-steps-per-epoch must not be negative");
  positive(lr > 0 && minLr >= 0 && minLr <= lr, "need 0 <= --min-lr <= --lr and --lr > 0");
  positive(warmupEpochs >= 0 && warmupEpochs < epochs, "--warmup-epochs must be in [0, epochs)");
  positive(weightDecay >= 0, "--weight-decay must not be negative");
  positive(layerDecay > 0 && layerDecay <= 1, "--layer-decay must be in (0, 1]");
  positive(gradClip >= 0, "--grad-clip must not be negative");
  positive(patience >= 0, "--patience must not be negative");
  positive(threads >= 1, "--threads must be at least 1");
  positive(device == "auto" || device == "cpu" || device == "cuda", "--device must be auto, cpu or cuda");
  positive(world >= 1 && rank >= 0 && rank < world, "rank must be in [0, world)");
  positive(!backbones.empty() && !folds.empty(), "need at least one backbone and one fold");
  for (int f : folds) positive(f >= 0, "folds must not be negative");
  loss.validate();
  model::ModelOptions m = model;
  for (const auto& b : backbones) {
    m.backbone = b;
    m.validate();
  }
  if (!job.empty()) {
    m.backbone = parseJob(job).backbone;
    m.validate();
  }
}

Job parseJob(const std::string& text) {
  const auto slash = text.find('/');
  Job job;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    job.backbone = text.substr(0, slash);
    size_t used = 0;
    job.fold = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1 || job.fold < 0 || job.backbone.empty()) throw std::invalid_argument("bad");
  } catch (const std::exception&) {
    throw UsageError("train: --job must be BACKBONE/FOLD (e.g. efficientnet_b0/0), got '" + text + "'");
  }
  return job;
}

std::vector<Job> jobsFor(const TrainOptions& options) {
  if (!options.job.empty()) return {parseJob(options.job)};
  std::vector<Job> jobs;
  for (const auto& b : options.backbones)
    for (int f : options.folds) jobs.push_back({b, f});
  return jobs;
}

}  // namespace chorus::train
