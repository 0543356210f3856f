#include "dataset/augment.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "dataset/background.hpp"

namespace chorus::dataset {

namespace {

double power(float db) { return std::pow(10.0, double(db) / 10.0); }

double totalPower(const Window& w) {
  double sum = 0;
  for (float v : w.db) sum += power(v);
  return sum;
}

}  // namespace

void mixAtSnr(Window& w, const Window& other, double snrDb) {
  if (w.mels != other.mels || w.frames != other.frames)
    throw Error("mixAtSnr: windows of different shapes (" + std::to_string(w.mels) + "x" + std::to_string(w.frames) +
                " and " + std::to_string(other.mels) + "x" + std::to_string(other.frames) + ")");
  const double pw = totalPower(w), po = totalPower(other);
  if (!(po > 0)) return;  // nothing to add
  const double gain = pw / po / std::pow(10.0, snrDb / 10.0);
  for (size_t i = 0; i < w.db.size(); ++i) w.db[i] = float(10.0 * std::log10(power(w.db[i]) + gain * power(other.db[i])));
}

void rollTime(Window& w, int shift) {
  shift = ((shift % w.frames) + w.frames) % w.frames;
  for (int m = 0; m < w.mels; ++m) {
    float* row = w.db.data() + size_t(m) * size_t(w.frames);
    std::rotate(row, row + (w.frames - shift), row + w.frames);  // row[t] -> row[t + shift]
  }
}

void addGain(Window& w, double db) {
  for (float& v : w.db) v = float(double(v) + db);
}

void maskMels(Window& w, int first, int count, float value) {
  for (int m = std::max(0, first); m < std::min(w.mels, first + count); ++m)
    std::fill_n(w.db.begin() + ptrdiff_t(m) * w.frames, w.frames, value);
}

void maskFrames(Window& w, int first, int count, float value) {
  for (int m = 0; m < w.mels; ++m)
    for (int t = std::max(0, first); t < std::min(w.frames, first + count); ++t) w.at(m, t) = value;
}

Window colouredNoise(const std::vector<float>& filterbank, int mels, int frames, double beta, double sampleRate,
                     ExampleRng& rng) {
  const size_t bins = filterbank.size() / size_t(mels);
  if (bins < 2 || bins * size_t(mels) != filterbank.size()) throw Error("colouredNoise: filterbank is not bins x mels");
  // PSD f^-beta per STFT bin (DC left out: f^-beta is infinite there), then the Hann window's
  // leakage into the neighbouring bins ([1/4, 1, 1/4] of power): without it a steep (brown)
  // spectrum comes out several dB too low in the lowest mel bins.
  std::vector<double> psd(bins, 0.0), seen(bins, 0.0);
  for (size_t f = 1; f < bins; ++f) psd[f] = std::pow(double(f) * (sampleRate / 2) / double(bins - 1), -beta);
  for (size_t f = 0; f < bins; ++f)
    seen[f] = (psd[f] + 0.25 * ((f > 0 ? psd[f - 1] : 0.0) + (f + 1 < bins ? psd[f + 1] : 0.0))) / 1.5;
  std::vector<double> shape(size_t(mels), 0.0);  // expected power of each mel bin
  for (size_t f = 0; f < bins; ++f)
    for (int m = 0; m < mels; ++m) shape[size_t(m)] += double(filterbank[f * size_t(mels) + size_t(m)]) * seen[f];
  const double peak = *std::max_element(shape.begin(), shape.end());
  Window w{mels, frames, std::vector<float>(size_t(mels) * size_t(frames))};
  for (int m = 0; m < mels; ++m)
    for (int t = 0; t < frames; ++t) {
      // Scaled to a peak of 1 so float dB keeps the precision; the mix sets the level anyway.
      const double cell = shape[size_t(m)] / peak * rng.exponential();
      w.at(m, t) = float(10.0 * std::log10(std::max(cell, 1e-30)));
    }
  return w;
}

void augment(Window& w, const AugmentOptions& o, const AugmentContext& c, uint64_t seed, int64_t epoch, uint64_t slot) {
  auto draw = [&](Stream s) { return ExampleRng(seed, epoch, slot, s); };
  if (o.roll.on) {
    auto rng = draw(Stream::Roll);
    if (rng.chance(o.roll.p)) rollTime(w, int(rng.integer(0, w.frames - 1)));
  }
  if (o.background.on && c.background && !c.background->empty()) {
    auto rng = draw(Stream::Background);
    if (rng.chance(o.background.p)) {
      const auto entry = size_t(rng.integer(0, int64_t(c.background->entries().size()) - 1));
      const double snr = rng.uniform(o.backgroundSnrMin, o.backgroundSnrMax);
      mixAtSnr(w, c.background->read(entry), snr);
    }
  }
  if (o.colouredNoise.on && c.filterbank) {
    auto rng = draw(Stream::ColouredNoise);
    if (rng.chance(o.colouredNoise.p)) {
      const double snr = rng.uniform(o.noiseSnrMin, o.noiseSnrMax);
      const double beta = rng.uniform(o.noiseBetaMin, o.noiseBetaMax);
      mixAtSnr(w, colouredNoise(*c.filterbank, w.mels, w.frames, beta, c.sampleRate, rng), snr);
    }
  }
  if (o.gain.on) {
    auto rng = draw(Stream::Gain);
    if (rng.chance(o.gain.p)) addGain(w, rng.uniform(-o.gainDb, o.gainDb));
  }
  if (o.freqMask.on) {
    auto rng = draw(Stream::FreqMask);
    if (rng.chance(o.freqMask.p)) {
      const int width = int(rng.integer(1, std::min(o.freqMaskBins, w.mels)));
      maskMels(w, int(rng.integer(0, w.mels - width)), width, c.maskValueDb);
    }
  }
  if (o.timeMask.on) {
    auto rng = draw(Stream::TimeMask);
    if (rng.chance(o.timeMask.p)) {
      const int width = int(rng.integer(1, std::min(o.timeMaskFrames, w.frames)));
      maskFrames(w, int(rng.integer(0, w.frames - width)), width, c.maskValueDb);
    }
  }
}

}  // namespace chorus::dataset
