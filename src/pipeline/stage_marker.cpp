#include "pipeline/stage_marker.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"

namespace chorus::pipeline {

std::filesystem::path markerPath(const std::filesystem::path& work, const std::string& stage) {
  return work / "stages" / (stage + ".json");
}

std::optional<StageMarker> readMarker(const std::filesystem::path& work, const std::string& stage) {
  const auto file = markerPath(work, stage);
  if (!std::filesystem::exists(file)) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(readTextFile(file));
    StageMarker m;
    m.stage = j.at("stage").get<std::string>();
    m.fingerprint = j.at("fingerprint").get<std::string>();
    m.seconds = j.at("seconds").get<double>();
    m.exitCode = j.at("exit_code").get<int>();
    m.finishedAt = j.value("finished_at", "");
    return m;
  } catch (const std::exception& e) {
    CHORUS_LOG(Warn) << file.string() << ": unreadable stage marker (" << e.what() << "); the stage runs again";
    return std::nullopt;
  }
}

void writeMarker(const std::filesystem::path& work, const StageMarker& m) {
  ensureDir(work / "stages");
  nlohmann::ordered_json j = {{"stage", m.stage},         {"fingerprint", m.fingerprint}, {"seconds", m.seconds},
                              {"exit_code", m.exitCode}, {"finished_at", m.finishedAt}};
  writeFileAtomic(markerPath(work, m.stage), j.dump(2) + "\n");
}

void removeMarker(const std::filesystem::path& work, const std::string& stage) {
  std::error_code ec;
  std::filesystem::remove(markerPath(work, stage), ec);
}

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace chorus::pipeline
