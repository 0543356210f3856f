#include "train/checkpoint_state.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/fs.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
using nlohmann::json;

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
    s.config = jobConfigFromJson(j.at("config"), file.string());
    return s;
  } catch (const json::exception& e) {
    throw InputError(file.string() + ": not a training state: " + e.what());
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
