#include "meta/soundscape_window.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "core/parse_number.hpp"

namespace chorus::meta {

std::string windowRowId(const std::string& soundscapeFile, int window) {
  return std::filesystem::path(soundscapeFile).stem().string() + "_" + std::to_string(kWindowSeconds * (window + 1));
}

int windowAtStart(double startSeconds) { return int(std::lround(startSeconds / kWindowSeconds)); }

int windowEndingAt(double endSeconds) { return windowAtStart(endSeconds) - 1; }

int windowCount(double seconds) {
  const double w = std::ceil(seconds / kWindowSeconds - 1e-4);
  return std::max(1, int(w));
}

double rowEndSeconds(const std::string& rowId) {
  const auto underscore = rowId.rfind('_');
  const auto end = underscore == std::string::npos ? std::nullopt : toDouble(rowId.substr(underscore + 1));
  if (!end || !std::isfinite(*end)) throw InputError("row id '" + rowId + "' does not end in _<end second>");
  return *end;
}

}  // namespace chorus::meta
