// A stage's completion marker, WORK/stages/<stage>.json, written atomically after the stage
// returned: what ran (the fingerprint: its command line and resolved options), how long it took,
// its exit code (0, or 4 for a stage that finished with named failures). Present and matching:
// the stage is complete and a rerun skips it. A kill before the marker leaves none, so the rerun
// runs the stage again, and every stage resumes its own work (features keep finished parts, train
// continues from its last checkpoint).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace chorus::pipeline {

struct StageMarker {
  std::string stage;
  std::string fingerprint;  // what the stage was asked to do; another one means "not done"
  double seconds = 0;
  int exitCode = 0;
  std::string finishedAt;  // UTC, ISO 8601
};

std::filesystem::path markerPath(const std::filesystem::path& work, const std::string& stage);
// nullopt when there is no marker; a marker that does not parse is treated as absent (and logged).
std::optional<StageMarker> readMarker(const std::filesystem::path& work, const std::string& stage);
void writeMarker(const std::filesystem::path& work, const StageMarker& marker);
void removeMarker(const std::filesystem::path& work, const std::string& stage);
std::string utcNow();

}  // namespace chorus::pipeline
