// Dataset sizes: the named presets, then the overrides of SynthOptions, validated once.
//   demo   12 species, ~150 clips mostly 3-15 s, 8 train + 6 test soundscapes: seconds to make,
//          minutes to train on two cores
//   small  30 species, ~450 clips, 20 + 16 soundscapes
//   full   234 species with the real data's long-tailed clip counts, 600 test soundscapes
#pragma once
#include <string>

#include "stages/synth.hpp"

namespace chorus::stages::synth {

struct ClipLengths {
  double shortShare = 0.05, shortMin = 2, shortMax = 3;  // the shortest recordings
  double typicalMin = 3, typicalMax = 15;                 // most recordings (log-uniform)
  double longShare = 0.07, longMax = 40;                  // long recordings: typicalMax .. longMax
};

struct Preset {
  std::string name;
  int species = 12;
  int trainClips = 150;
  int trainSoundscapes = 8, testSoundscapes = 6;
  int sites = 4;
  ClipLengths lengths;
};

// The preset named in `options`, with its overrides applied; UsageError for unknown names and
// impossible sizes (fewer clips than species, more than 234 species, more than 9999 soundscapes).
Preset resolvePreset(const SynthOptions& options);

}  // namespace chorus::stages::synth
