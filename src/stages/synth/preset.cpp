#include "stages/synth/preset.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "stages/synth/species.hpp"

namespace chorus::stages::synth {
namespace {

Preset named(const std::string& name) {
  Preset p;
  p.name = name;
  if (name == "demo") return p;  // the defaults in preset.hpp
  if (name == "small") {
    p.species = 30, p.trainClips = 450, p.trainSoundscapes = 20, p.testSoundscapes = 16, p.sites = 6;
    p.lengths = {0.05, 2, 3, 3, 20, 0.15, 60};
    return p;
  }
  if (name == "full") {
    // The 2025 data held ~28,500 recordings for 206 classes; test soundscapes number ~600.
    p.species = 234, p.trainClips = 30000, p.trainSoundscapes = 1000, p.testSoundscapes = 600, p.sites = 23;
    p.lengths = {0.05, 2, 3, 4, 40, 0.2, 60};
    return p;
  }
  throw UsageError("unknown preset '" + name + "' (demo, small or full)");
}

}  // namespace

Preset resolvePreset(const SynthOptions& options) {
  Preset p = named(options.preset);
  if (options.species < 0 || options.species > kMaxSpecies)
    throw UsageError("--species must be 1.." + std::to_string(kMaxSpecies));
  if (options.species > 0) {
    // Keep the preset's clips per species unless the clip count is given too.
    double perSpecies = double(p.trainClips) / p.species;
    p.species = options.species;
    p.trainClips = std::max(p.species, static_cast<int>(std::lround(perSpecies * p.species)));
  }
  if (options.trainClips < 0) throw UsageError("--train-clips must not be negative");
  if (options.trainClips > 0) p.trainClips = options.trainClips;
  if (p.trainClips < p.species)
    throw UsageError(std::to_string(p.trainClips) + " train clips cannot cover " +
                     std::to_string(p.species) + " species (each needs one at least)");
  if (options.trainSoundscapes >= 0) p.trainSoundscapes = options.trainSoundscapes;
  if (options.testSoundscapes >= 0) p.testSoundscapes = options.testSoundscapes;
  if (p.trainSoundscapes > 9999 || p.testSoundscapes > 9999)
    throw UsageError("at most 9999 soundscapes per set (the file names have four digits)");
  if (options.corrupt < 0) throw UsageError("--corrupt must not be negative");
  return p;
}

}  // namespace chorus::stages::synth
