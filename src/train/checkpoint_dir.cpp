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
          {"config", json::parse(s.config.empty() ? "{}" : s.config)}};
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

std::optional<fs::path> checkpointDir(const fs::path& jobDir, const std::string& pointer) {
  const fs::path file = jobDir / (pointer + ".json");
  if (!fs::exists(file)) return std::nullopt;
  try {
    return jobDir / json::parse(readTextFile(file)).at("dir").get<std::string>();
  } catch (const json::exception& e) {
    throw InputError(file.string() + ": not a checkpoint pointer: " + e.what());
  }
}

TrainState readState(const fs::path& dir) {
  const fs::path file = dir / "state.json";
  try {
    json j = json::parse(readTextFile(file));
    TrainState s;
    s.epoch = j.at("epoch");
    s.step = j.at("step");
    s.seed = j.at("seed");
    s.bestScore = j.at("best_score");
    s.bestEpoch = j.at("best_epoch");
    s.sinceBest = j.at("since_best");
    s.finished = j.at("finished");
    s.partial = j.value("partial", false);  // absent in checkpoints from before stop signals
    if (j.contains("partial_losses")) s.partialLosses = j.at("partial_losses").get<std::vector<double>>();
    else if (j.contains("partial_loss")) s.partialLosses = {j.at("partial_loss").get<double>()};  // older: the group mean
    s.metrics = meta::parseMetricsCsv(j.at("metrics_csv").get<std::string>(), file.string());
    s.features = j.at("features").get<std::map<std::string, std::string>>();
    s.config = j.at("config").dump();
    return s;
  } catch (const json::exception& e) {
    throw InputError(file.string() + ": not a training state: " + e.what());
  }
}

void loadCheckpoint(const fs::path& dir, torch::nn::Module& model, torch::optim::Optimizer& optimizer) {
  model::loadWeights(model, dir / "weights.pt");
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

void requireSameFeatures(const TrainState& state, const std::string& checkpoint,
                         const std::map<std::string, std::string>& store, const std::string& storeName) {
  for (const auto& [key, value] : state.features) {
    auto it = store.find(key);
    if (it == store.end() && key.rfind("norm_", 0) == 0) continue;  // normalisation is the model's, not the store's
    if (it == store.end() || it->second != value)
      throw InputError(checkpoint + " was trained on features with " + key + " = " + value + ", but " + storeName +
                       " has " + (it == store.end() ? std::string("no ") + key : key + " = " + it->second) +
                       ": recompute the features or retrain");
  }
}

}  // namespace chorus::train
