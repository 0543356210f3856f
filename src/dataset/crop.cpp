#include "dataset/crop.hpp"

#include <algorithm>
#include <cmath>

#include "audio/energy.hpp"
#include "store/layout.hpp"

namespace chorus::dataset {

ClipTiming clipTiming(const store::StoreItem& item, double framesPerSecond, double energyHopRatio) {
  ClipTiming c;
  c.frames = item.frameCount;
  const int64_t peak = item.energyPeakAfterLead >= 0 ? item.energyPeakAfterLead : item.energyPeakFrame;
  // A peak past the mel frames (a rounding edge) is clamped.
  if (peak >= 0) c.peakFrame = std::min<int64_t>(std::llround(double(peak) * energyHopRatio), c.frames - 1);
  c.leadEndFrame = int64_t(std::ceil(item.leadEnd * framesPerSecond - 1e-9));
  return c;
}

int64_t peakFromMel(const std::vector<float>& mel, int mels, int64_t fromFrame, int smoothFrames) {
  const int64_t n = int64_t(mel.size()) / mels;
  if (n == 0) return -1;
  const int64_t from = (fromFrame > 0 && fromFrame < n) ? fromFrame : 0;
  // Frames before `from` count as silent, so a loud announcement does not leak through the
  // smoothing into the first frames after it.
  std::vector<double> energy(size_t(n), 0.0);
  for (int64_t t = from; t < n; ++t)
    for (int m = 0; m < mels; ++m) energy[size_t(t)] += std::pow(10.0, double(mel[size_t(t * mels + m)]) / 10.0);
  // Centred moving average, zeros beyond the edges (np.convolve(e, ones(k)/k, 'same')).
  const int k = std::max(1, smoothFrames), before = k / 2;
  std::vector<double> smooth(size_t(n), 0.0);
  for (int64_t t = 0; t < n; ++t) {
    double sum = 0;
    for (int64_t j = t - before; j < t - before + k; ++j)
      if (j >= 0 && j < n) sum += energy[size_t(j)];
    smooth[size_t(t)] = sum / k;
  }
  return std::max_element(smooth.begin() + from, smooth.end()) - smooth.begin();
}

int64_t cropStart(const ClipTiming& clip, int window, const CropOptions& options, double framesPerSecond,
                  ExampleRng* rng) {
  if (clip.frames <= window) return 0;
  const int64_t minStart = options.avoidLead ? clip.leadEndFrame : 0;
  if (options.mode == CropMode::Energy && clip.peakFrame >= 0) {
    int64_t centre = clip.peakFrame;
    if (rng && options.jitterSeconds > 0)
      centre += std::llround(rng->uniform(-options.jitterSeconds, options.jitterSeconds) * framesPerSecond);
    return audio::centredWindowStart(centre, window, clip.frames, minStart);
  }
  // Random crop (or an energy crop without a peak): any start in the usable part.
  const int64_t last = clip.frames - window;
  const int64_t first = std::min(minStart, last);
  return rng ? rng->integer(first, last) : (first + last) / 2;
}

}  // namespace chorus::dataset
