// Recording sites and their background sound: coloured noise (power ∝ f^-β), gusty wind, rain
// drops, an insect chorus. A site fixes its character (β, how windy, how often it rains, its
// chorus) and which species live there; each recording draws its own weather and chorus.
#pragma once
#include <string>
#include <vector>

#include "stages/synth/rng.hpp"
#include "stages/synth/species.hpp"

namespace chorus::stages::synth {

struct Site {
  std::string name;        // "S08", as in the soundscape file names
  double beta = 1;         // noise colour: 0 white, 1 pink, 2 brown
  double windiness = 0;    // weight of wind against the noise floor
  double rainChance = 0;   // share of recordings with rain
  double chorusHz = 6000, chorusRate = 40, chorusChance = 0.5;  // the unlabelled insect chorus
  std::vector<double> presence;  // per species: relative chance of being heard here (0: never)
};

// `count` sites with distinct names; every species lives at one site at least.
std::vector<Site> makeSites(int count, const std::vector<Species>& species, uint32_t seed);

struct Weather {
  bool rain = false;
  bool chorus = false;
};
Weather drawWeather(const Site& site, Rng& rng, bool night);

// `frames` samples of the site's background at `sampleRate`, scaled to RMS 1.
std::vector<float> renderBackground(const Site& site, const Weather& weather, Rng& rng, double sampleRate,
                                    size_t frames);

}  // namespace chorus::stages::synth
