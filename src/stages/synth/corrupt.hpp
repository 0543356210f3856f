// Broken "recordings" for the error-handling paths: listed in train.csv like any clip, but a zero-
// byte file, an ogg cut off inside its headers (a download that stopped), or an HTML error page
// saved with an .ogg name. No decoder can read any of them.
#pragma once
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "stages/synth/clips.hpp"

namespace chorus::stages::synth {

enum class CorruptKind { ZeroBytes, TruncatedOgg, NotAudio };
const char* corruptKindName(CorruptKind k);

struct CorruptClip {
  TrainClip clip;  // the train.csv row it appears under
  CorruptKind kind = CorruptKind::ZeroBytes;
};

// `count` broken clips, the kinds in turn, with ids unused by `taken`.
std::vector<CorruptClip> planCorrupt(int count, const std::vector<Species>& species, const std::vector<TrainClip>& taken,
                                     uint32_t seed);

// Writes the `index`-th broken file (atomically: even a broken file appears whole).
void writeCorrupt(const CorruptClip& c, size_t index, const std::filesystem::path& file, uint32_t seed);

}  // namespace chorus::stages::synth
