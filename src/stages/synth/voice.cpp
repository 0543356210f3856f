#include "stages/synth/voice.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "stages/synth/dsp.hpp"

namespace chorus::stages::synth {
namespace {

struct Vowel {
  double f1, f2, f3;  // formant centres, Hz (Peterson & Barney's adult averages, rounded)
};
constexpr std::array<Vowel, 6> kVowels = {{{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240},
                                           {530, 1840, 2480}, {570, 840, 2410}, {660, 1720, 2410}}};
constexpr double kBandwidths[3] = {90, 110, 170};  // formant bandwidths, Hz
constexpr double kVoiceTop = 4000;                 // harmonics above this carry little energy

// Magnitude of a second-order resonance at `f` with centre `fc` and bandwidth `bw`.
double resonance(double f, double fc, double bw) {
  double x = f / fc;
  return 1.0 / std::sqrt((1 - x * x) * (1 - x * x) + (f * bw / (fc * fc)) * (f * bw / (fc * fc)));
}

// Harmonic amplitudes for one vowel: formant resonances over a -6 dB/octave source tilt.
std::vector<double> harmonicAmplitudes(const Vowel& v, double f0, double sampleRate) {
  std::vector<double> a;
  for (int k = 1; k * f0 < std::min(kVoiceTop, 0.45 * sampleRate); ++k) {
    double f = k * f0;
    double envelope = resonance(f, v.f1, kBandwidths[0]) + 0.6 * resonance(f, v.f2, kBandwidths[1]) +
                      0.3 * resonance(f, v.f3, kBandwidths[2]);
    a.push_back(envelope * (f0 / f));
  }
  return a;
}

}  // namespace

std::vector<float> renderVoice(Rng& rng, double seconds, double sampleRate) {
  std::vector<float> out(static_cast<size_t>(seconds * sampleRate));
  double f0Mean = rng.uniform(100, 250), syllableRate = rng.uniform(3, 6);
  double intonationHz = rng.uniform(0.2, 0.5), intonationPhase = rng.uniform();
  double phase = 0;
  size_t i = 0;
  // Syllable by syllable: a vowel, a sin² envelope over the voiced part, a short consonant gap.
  while (i < out.size()) {
    double length = rng.uniform(0.7, 1.3) / syllableRate;
    double voiced = length * rng.uniform(0.7, 0.9);
    const Vowel& vowel = kVowels[rng.index(kVowels.size())];
    auto amps = harmonicAmplitudes(vowel, f0Mean, sampleRate);
    double norm = 0;
    for (double a : amps) norm += a;
    size_t n = std::min(out.size() - i, static_cast<size_t>(length * sampleRate));
    for (size_t j = 0; j < n; ++j, ++i) {
      double t = i / sampleRate, ts = j / sampleRate;
      double f0 = f0Mean * (1 + 0.08 * sineCycles(intonationHz * t + intonationPhase));
      phase += f0 / sampleRate;
      if (phase >= 1) phase -= std::floor(phase);
      if (ts >= voiced) continue;
      float env = sineCycles(0.5 * ts / voiced);
      env *= env;
      float s = 0;
      // The vowel's amplitudes were computed at the mean f0; ±8% intonation barely moves them.
      for (size_t k = 0; k < amps.size(); ++k) s += static_cast<float>(amps[k] / norm) * sineCycles((k + 1) * phase);
      out[i] = env * (s + 0.01f * static_cast<float>(rng.uniform(-1, 1)));  // a little breath
    }
  }
  normalisePeak(out, 1.0f);
  return out;
}

}  // namespace chorus::stages::synth
