// Soundscape listing (the window grid and row ids: meta/soundscape_window.hpp).
#include <algorithm>
#include <cmath>

#include "audio/decode.hpp"
#include "core/error.hpp"
#include "infer/predict.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

std::vector<Soundscape> listSoundscapes(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw InputError(folder.string() + ": no such soundscape folder");
  std::vector<Soundscape> out;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && audio::isAudioFile(entry.path()))
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

}  // namespace chorus::infer
