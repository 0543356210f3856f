#include "stages/synth/dsp.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace chorus::stages::synth {

const float* sineTable() {
  static const std::array<float, kSineTableSize + 1> table = [] {
    std::array<float, kSineTableSize + 1> t{};
    for (int i = 0; i <= kSineTableSize; ++i) t[i] = static_cast<float>(std::sin(2.0 * M_PI * i / kSineTableSize));
    return t;
  }();
  return table.data();
}

Biquad Biquad::lowpass(double hz, double q, double sampleRate) {
  double w = 2 * M_PI * hz / sampleRate, alpha = std::sin(w) / (2 * q), c = std::cos(w);
  return Biquad((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

Biquad Biquad::bandpass(double hz, double q, double sampleRate) {
  double w = 2 * M_PI * hz / sampleRate, alpha = std::sin(w) / (2 * q), c = std::cos(w);
  return Biquad(alpha, 0, -alpha, 1 + alpha, -2 * c, 1 - alpha);
}

float PinkFilter::process(float white) {
  b_[0] = 0.99886 * b_[0] + white * 0.0555179;
  b_[1] = 0.99332 * b_[1] + white * 0.0750759;
  b_[2] = 0.96900 * b_[2] + white * 0.1538520;
  b_[3] = 0.86650 * b_[3] + white * 0.3104856;
  b_[4] = 0.55000 * b_[4] + white * 0.5329522;
  b_[5] = -0.7616 * b_[5] - white * 0.0168980;
  double pink = b_[0] + b_[1] + b_[2] + b_[3] + b_[4] + b_[5] + b_[6] + white * 0.5362;
  b_[6] = white * 0.115926;
  return static_cast<float>(pink / 3.04);  // unit RMS out for unit-RMS white in (measured)
}

float fadeEnvelope(double t, double length, double edge) {
  if (t < 0 || t >= length) return 0.f;
  edge = std::min(edge, length / 2);
  if (edge <= 0) return 1.f;
  double d = std::min(t, length - t);
  if (d >= edge) return 1.f;
  return static_cast<float>(0.5 - 0.5 * std::cos(M_PI * d / edge));
}

double rms(const float* x, size_t n) {
  if (n == 0) return 0;
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += double(x[i]) * x[i];
  return std::sqrt(s / n);
}

void mixInto(std::vector<float>& out, size_t at, const std::vector<float>& src, float gain) {
  if (at >= out.size()) return;
  size_t n = std::min(src.size(), out.size() - at);
  for (size_t i = 0; i < n; ++i) out[at + i] += gain * src[i];
}

void normalisePeak(std::vector<float>& x, float peak) {
  float top = 0;
  for (float v : x) top = std::max(top, std::fabs(v));
  if (top <= 0) return;
  float g = peak / top;
  for (float& v : x) v *= g;
}

}  // namespace chorus::stages::synth
