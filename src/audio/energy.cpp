#include "audio/energy.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/error.hpp"

namespace chorus::audio {

EnergyProfile energyProfile(const float* samples, size_t n, int sampleRate, const EnergyOptions& o) {
  if (o.frameLength < 1 || o.hop < 1 || o.smoothFrames < 1 || sampleRate <= 0)
    throw UsageError("energy profile: frame length, hop, smoothing and sample rate must be positive");
  EnergyProfile p;
  p.sampleRate = sampleRate;
  p.hop = o.hop;
  if (n == 0) return p;

  // Frame t covers [t*hop - frame/2, t*hop + frame/2) of the zero-padded clip; mean of squares over
  // the whole frame length (padding included), as librosa.feature.rms(center=True).
  // Every frame edge is a multiple of g = gcd(hop, frame/2, frame) (or the clip's end), so each
  // block of g samples is squared and summed once, and a frame adds its frame/g block sums: 4 adds
  // at the defaults instead of 2048. No running sum: subtracting would lose the quiet frames'
  // precision after loud ones. Sums in double, like the direct loop.
  const int64_t length = static_cast<int64_t>(n), half = o.frameLength / 2;
  const int64_t g = std::gcd(std::gcd<int64_t>(o.hop, half), o.frameLength);
  std::vector<double> block(static_cast<size_t>((length + g - 1) / g), 0.0);
  for (int64_t b = 0; b < static_cast<int64_t>(block.size()); ++b) {
    double lane[4] = {0, 0, 0, 0};  // four partial sums: the loop vectorises
    int64_t i = b * g;
    const int64_t end = std::min(length, i + g);
    for (; i + 4 <= end; i += 4)
      for (int j = 0; j < 4; ++j) lane[j] += double(samples[i + j]) * samples[i + j];
    double sum = (lane[0] + lane[1]) + (lane[2] + lane[3]);
    for (; i < end; ++i) sum += double(samples[i]) * samples[i];
    block[b] = sum;
  }
  const int64_t frames = 1 + length / o.hop;
  p.rms.resize(static_cast<size_t>(frames));
  for (int64_t t = 0; t < frames; ++t) {
    const int64_t lo = std::max<int64_t>(0, t * o.hop - half);
    const int64_t hi = std::min<int64_t>(length, t * o.hop - half + o.frameLength);
    double sum = 0;
    for (int64_t b = lo / g; b * g < hi; ++b) sum += block[b];  // lo is a multiple of g
    p.rms[t] = static_cast<float>(std::sqrt(sum / o.frameLength));
  }

  // np.convolve(rms, ones(k)/k, mode="same"): full convolution, centre part; zeros beyond the ends.
  const int k = o.smoothFrames, shift = (k - 1) / 2;
  p.smoothed.resize(p.rms.size());
  for (int64_t i = 0; i < frames; ++i) {
    double sum = 0;
    for (int j = 0; j < k; ++j) {
      const int64_t src = i + shift - j;
      if (src >= 0 && src < frames) sum += p.rms[src];
    }
    p.smoothed[i] = static_cast<float>(sum / k);
  }
  p.peakFrame = std::max_element(p.smoothed.begin(), p.smoothed.end()) - p.smoothed.begin();
  p.peakSeconds = double(p.peakFrame) * o.hop / sampleRate;
  return p;
}

int64_t EnergyProfile::peakFrameFrom(double fromSeconds) const {
  const auto first = static_cast<int64_t>(std::ceil(fromSeconds * sampleRate / hop - 1e-9));
  if (first <= 0 || first >= static_cast<int64_t>(smoothed.size())) return peakFrame;
  return std::max_element(smoothed.begin() + first, smoothed.end()) - smoothed.begin();
}

int64_t centredWindowStart(int64_t centreSample, int64_t window, int64_t total, int64_t minStart) {
  if (window >= total) return 0;  // the whole clip fits in the window: the caller pads
  const int64_t lo = (minStart > 0 && minStart + window <= total) ? minStart : 0;
  return std::clamp(centreSample - window / 2, lo, total - window);
}

}  // namespace chorus::audio
