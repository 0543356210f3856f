#include "dataset/options.hpp"

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "core/error.hpp"

namespace chorus::dataset {

AugmentOptions AugmentOptions::none() {
  AugmentOptions o;
  for (Probability* p : {&o.roll, &o.colouredNoise, &o.background, &o.gain, &o.freqMask, &o.timeMask}) p->on = false;
  return o;
}

const char* cropModeName(CropMode mode) { return mode == CropMode::Energy ? "energy" : "random"; }

void CropOptions::addTo(CLI::App& app) {
  static const std::map<std::string, CropMode> kModes = {{"energy", CropMode::Energy}, {"random", CropMode::Random}};
  app.add_option("--crop", mode,
                 "Training crop of clips longer than 5 s: energy (centred on the clip's energy peak, with "
                 "jitter) or random")
      ->transform(CLI::CheckedTransformer(kModes, CLI::ignore_case))
      ->option_text(std::string("energy|random (default ") + cropModeName(mode) + ")");
  app.add_option("--crop-jitter", jitterSeconds, "Energy crop: the centre moves by uniform(-s, +s) seconds (0: none)")
      ->capture_default_str();
  app.add_flag("--crop-avoid-lead,!--no-crop-avoid-lead", avoidLead,
               std::string("Crops start after a clip's leading voice announcement or silence (default ") +
                   (avoidLead ? "on)" : "off)"));
}

void CropOptions::validate() const {
  if (!(jitterSeconds >= 0)) throw UsageError("crop jitter must not be negative, got " + std::to_string(jitterSeconds));
}

namespace {

// --NAME,!--no-NAME and --NAME-p for one augmentation.
void addSwitch(CLI::App& app, const std::string& name, Probability& p, const std::string& what) {
  app.add_flag("--" + name + ",!--no-" + name, p.on,
               "Augmentation: " + what + (p.on ? " (default on" : " (default off") + "; --no-" + name + ": never)");
  app.add_option("--" + name + "-p", p.p, "Probability of " + what + " per training example")->capture_default_str();
}

}  // namespace

void AugmentOptions::addTo(CLI::App& app) {
  // In the order they are applied: powers first (mixing adds powers), then dB gain, then masks.
  addSwitch(app, "roll", roll, "a cyclic roll in time by a uniform offset");
  addSwitch(app, "coloured-noise", colouredNoise, "coloured f^-beta noise");
  app.add_option("--noise-snr-min", noiseSnrMin, "Coloured noise SNR, lowest (dB)")->capture_default_str();
  app.add_option("--noise-snr-max", noiseSnrMax, "Coloured noise SNR, highest (dB)")->capture_default_str();
  app.add_option("--noise-beta-min", noiseBetaMin, "Coloured noise spectrum exponent, lowest (0 white)")->capture_default_str();
  app.add_option("--noise-beta-max", noiseBetaMax, "Coloured noise spectrum exponent, highest (2 brown)")->capture_default_str();
  addSwitch(app, "background", background, "background noise from a real soundscape window");
  app.add_option("--background-snr-min", backgroundSnrMin, "Background SNR, lowest (dB)")->capture_default_str();
  app.add_option("--background-snr-max", backgroundSnrMax, "Background SNR, highest (dB)")->capture_default_str();
  addSwitch(app, "gain", gain, "a random gain");
  app.add_option("--gain-db", gainDb, "Gain drawn uniformly in [-dB, +dB]")->capture_default_str();
  addSwitch(app, "freq-mask", freqMask, "a SpecAugment frequency mask");
  app.add_option("--freq-mask-bins", freqMaskBins, "Frequency mask width: 1..this many mel bins")->capture_default_str();
  addSwitch(app, "time-mask", timeMask, "a SpecAugment time mask");
  app.add_option("--time-mask-frames", timeMaskFrames, "Time mask width: 1..this many frames")->capture_default_str();
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
