// A train clip's audio: site background, the recordist's announcement, the focal species' bouts
// through the clip, a few quieter bouts of the secondary species; stereo as two microphones.
#include <algorithm>
#include <cmath>

#include "stages/synth/calls.hpp"
#include "stages/synth/clips.hpp"
#include "stages/synth/dsp.hpp"
#include "stages/synth/voice.hpp"

namespace chorus::stages::synth {
namespace {

// The gain that puts `x` at `snrDb` (RMS over its own length) above a background of RMS 1.
float gainFor(const std::vector<float>& x, double snrDb) {
  double r = rms(x);
  return r > 0 ? static_cast<float>(std::pow(10.0, snrDb / 20) / r) : 0.f;
}

// A second microphone: the same scene a few samples later, a little quieter, with its own hiss.
std::vector<float> toStereo(const std::vector<float>& mono, Rng& rng) {
  size_t delay = static_cast<size_t>(rng.integer(1, 24));
  float gain = static_cast<float>(rng.uniform(0.6, 1.0)), hiss = static_cast<float>(0.01 * rms(mono));
  std::vector<float> out(2 * mono.size());
  for (size_t i = 0; i < mono.size(); ++i) {
    out[2 * i] = mono[i];
    out[2 * i + 1] = (i >= delay ? gain * mono[i - delay] : 0.f) + hiss * static_cast<float>(rng.uniform(-1, 1));
  }
  return out;
}

}  // namespace

std::vector<float> renderTrainClip(const TrainClip& clip, size_t index, const std::vector<Species>& species,
                                   const std::vector<Site>& sites, uint32_t seed) {
  Rng rng = Rng::stream(seed, "train-clip", index);
  const double rate = clip.sampleRate;
  const size_t frames = static_cast<size_t>(clip.seconds * rate);
  std::vector<double> where;
  for (const Site& s : sites) where.push_back(s.presence[clip.species]);
  const Site& site = sites[rng.weighted(where)];
  Weather weather = drawWeather(site, rng, false);
  weather.rain = weather.rain && rng.chance(0.3);  // recordists mostly stay in when it rains
  std::vector<float> mix = renderBackground(site, weather, rng, rate, frames);

  double t = rng.uniform(0, 0.8);
  if (clip.voiceSeconds > 0) {
    std::vector<float> voice = renderVoice(rng, clip.voiceSeconds, rate);
    mixInto(mix, 0, voice, gainFor(voice, rng.uniform(20, 30)));
    t = clip.voiceSeconds + rng.uniform(0.2, 0.8);
  }
  const double callsFrom = t;
  const CallModel& focal = species[clip.species].call;
  do {  // one bout at least, however short the clip
    std::vector<float> bout = renderBout(focal, rng, rate);
    mixInto(mix, static_cast<size_t>(t * rate), bout, gainFor(bout, clip.focalSnrDb + 2 * rng.normal()));
    t += bout.size() / rate + focal.boutGapSeconds * rng.uniform(0.5, 1.5);
  } while (t < clip.seconds - 0.3);
  for (int other : clip.secondary) {
    int bouts = rng.integer(1, 3);
    for (int b = 0; b < bouts; ++b) {
      std::vector<float> bout = renderBout(species[other].call, rng, rate);
      double start = rng.uniform(callsFrom, std::max(callsFrom, clip.seconds - 0.5));
      mixInto(mix, static_cast<size_t>(start * rate), bout, gainFor(bout, clip.focalSnrDb - rng.uniform(6, 15)));
    }
  }
  normalisePeak(mix, static_cast<float>(rng.uniform(0.3, 0.9)));
  return clip.channels == 2 ? toStereo(mix, rng) : mix;
}

}  // namespace chorus::stages::synth
