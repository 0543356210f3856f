// Soundscape listing, the scored window grid and row ids.
#include <algorithm>
#include <cmath>

#include "audio/decode.hpp"
#include "core/error.hpp"
#include "infer/predict.hpp"
#include "stages/features/items.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

std::vector<Soundscape> listSoundscapes(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw InputError(folder.string() + ": no such soundscape folder");
  std::vector<Soundscape> out;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && stages::features::isAudioFile(entry.path()))
      out.push_back({entry.path().filename().string(), fs::absolute(entry.path()), 0.0});
  std::sort(out.begin(), out.end(), [](const Soundscape& a, const Soundscape& b) { return a.id < b.id; });
  for (auto& s : out) {
    try {
      s.seconds = audio::probeAudio(s.audio).seconds;
    } catch (const Error&) {
      s.seconds = 0;  // decoding names the problem later, as a failure of this soundscape
    }
  }
  return out;
}

int windowCount(double seconds) {
  // A hair short: a 60.00001 s file (resampling, container rounding) still has 12 windows.
  const double w = std::ceil(seconds / 5.0 - 1e-4);
  return std::max(1, int(w));
}

std::string rowId(const std::string& soundscapeId, int window) {
  return fs::path(soundscapeId).stem().string() + "_" + std::to_string(5 * (window + 1));
}

}  // namespace chorus::infer
