#include "stages/synth/soundscapes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "stages/synth/calls.hpp"
#include "stages/synth/dsp.hpp"

namespace chorus::stages::synth {
namespace {

// Who is active by day and by night: birds sing at dawn and by day, frogs and insects call at night.
double activity(TaxonClass c, bool night) {
  switch (c) {
    case TaxonClass::Aves: return night ? 0.25 : 1.0;
    case TaxonClass::Amphibia: return night ? 1.0 : 0.3;
    case TaxonClass::Insecta: return night ? 1.0 : 0.6;
    case TaxonClass::Mammalia: return 0.5;
  }
  return 1.0;
}

// The recorder's schedule: every ten minutes, a few seconds after the minute, on a day of 2025.
std::string stemFor(SoundscapeSet set, int index, const Site& site, Rng& rng, int& hour) {
  int month = rng.integer(1, 12), day = rng.integer(1, 28);
  hour = rng.integer(0, 23);
  int minute = 10 * rng.integer(0, 5), second = rng.integer(0, 9);
  char buf[96];
  std::snprintf(buf, sizeof buf, "BC2026_%s_%04d_%s_2025%02d%02d_%02d%02d%02d", set == SoundscapeSet::Train ? "Train" : "Test",
                index + 1, site.name.c_str(), month, day, hour, minute, second);
  return buf;
}

// The species heard in this recording: a few of the site's residents, weighted by activity.
std::vector<int> drawSingers(const Site& site, const std::vector<Species>& species, bool night, Rng& rng) {
  std::vector<double> weight(species.size());
  size_t available = 0;
  for (size_t k = 0; k < species.size(); ++k) {
    weight[k] = site.presence[k] * activity(species[k].taxonClass, night);
    available += weight[k] > 0;
  }
  if (available == 0 || rng.chance(0.1)) return {};  // a quiet minute
  size_t wanted = std::min(available, static_cast<size_t>(1 + rng.poisson(1.8)));
  std::vector<int> singers;
  while (singers.size() < wanted) {
    size_t k = rng.weighted(weight);
    singers.push_back(static_cast<int>(k));
    weight[k] = 0;
  }
  return singers;
}

}  // namespace

Soundscape makeSoundscape(SoundscapeSet set, int index, const std::vector<Species>& species,
                          const std::vector<Site>& sites, uint32_t seed) {
  Rng rng = Rng::stream(seed, set == SoundscapeSet::Train ? "train-soundscape" : "test-soundscape", index);
  Soundscape s;
  const Site& site = sites[rng.index(sites.size())];
  int hour = 0;
  s.stem = stemFor(set, index, site, rng, hour);
  s.site = site.name;
  s.night = hour < 5 || hour >= 19;
  const double rate = kSoundscapeRate, length = kSoundscapeSeconds;
  s.samples = renderBackground(site, drawWeather(site, rng, s.night), rng, rate, kSoundscapeSeconds * kSoundscapeRate);
  for (int k : drawSingers(site, species, s.night, rng)) {
    // One animal's burst of activity: bouts at its species' pace for a while, then silence.
    double levelDb = rng.uniform(-8, 6);
    double from = rng.uniform(-5, 55), until = from + rng.uniform(8, 60);
    const CallModel& call = species[k].call;
    for (double t = std::max(0.0, from); t < std::min(length, until);) {
      std::vector<float> bout = renderBout(call, rng, rate);
      double snr = levelDb + 2 * rng.normal(), boutRms = rms(bout);
      float gain = boutRms > 0 ? static_cast<float>(std::pow(10.0, snr / 20) / boutRms) : 0.f;
      mixInto(s.samples, static_cast<size_t>(t * rate), bout, gain);
      double end = std::min(length, t + bout.size() / rate);
      s.calls.push_back({k, t, end, snr});
      t += bout.size() / rate + call.boutGapSeconds * rng.uniform(0.5, 2.0);
    }
  }
  std::sort(s.calls.begin(), s.calls.end(), [](const PlacedCall& a, const PlacedCall& b) { return a.start < b.start; });
  normalisePeak(s.samples, static_cast<float>(rng.uniform(0.2, 0.6)));
  return s;
}

std::vector<std::vector<int>> windowLabels(const std::vector<PlacedCall>& calls) {
  std::vector<std::vector<int>> labels(kWindows);
  for (int w = 0; w < kWindows; ++w) {
    double lo = w * kWindowSeconds, hi = lo + kWindowSeconds;
    for (const PlacedCall& c : calls) {
      double overlap = std::min(c.end, hi) - std::max(c.start, lo);
      if (overlap > 0 && overlap >= std::min(kMeaningfulOverlapSeconds, 0.5 * (c.end - c.start))) labels[w].push_back(c.species);
    }
    std::sort(labels[w].begin(), labels[w].end());
    labels[w].erase(std::unique(labels[w].begin(), labels[w].end()), labels[w].end());
  }
  return labels;
}

}  // namespace chorus::stages::synth
