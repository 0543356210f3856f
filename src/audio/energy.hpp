// Per-clip energy profile for the energy crop: training windows of long clips are centred on the
// loudest stretch (where the bird most likely is), not taken at random.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chorus::audio {

struct EnergyOptions {
  int frameLength = 2048;  // samples; frames centred with zero padding, like librosa.feature.rms
  int hop = 512;
  int smoothFrames = 5;    // centred moving average (np.convolve(rms, ones(k)/k, 'same')); 1 = none
};

struct EnergyProfile {
  int sampleRate = 0;
  int hop = 0;
  std::vector<float> rms;       // librosa.feature.rms(y, frame_length, hop_length, center=True)[0]
  std::vector<float> smoothed;  // the moving average of rms
  int64_t peakFrame = -1;       // first maximum of `smoothed`; -1 for an empty clip
  double peakSeconds = 0;       // centre of the peak frame: peakFrame * hop / sampleRate

  // The first maximum of `smoothed` among frames whose centre is at or after fromSeconds (a crop
  // that must skip a leading voice note); falls back to peakFrame when no frame is that late.
  int64_t peakFrameFrom(double fromSeconds) const;
  int64_t frameCentreSample(int64_t frame) const { return frame * hop; }
};

EnergyProfile energyProfile(const float* samples, size_t n, int sampleRate, const EnergyOptions& options = {});

// Start of a window of `window` samples centred on centreSample, moved as little as needed to lie
// inside [minStart, total) (and inside [0, total) if the clip is too short for minStart).
// The caller adds its own random jitter to centreSample.
int64_t centredWindowStart(int64_t centreSample, int64_t window, int64_t total, int64_t minStart = 0);

}  // namespace chorus::audio
