#include "stages/synth/background.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "stages/synth/dsp.hpp"

namespace chorus::stages::synth {
namespace {

void scaleToRms(std::vector<float>& x, double target) {
  double r = rms(x);
  if (r <= 0) return;
  float g = static_cast<float>(target / r);
  for (float& v : x) v *= g;
}

float white(Rng& rng) { return static_cast<float>(rng.uniform(-1.7320508, 1.7320508)); }  // unit RMS

// β in [0, 2] by blending white, pink and brown noise: a piecewise approximation of f^-β.
std::vector<float> colouredNoise(double beta, Rng& rng, size_t frames) {
  std::vector<float> out(frames);
  PinkFilter pink;
  double brown = 0;
  for (size_t i = 0; i < frames; ++i) {
    float w = white(rng);
    float p = pink.process(w);
    brown = 0.995 * brown + 0.1 * w;  // a leaky integrator: unit RMS, corner near 25 Hz at 32 kHz
    out[i] = beta < 1 ? static_cast<float>((1 - beta) * w + beta * p)
                      : static_cast<float>((2 - beta) * p + (beta - 1) * brown);
  }
  return out;
}

// Low-passed noise under a slow gust envelope.
std::vector<float> wind(Rng& rng, double sampleRate, size_t frames) {
  std::vector<float> out(frames);
  Biquad low = Biquad::lowpass(rng.uniform(150, 400), 0.7, sampleRate);
  double f1 = rng.uniform(0.05, 0.4), f2 = rng.uniform(0.05, 0.4), p1 = rng.uniform(), p2 = rng.uniform();
  for (size_t i = 0; i < frames; ++i) {
    double t = i / sampleRate;
    double gust = std::max(0.0, 0.6 + 0.2 * (sineCycles(f1 * t + p1) + sineCycles(f2 * t + p2)));
    out[i] = static_cast<float>(gust * gust) * low.process(white(rng));
  }
  scaleToRms(out, 1);
  return out;
}

// Drops: short damped sinusoids at random times, pitches and strengths.
std::vector<float> rain(Rng& rng, double sampleRate, size_t frames) {
  std::vector<float> out(frames);
  double seconds = frames / sampleRate, perSecond = rng.uniform(8, 40);
  int drops = rng.poisson(perSecond * seconds);
  for (int d = 0; d < drops; ++d) {
    size_t at = static_cast<size_t>(rng.uniform() * frames);
    double hz = rng.logUniform(1500, 8000), tau = rng.uniform(0.0005, 0.003), amp = rng.logUniform(0.1, 1);
    size_t n = std::min(frames - at, static_cast<size_t>(5 * tau * sampleRate));
    for (size_t i = 0; i < n; ++i)
      out[at + i] += static_cast<float>(amp * std::exp(-double(i) / (tau * sampleRate))) * sineCycles(hz * i / sampleRate);
  }
  scaleToRms(out, 1);
  return out;
}

// Many insects near one pitch, each chirping at about the same rate, out of step.
std::vector<float> chorus(const Site& site, Rng& rng, double sampleRate, size_t frames) {
  std::vector<float> out(frames);
  for (int k = 0; k < 8; ++k) {
    double hz = site.chorusHz * (1 + 0.02 * rng.normal()), rate = site.chorusRate * (1 + 0.05 * rng.normal());
    double phase = rng.uniform(), level = rng.uniform(0.3, 1);
    Oscillator tone(sampleRate, rng.uniform());
    for (size_t i = 0; i < frames; ++i) {
      float g = std::max(0.f, sineCycles(rate * i / sampleRate + phase));
      out[i] += static_cast<float>(level) * g * g * tone.next(hz);
    }
  }
  scaleToRms(out, 1);
  return out;
}

void add(std::vector<float>& out, const std::vector<float>& x, float gain) {
  for (size_t i = 0; i < out.size(); ++i) out[i] += gain * x[i];
}

}  // namespace

std::vector<Site> makeSites(int count, const std::vector<Species>& species, uint32_t seed) {
  Rng rng = Rng::stream(seed, "sites");
  std::vector<int> numbers;
  for (int n = 1; n <= count + 10; ++n) numbers.push_back(n);
  rng.shuffle(numbers);
  numbers.resize(count);
  std::sort(numbers.begin(), numbers.end());
  std::vector<Site> sites(count);
  for (int s = 0; s < count; ++s) {
    Site& site = sites[s];
    char name[8];
    std::snprintf(name, sizeof name, "S%02d", numbers[s]);
    site.name = name;
    site.beta = rng.uniform(0.6, 1.6);
    site.windiness = rng.chance(0.5) ? rng.uniform(0.1, 0.8) : 0.0;
    site.rainChance = rng.uniform(0.0, 0.3);
    site.chorusHz = rng.logUniform(3500, 9000);
    site.chorusRate = rng.logUniform(10, 60);
    site.chorusChance = rng.uniform(0.2, 0.8);
    for (size_t k = 0; k < species.size(); ++k) site.presence.push_back(rng.chance(0.4) ? 0.0 : rng.logUniform(0.2, 1));
  }
  for (size_t k = 0; k < species.size(); ++k) {
    bool somewhere = false;
    for (const Site& site : sites) somewhere = somewhere || site.presence[k] > 0;
    if (!somewhere) sites[rng.index(sites.size())].presence[k] = rng.logUniform(0.2, 1);
  }
  return sites;
}

Weather drawWeather(const Site& site, Rng& rng, bool night) {
  Weather w;
  w.rain = rng.chance(site.rainChance);
  w.chorus = rng.chance(night ? std::min(1.0, 1.5 * site.chorusChance) : 0.4 * site.chorusChance);
  return w;
}

std::vector<float> renderBackground(const Site& site, const Weather& weather, Rng& rng, double sampleRate,
                                    size_t frames) {
  std::vector<float> out = colouredNoise(site.beta, rng, frames);
  scaleToRms(out, 1);
  if (site.windiness > 0) add(out, wind(rng, sampleRate, frames), static_cast<float>(1.5 * site.windiness));
  if (weather.rain) add(out, rain(rng, sampleRate, frames), static_cast<float>(rng.uniform(0.3, 0.8)));
  if (weather.chorus) add(out, chorus(site, rng, sampleRate, frames), static_cast<float>(rng.uniform(0.2, 0.6)));
  scaleToRms(out, 1);
  return out;
}

}  // namespace chorus::stages::synth
