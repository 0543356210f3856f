// Rendering one bout of a species' call from its CallModel. Each bout varies a little (pitch ±3%,
// tempo ±5%, note counts), as one animal's calls do, while keeping its species' band and rhythm.
#pragma once
#include <vector>

#include "stages/synth/rng.hpp"
#include "stages/synth/species.hpp"

namespace chorus::stages::synth {

// One bout at `sampleRate`, mono, peak-normalised to 1. Its length is the bout's length.
std::vector<float> renderBout(const CallModel& model, Rng& rng, double sampleRate);

}  // namespace chorus::stages::synth
