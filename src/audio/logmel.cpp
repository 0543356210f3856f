#include "audio/logmel.hpp"

#include <algorithm>
#include <cmath>

namespace chorus::audio {
namespace {

const MelOptions& validated(const MelOptions& o) {
  o.validate();
  return o;
}

}  // namespace

LogMel::LogMel(MelOptions options)
    : options_(validated(options)),
      stft_(options_.nFft, options_.hop, options_.center, options_.pad, options_.power),
      filterbank_(melFilterbank(options_)) {
  // Each filter's non-zero span, copied contiguously: the product then reads memory in order.
  const int bins = stft_.bins(), mels = options_.nMels;
  binBegin_.assign(static_cast<size_t>(mels), 0);
  binEnd_.assign(static_cast<size_t>(mels), 0);
  weightOffset_.assign(static_cast<size_t>(mels), 0);
  for (int m = 0; m < mels; ++m) {
    int lo = bins, hi = 0;
    for (int k = 0; k < bins; ++k)
      if (filterbank_[static_cast<size_t>(k) * mels + m] != 0.0f) lo = std::min(lo, k), hi = k + 1;
    binBegin_[m] = lo < hi ? lo : 0;
    binEnd_[m] = lo < hi ? hi : 0;
    weightOffset_[m] = weights_.size();
    for (int k = binBegin_[m]; k < binEnd_[m]; ++k) weights_.push_back(filterbank_[static_cast<size_t>(k) * mels + m]);
  }
}

void LogMel::compute(const float* samples, size_t n, float* out) const {
  const int mels = options_.nMels;
  stft_.forEachFrame(samples, n, [&](int64_t t, const float* power) {
    float* row = out + t * mels;
    for (int m = 0; m < mels; ++m) {
      const float* w = weights_.data() + weightOffset_[m] - binBegin_[m];
      double sum = 0;  // double: a filter sums up to a few hundred bins
      for (int k = binBegin_[m]; k < binEnd_[m]; ++k) sum += double(power[k]) * w[k];
      row[m] = static_cast<float>(sum);
    }
  });
  powerToDb(out, static_cast<size_t>(frames(static_cast<int64_t>(n))) * mels, options_.amin, options_.topDb);
}

std::vector<float> LogMel::compute(const float* samples, size_t n) const {
  std::vector<float> out(static_cast<size_t>(frames(static_cast<int64_t>(n))) * options_.nMels);
  compute(samples, n, out.data());
  return out;
}

void powerToDb(float* values, size_t n, float amin, float topDb) {
  for (size_t i = 0; i < n; ++i) values[i] = 10.0f * std::log10(std::max(values[i], amin));
  if (topDb > 0 && n > 0) {
    const float floor = *std::max_element(values, values + n) - topDb;
    for (size_t i = 0; i < n; ++i) values[i] = std::max(values[i], floor);
  }
}

}  // namespace chorus::audio
