// The few signal pieces the synthesiser is built from: a table sine (fast, and the same on every
// libm), RBJ biquads, pink noise, envelopes and mixing. Everything works on float buffers at the
// file's own sample rate, so a 48 kHz clip is synthesised at 48 kHz, not resampled.
#pragma once
#include <cmath>
#include <cstddef>
#include <vector>

namespace chorus::stages::synth {

// sin(2π·cycles), linear interpolation in a 4096-entry table (error < 1e-6). Inline: it runs for
// every sample of every oscillator.
constexpr int kSineTableSize = 4096;
const float* sineTable();  // kSineTableSize + 1 entries, the last equal to the first
inline float sineCycles(double cycles) {
  static const float* const table = sineTable();
  double pos = (cycles - std::floor(cycles)) * kSineTableSize;
  int i = static_cast<int>(pos);
  if (i >= kSineTableSize) i = kSineTableSize - 1;
  float w = static_cast<float>(pos - i);
  return table[i] + w * (table[i + 1] - table[i]);
}

// A phase accumulator for a time-varying frequency: next(f) returns the sample and advances.
class Oscillator {
 public:
  explicit Oscillator(double sampleRate, double phaseCycles = 0) : step_(1.0 / sampleRate), phase_(phaseCycles) {}
  float next(double hz) {
    float s = sineCycles(phase_);
    phase_ += hz * step_;
    if (phase_ >= 1.0) phase_ -= static_cast<long>(phase_);
    return s;
  }

 private:
  double step_, phase_;
};

// Robert Bristow-Johnson's cookbook biquads, direct form I.
class Biquad {
 public:
  static Biquad lowpass(double hz, double q, double sampleRate);
  static Biquad bandpass(double hz, double q, double sampleRate);  // 0 dB peak gain
  float process(float x) {
    double y = b0_ * x + b1_ * x1_ + b2_ * x2_ - a1_ * y1_ - a2_ * y2_;
    x2_ = x1_, x1_ = x, y2_ = y1_, y1_ = y;
    return static_cast<float>(y);
  }

 private:
  Biquad(double b0, double b1, double b2, double a0, double a1, double a2)
      : b0_(b0 / a0), b1_(b1 / a0), b2_(b2 / a0), a1_(a1 / a0), a2_(a2 / a0) {}
  double b0_, b1_, b2_, a1_, a2_;
  double x1_ = 0, x2_ = 0, y1_ = 0, y2_ = 0;
};

// Paul Kellet's pink-noise filter: white in, about -3 dB/octave out, RMS kept.
class PinkFilter {
 public:
  float process(float white);

 private:
  double b_[7] = {0, 0, 0, 0, 0, 0, 0};
};

// 0 → 1 → 0 over [0, length): raised-cosine attack and release of `edge` seconds each.
float fadeEnvelope(double t, double length, double edge);

double rms(const float* x, size_t n);
inline double rms(const std::vector<float>& x) { return rms(x.data(), x.size()); }

// out[at + i] += gain · src[i], clipped to out's end.
void mixInto(std::vector<float>& out, size_t at, const std::vector<float>& src, float gain);

// Scales x so that its largest magnitude is `peak` (silence stays silence).
void normalisePeak(std::vector<float>& x, float peak);

}  // namespace chorus::stages::synth
