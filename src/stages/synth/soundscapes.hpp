// Soundscapes: one minute from an unattended recorder at a site, 32 kHz mono. The site's background,
// and a few species singing at low SNR, in bursts of activity that overlap one another and leave
// some 5 s windows empty. Train and test soundscapes come from this one generator with different
// random streams, so they share a distribution.
#pragma once
#include <string>
#include <vector>

#include "meta/soundscape_window.hpp"
#include "stages/synth/background.hpp"
#include "stages/synth/species.hpp"

namespace chorus::stages::synth {

constexpr int kSoundscapeRate = 32000;
constexpr int kSoundscapeSeconds = 60;
using meta::kWindowSeconds;  // the scored window
constexpr int kWindows = kSoundscapeSeconds / kWindowSeconds;
// A call counts in a window when it overlaps the window by this much, or by half its own length if
// that is less (a 0.2 s note wholly inside a window counts; 50 ms of a long bout's tail does not).
constexpr double kMeaningfulOverlapSeconds = 0.3;

enum class SoundscapeSet { Train, Test };

struct PlacedCall {
  int species = 0;
  double start = 0, end = 0;  // seconds, clipped to the recording
  double snrDb = 0;           // over the background (RMS over the bout)
};

struct Soundscape {
  std::string stem;  // BC2026_Train_0001_S08_20250606_030007
  std::string site;
  bool night = false;
  std::vector<PlacedCall> calls;
  std::vector<float> samples;  // 60 s at 32 kHz
};

// The `index`-th (0-based) soundscape of a set: its name, its calls and its audio.
Soundscape makeSoundscape(SoundscapeSet set, int index, const std::vector<Species>& species,
                          const std::vector<Site>& sites, uint32_t seed);

// Per 5 s window, the species (indices, ascending) heard in it by the rule above.
std::vector<std::vector<int>> windowLabels(const std::vector<PlacedCall>& calls);

}  // namespace chorus::stages::synth
