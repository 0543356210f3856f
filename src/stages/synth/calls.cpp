#include "stages/synth/calls.hpp"

#include <algorithm>
#include <cmath>

#include "stages/synth/dsp.hpp"

namespace chorus::stages::synth {
namespace {

// A tone with the model's harmonics at a frequency that may change every sample; harmonics above
// 0.45 of the sample rate are left out (they would fold back as aliases).
class HarmonicTone {
 public:
  HarmonicTone(const CallModel& m, double sampleRate) : model_(m), rate_(sampleRate) {}
  float next(double hz) {
    float s = sineCycles(phase_);
    for (int k = 2; k <= 4; ++k)
      if (model_.harmonics[k - 2] > 0 && k * hz < 0.45 * rate_) s += model_.harmonics[k - 2] * sineCycles(k * phase_);
    phase_ += hz / rate_;
    if (phase_ >= 1.0) phase_ -= std::floor(phase_);
    return s;
  }

 private:
  const CallModel& model_;
  double rate_, phase_ = 0;
};

struct BoutContext {
  const CallModel& m;
  Rng& rng;
  double rate;
  double pitch, tempo;  // this bout's deviation from the species' mean
  double lo() const { return m.fLow * pitch; }
  double hi() const { return m.fHigh * pitch; }
  size_t frames(double seconds) const { return static_cast<size_t>(std::max(seconds, 0.0) * rate); }
};

double sweepShape(int sweep, double u) {
  if (sweep > 0) return u;
  if (sweep < 0) return 1 - u;
  return std::sin(M_PI * u);
}

std::vector<float> whistle(BoutContext& c) {
  int notes = c.rng.integer(c.m.notesMin, c.m.notesMax);
  std::vector<std::pair<double, double>> spans;  // start, length in seconds
  double t = 0;
  for (int j = 0; j < notes; ++j) {
    double length = c.m.noteSeconds * c.tempo * c.rng.uniform(0.85, 1.15);
    spans.push_back({t, length});
    t += length + c.m.noteGapSeconds * c.tempo * c.rng.uniform(0.8, 1.2);
  }
  std::vector<float> out(c.frames(spans.back().first + spans.back().second));
  HarmonicTone tone(c.m, c.rate);
  for (auto [start, length] : spans) {
    double jitter = c.rng.uniform(0.98, 1.02);
    size_t first = c.frames(start), n = c.frames(length);
    for (size_t i = 0; i < n && first + i < out.size(); ++i) {
      double u = double(i) / n;
      double hz = (c.lo() + (c.hi() - c.lo()) * sweepShape(c.m.sweep, u)) * jitter;
      out[first + i] = fadeEnvelope(i / c.rate, length, 0.25 * length) * tone.next(hz);
    }
  }
  return out;
}

std::vector<float> trill(BoutContext& c, double length) {
  std::vector<float> out(c.frames(length));
  double period = c.tempo / c.m.elementRate, element = c.m.noteSeconds * c.tempo;
  HarmonicTone tone(c.m, c.rate);
  for (size_t i = 0; i < out.size(); ++i) {
    double t = i / c.rate, within = std::fmod(t, period);
    if (within >= element) continue;
    double hz = c.lo() + (c.hi() - c.lo()) * sweepShape(c.m.sweep, within / element);
    out[i] = fadeEnvelope(within, element, 0.3 * element) * tone.next(hz);
  }
  return out;
}

std::vector<float> buzz(BoutContext& c, double length) {
  std::vector<float> out(c.frames(length));
  double centre = std::sqrt(c.lo() * c.hi()), half = (c.hi() - c.lo()) / 2, r = c.m.elementRate / c.tempo;
  HarmonicTone tone(c.m, c.rate);
  for (size_t i = 0; i < out.size(); ++i) {
    double t = i / c.rate;
    float gate = 0.5f + 0.5f * sineCycles(r * t + 0.25);
    out[i] = gate * tone.next(centre + half * sineCycles(r * t));
  }
  return out;
}

std::vector<float> pulses(BoutContext& c, double length) {
  std::vector<float> out(c.frames(length));
  double period = c.tempo / c.m.elementRate, pulse = c.m.noteSeconds * c.tempo;
  HarmonicTone tone(c.m, c.rate);
  for (size_t i = 0; i < out.size(); ++i) {
    double t = i / c.rate, within = std::fmod(t, period);
    double hz = c.hi() - (c.hi() - c.lo()) * (t / length);  // the carrier sags through the bout
    float s = tone.next(hz);
    if (within < pulse) out[i] = fadeEnvelope(within, pulse, 0.1 * pulse) * std::exp(-3 * within / pulse) * s;
  }
  return out;
}

std::vector<float> insectTone(BoutContext& c, double length) {
  std::vector<float> out(c.frames(length));
  double hz = std::sqrt(c.lo() * c.hi()), r = c.m.elementRate / c.tempo;
  HarmonicTone tone(c.m, c.rate);
  for (size_t i = 0; i < out.size(); ++i) {
    double t = i / c.rate;
    float gate = std::clamp(0.5f + 1.5f * sineCycles(r * t), 0.f, 1.f);
    out[i] = gate * tone.next(hz);
  }
  return out;
}

std::vector<float> howl(BoutContext& c, double length) {
  std::vector<float> out(c.frames(length));
  HarmonicTone tone(c.m, c.rate);
  for (size_t i = 0; i < out.size(); ++i) {
    double t = i / c.rate;
    double hz = (c.lo() + (c.hi() - c.lo()) * std::sin(M_PI * t / length)) * (1 + 0.03 * sineCycles(c.m.elementRate * t));
    out[i] = tone.next(hz);
  }
  return out;
}

// Band noise (buzzes, barks, breath) gated by the tonal part's envelope, mixed in at `share`.
void addBandNoise(BoutContext& c, std::vector<float>& out, double share) {
  if (share <= 0 || out.empty()) return;
  double centre = std::sqrt(c.lo() * c.hi());
  Biquad band = Biquad::bandpass(centre, std::max(0.7, centre / (c.hi() - c.lo())), c.rate);
  std::vector<float> noise(out.size());
  double level = 0;
  for (size_t i = 0; i < noise.size(); ++i) {
    noise[i] = band.process(static_cast<float>(c.rng.uniform(-1, 1))) * std::fabs(out[i]);
    level += std::fabs(noise[i]);
  }
  double tonal = 0;
  for (float v : out) tonal += std::fabs(v);
  float gain = level > 0 ? static_cast<float>(share / (1 - share + 1e-9) * tonal / level) : 0.f;
  for (size_t i = 0; i < out.size(); ++i) out[i] += gain * noise[i];
}

}  // namespace

std::vector<float> renderBout(const CallModel& model, Rng& rng, double sampleRate) {
  BoutContext c{model, rng, sampleRate, std::clamp(1 + 0.015 * rng.normal(), 0.97, 1.03),
                std::clamp(1 + 0.025 * rng.normal(), 0.95, 1.05)};
  double length = model.boutSeconds * c.tempo * rng.uniform(0.8, 1.2);
  std::vector<float> out;
  switch (model.kind) {
    case CallKind::Whistle: out = whistle(c); break;
    case CallKind::Trill: out = trill(c, length); break;
    case CallKind::Buzz: out = buzz(c, length); break;
    case CallKind::PulseTrain: out = pulses(c, length); break;
    case CallKind::InsectTone: out = insectTone(c, length); break;
    case CallKind::Howl: out = howl(c, length); break;
  }
  addBandNoise(c, out, model.noise);
  // Bouts longer than a few milliseconds start and end softly whatever their kind.
  double seconds = out.size() / sampleRate;
  for (size_t i = 0; i < out.size(); ++i) out[i] *= fadeEnvelope(i / sampleRate, seconds, std::min(0.02, seconds / 4));
  normalisePeak(out, 1.0f);
  return out;
}

}  // namespace chorus::stages::synth
