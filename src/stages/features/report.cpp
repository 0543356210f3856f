#include "stages/features/report.hpp"

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"

namespace chorus::stages::features {

void writeReport(const std::filesystem::path& file, const FeaturesSummary& summary, const FeaturesOptions& options) {
  nlohmann::json report = nlohmann::json::object();
  if (std::filesystem::exists(file)) {
    try {
      report = nlohmann::json::parse(readTextFile(file));
    } catch (const std::exception& e) {
      CHORUS_LOG(Warn) << "replacing unreadable " << file.string() << ": " << e.what();
      report = nlohmann::json::object();
    }
  }
  report["stage"] = "features";
  nlohmann::json names = nlohmann::json::array();
  for (const auto& s : summary.sets) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : s.failures)
      failures.push_back({{"item_index", f.index}, {"id", f.id}, {"source", f.source}, {"reason", f.reason}});
    report["sets"][s.set] = {
        {"store", "features/" + s.set + ".h5"},
        {"items", s.items},
        {"stored", s.stored},
        {"failed", s.failed},
        {"frames", s.frames},
        {"parts", s.parts},
        {"part_seconds", s.partSeconds},
        {"parts_reused", s.partsReused},
        {"parts_written", s.partsWritten},
        {"items_computed", s.itemsComputed},
        {"audio_seconds_computed", s.audioSecondsComputed},
        {"seconds", s.seconds},
        {"failures", failures},
    };
    names.push_back(s.set);
  }
  report["last_run"] = {{"sets", names},
                        {"failed", summary.failed},
                        {"max_failures", options.maxFailures},
                        {"exit_code", static_cast<int>(summary.exitCode)}};
  writeFileAtomic(file, report.dump(2) + "\n");
}

}  // namespace chorus::stages::features
