#include "dataset/options.hpp"

#include <string>

#include "core/error.hpp"

namespace chorus::dataset {

AugmentOptions AugmentOptions::none() {
  AugmentOptions o;
  for (Probability* p : {&o.roll, &o.colouredNoise, &o.background, &o.gain, &o.freqMask, &o.timeMask}) p->on = false;
  return o;
}

namespace {

void checkProbability(const char* name, const Probability& p) {
  if (!(p.p >= 0 && p.p <= 1)) throw UsageError(std::string(name) + " probability must be in [0, 1], got " + std::to_string(p.p));
}

void checkRange(const char* name, double low, double high) {
  if (!(low <= high)) throw UsageError(std::string(name) + ": minimum " + std::to_string(low) + " is above maximum " + std::to_string(high));
}

}  // namespace

void AugmentOptions::validate() const {
  checkProbability("roll", roll);
  checkProbability("coloured noise", colouredNoise);
  checkProbability("background", background);
  checkProbability("gain", gain);
  checkProbability("frequency mask", freqMask);
  checkProbability("time mask", timeMask);
  checkRange("coloured noise SNR", noiseSnrMin, noiseSnrMax);
  checkRange("coloured noise beta", noiseBetaMin, noiseBetaMax);
  checkRange("background SNR", backgroundSnrMin, backgroundSnrMax);
  if (gainDb < 0) throw UsageError("gain must not be negative, got " + std::to_string(gainDb));
  if (freqMaskBins < 1) throw UsageError("frequency mask width must be at least 1 bin");
  if (timeMaskFrames < 1) throw UsageError("time mask width must be at least 1 frame");
}

}  // namespace chorus::dataset
