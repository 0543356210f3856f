#include "stages/synth/corrupt.hpp"

#include <algorithm>
#include <cmath>
#include <system_error>

#include "audio/audio_writer.hpp"
#include "core/atomic_file.hpp"
#include "core/fs.hpp"

namespace chorus::stages::synth {
namespace {

const char* kErrorPage =
    "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
    "<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body>"
    "</html>\n";

// A real ogg cut short. libsndfile's first page holds the 30-byte identification header (58 bytes
// in all); the comment and setup headers that follow take kilobytes, so 1000 bytes end inside them.
std::string truncatedOgg(const std::filesystem::path& file, Rng& rng) {
  std::vector<float> tone(3 * 32000);
  double hz = rng.uniform(1000, 4000);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = static_cast<float>(0.3 * std::sin(2 * M_PI * hz * i / 32000));
  auto whole = file.parent_path() / ("." + file.stem().string() + ".whole.ogg");
  audio::writeAudio(whole, tone, {32000, 1});
  std::string bytes = readTextFile(whole);
  std::error_code ec;
  std::filesystem::remove(whole, ec);
  return bytes.substr(0, std::min<size_t>(bytes.size() / 2, 1000));
}

}  // namespace

const char* corruptKindName(CorruptKind k) {
  switch (k) {
    case CorruptKind::ZeroBytes: return "zero_bytes";
    case CorruptKind::TruncatedOgg: return "truncated_ogg";
    case CorruptKind::NotAudio: return "not_audio";
  }
  return "?";
}

std::vector<CorruptClip> planCorrupt(int count, const std::vector<Species>& species, const std::vector<TrainClip>& taken,
                                     uint32_t seed) {
  Rng rng = Rng::stream(seed, "corrupt");
  std::set<std::string> ids;
  for (const TrainClip& c : taken) ids.insert(c.id);
  std::vector<CorruptClip> out;
  for (int i = 0; i < count; ++i) {
    CorruptClip c;
    c.kind = static_cast<CorruptKind>(i % 3);
    c.clip.species = static_cast<int>(rng.index(species.size()));
    c.clip.seconds = 0;
    drawRecordingMetadata(c.clip, species[c.clip.species], rng, ids);
    out.push_back(c);
  }
  return out;
}

void writeCorrupt(const CorruptClip& c, size_t index, const std::filesystem::path& file, uint32_t seed) {
  Rng rng = Rng::stream(seed, "corrupt-content", index);
  switch (c.kind) {
    case CorruptKind::ZeroBytes: writeFileAtomic(file, ""); break;
    case CorruptKind::TruncatedOgg: writeFileAtomic(file, truncatedOgg(file, rng)); break;
    case CorruptKind::NotAudio: writeFileAtomic(file, kErrorPage); break;
  }
}

}  // namespace chorus::stages::synth
