#include "train/checkpoint_dir.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "model/backbone_weights.hpp"
#include "model/checkpoint.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string epochDirName(int epoch) {
  char name[64];
  std::snprintf(name, sizeof name, "epoch-%04d", epoch);
  return name;
}

std::string epochDirName(const TrainState& state) {
  if (!state.partial) return epochDirName(state.epoch);
  return epochDirName(state.epoch) + "-step-" + std::to_string(state.step);
}

void writePointer(const fs::path& jobDir, const std::string& pointer, const fs::path& dir) {
  writeFileAtomic(jobDir / (pointer + ".json"), json{{"dir", dir.filename()}}.dump() + "\n");
}

// Removes the epoch folders that neither pointer nor `state` (its best epoch) names.
void removeUnnamed(const fs::path& jobDir, const TrainState& state) {
  std::vector<fs::path> named;
  for (const char* p : {"last", "best"})
    if (auto d = checkpointDir(jobDir, p)) named.push_back(d->lexically_normal());
  if (state.bestEpoch > 0) named.push_back((jobDir / epochDirName(state.bestEpoch)).lexically_normal());
  for (const auto& entry : fs::directory_iterator(jobDir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("epoch-", 0) != 0 || name.find(".tmp") != std::string::npos) continue;
    if (std::find(named.begin(), named.end(), entry.path().lexically_normal()) == named.end()) fs::remove_all(entry.path());
  }
}

// The generators dropout and stochastic depth draw from: the CPU one, and the first GPU's when
// there is one (a job trains on one device).
model::NamedTensors generatorStates() {
  model::NamedTensors states{{"cpu", at::globalContext().defaultGenerator(at::kCPU).get_state()}};
  if (torch::cuda::is_available())
    states["cuda"] = at::globalContext().defaultGenerator(at::Device(at::kCUDA, 0)).get_state();
  return states;
}

json stateJson(const TrainState& s) {
  return {{"epoch", s.epoch},        {"step", s.step},       {"seed", s.seed},
          {"best_score", s.bestScore}, {"best_epoch", s.bestEpoch}, {"since_best", s.sinceBest},
          {"finished", s.finished},  {"partial", s.partial},   {"partial_losses", s.partialLosses},
          {"metrics_csv", meta::metricsCsv(s.metrics)}, {"features", s.features},
          {"config", toJson(s.config)}};
}

}  // namespace

// The files of one checkpoint, into its temporary folder.
static void writeCheckpointFiles(const fs::path& temp, const TrainState& state, const torch::nn::Module& model,
                                 const torch::optim::Optimizer& optimizer,
                                 const std::function<void(const fs::path&)>& extra) {
  model::saveWeights(model, temp / "weights.pt");
  model::writeTimmSafetensors(model, temp / "model.safetensors");  // timm's names: Python and --backbone-weights read it
  {
    // Into memory first: torch's file writer reports a failed write (a full disk) by throwing from
    // its destructor, which ends the process; writeFileAtomic names the file and the reason.
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeFileAtomic(temp / "optimizer.pt", bytes.str());
  }
  model::writeTensorFile(temp / "rng.pt", generatorStates());
  writeFileAtomic(temp / "state.json", stateJson(state).dump(1) + "\n");
  if (extra) extra(temp);
}

void saveCheckpoint(const fs::path& jobDir, const std::vector<std::string>& pointers, const TrainState& state,
                    const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                    const std::function<void(const fs::path&)>& extra) {
  ensureDir(jobDir);
  const fs::path target = jobDir / epochDirName(state);
  const fs::path temp = temporaryPathFor(target);
  fs::remove_all(temp);
  ensureDir(temp);
  try {
    writeCheckpointFiles(temp, state, model, optimizer, extra);
  } catch (...) {  // a full disk: no half-written epoch stays behind to take the space of the next try
    std::error_code ec;
    fs::remove_all(temp, ec);
    throw;
  }
  fs::remove_all(target);  // a stale copy of this epoch (a rerun after a kill): replaced whole
  fs::rename(temp, target);
  // "last" is what a rerun resumes from and what says a job is finished: it moves last of all,
  // after "best", so a kill between them resumes from the epoch before and redoes this one.
  for (const auto& p : pointers)
    if (p != "last") writePointer(jobDir, p, target);
  if (std::find(pointers.begin(), pointers.end(), "last") != pointers.end()) writePointer(jobDir, "last", target);
  removeUnnamed(jobDir, state);
}

bool repairBestPointer(const fs::path& jobDir, const TrainState& state) {
  if (state.bestEpoch <= 0) return false;
  const fs::path best = jobDir / epochDirName(state.bestEpoch);
  const auto named = checkpointDir(jobDir, "best");
  if (named && named->lexically_normal() == best.lexically_normal()) return false;
  if (!fs::is_directory(best)) throw InputError(jobDir.string() + ": the training state names best epoch " +
                                                std::to_string(state.bestEpoch) + ", but " + best.string() +
                                                " is missing: remove the job folder to train it again");
  writePointer(jobDir, "best", best);
  return true;
}

void loadCheckpoint(const fs::path& dir, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                    torch::nn::Module* average) {
  if (average) {
    if (!fs::exists(dir / "train_weights.pt"))
      throw InputError(dir.string() + ": no train_weights.pt, the training weights of a run with --ema-decay");
    model::loadWeights(*average, dir / "weights.pt");
    model::loadWeights(model, dir / "train_weights.pt");
  } else {
    model::loadWeights(model, dir / "weights.pt");
  }
  torch::serialize::InputArchive archive;
  archive.load_from((dir / "optimizer.pt").string());
  optimizer.load(archive);
  auto rng = model::readTensorFile(dir / "rng.pt");
  at::Generator cpu = at::globalContext().defaultGenerator(at::kCPU);  // a handle on the global one
  cpu.set_state(rng.at("cpu"));
  if (rng.count("cuda") && torch::cuda::is_available()) {
    at::Generator cuda = at::globalContext().defaultGenerator(at::Device(at::kCUDA, 0));
    cuda.set_state(rng.at("cuda"));
  }
}

}  // namespace chorus::train
