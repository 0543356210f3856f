// Triangular mel filters. Two arithmetics, each copying its reference library, because a weight that
// differs by 1e-5 moves a log-mel cell by up to 1e-3 dB:
//  - HTK scale: torchaudio.functional.melscale_fbanks, in float32 as torch computes it (linspace with
//    a fused multiply-add from both ends, float32 triangle slopes);
//  - Slaney scale: librosa.filters.mel, in double, cast to float at the end.
#include <cmath>

#include "audio/logmel.hpp"

namespace chorus::audio {
namespace {

constexpr double kSlaneyStep = 200.0 / 3.0;  // Hz per mel below 1 kHz
constexpr double kSlaneyBreakHz = 1000.0;
constexpr double kSlaneyBreakMel = kSlaneyBreakHz / kSlaneyStep;  // 15
const double kSlaneyLogStep = std::log(6.4) / 27.0;

double hzToMel(double hz, MelScale scale) {
  if (scale == MelScale::Htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz < kSlaneyBreakHz) return hz / kSlaneyStep;
  return kSlaneyBreakMel + std::log(hz / kSlaneyBreakHz) / kSlaneyLogStep;
}

double melToHz(double mel, MelScale scale) {
  if (scale == MelScale::Htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel < kSlaneyBreakMel) return mel * kSlaneyStep;
  return kSlaneyBreakHz * std::exp(kSlaneyLogStep * (mel - kSlaneyBreakMel));
}

// torch.linspace for float32 on CPU: float step, first half fma(step, i, start), second half
// fma(-step, steps-1-i, end), so both ends are exact.
std::vector<float> torchLinspace(double start, double end, int steps) {
  const float a = static_cast<float>(start), b = static_cast<float>(end);
  const float step = (b - a) / static_cast<float>(steps - 1);
  std::vector<float> v(static_cast<size_t>(steps));
  for (int i = 0; i < steps; ++i)
    v[i] = i < steps / 2 ? std::fma(step, float(i), a) : std::fma(-step, float(steps - 1 - i), b);
  return v;
}

std::vector<float> torchaudioFilterbank(const MelOptions& o) {
  const int bins = o.nFft / 2 + 1, mels = o.nMels;
  const std::vector<float> freqs = torchLinspace(0, o.sampleRate / 2, bins);
  std::vector<float> edge = torchLinspace(hzToMel(o.fMin, o.scale), hzToMel(o.fMax, o.scale), mels + 2);
  for (float& m : edge)  // 700 * (10 ** (m / 2595) - 1), each step rounded to float32 as in torch
    m = o.scale == MelScale::Htk ? 700.0f * (static_cast<float>(std::pow(10.0, double(m / 2595.0f))) - 1.0f)
                                 : static_cast<float>(melToHz(m, o.scale));
  std::vector<float> fb(static_cast<size_t>(bins) * mels);
  for (int k = 0; k < bins; ++k)
    for (int m = 0; m < mels; ++m) {
      const float down = (-1.0f * (edge[m] - freqs[k])) / (edge[m + 1] - edge[m]);
      const float up = (edge[m + 2] - freqs[k]) / (edge[m + 2] - edge[m + 1]);
      float w = std::max(0.0f, std::min(down, up));
      if (o.norm == MelNorm::Slaney) w *= 2.0f / (edge[m + 2] - edge[m]);
      fb[static_cast<size_t>(k) * mels + m] = w;
    }
  return fb;
}

std::vector<float> librosaFilterbank(const MelOptions& o) {
  const int bins = o.nFft / 2 + 1, mels = o.nMels;
  const double melLo = hzToMel(o.fMin, o.scale), melHi = hzToMel(o.fMax, o.scale);
  std::vector<double> edge(static_cast<size_t>(mels) + 2);
  for (size_t i = 0; i < edge.size(); ++i)
    edge[i] = melToHz(melLo + (melHi - melLo) * double(i) / double(edge.size() - 1), o.scale);
  std::vector<float> fb(static_cast<size_t>(bins) * mels);
  for (int k = 0; k < bins; ++k) {
    const double f = double(k) * o.sampleRate / o.nFft;  // np.fft.rfftfreq
    for (int m = 0; m < mels; ++m) {
      const double rise = (f - edge[m]) / (edge[m + 1] - edge[m]);
      const double fall = (edge[m + 2] - f) / (edge[m + 2] - edge[m + 1]);
      double w = std::max(0.0, std::min(rise, fall));
      if (o.norm == MelNorm::Slaney) w *= 2.0 / (edge[m + 2] - edge[m]);  // unit area per filter
      fb[static_cast<size_t>(k) * mels + m] = static_cast<float>(w);
    }
  }
  return fb;
}

}  // namespace

std::vector<float> melFilterbank(const MelOptions& o) {
  return o.scale == MelScale::Htk ? torchaudioFilterbank(o) : librosaFilterbank(o);
}

}  // namespace chorus::audio
