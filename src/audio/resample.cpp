#include "audio/resample.hpp"

#include <soxr.h>

#include <algorithm>
#include <string>

#include "core/error.hpp"

namespace chorus::audio {

size_t resampledLength(size_t n, int fromRate, int toRate) {
  // Exact integer ceil(n * to / from); n * to fits in 64 bits for any real clip.
  const auto num = static_cast<unsigned long long>(n) * static_cast<unsigned long long>(toRate);
  return static_cast<size_t>((num + fromRate - 1) / fromRate);
}

std::vector<float> resample(const float* samples, size_t n, int fromRate, int toRate) {
  if (fromRate <= 0 || toRate <= 0)
    throw Error("resample: sample rates must be positive (" + std::to_string(fromRate) + " -> " +
                std::to_string(toRate) + ")");
  if (fromRate == toRate) return std::vector<float>(samples, samples + n);
  const size_t length = resampledLength(n, fromRate, toRate);
  if (n == 0) return {};

  // As python-soxr's one-shot call (what librosa's soxr_hq runs): room for one extra sample, one
  // thread (the result does not depend on the thread count, but the caller parallelises over files).
  std::vector<float> out(static_cast<size_t>(double(n) * toRate / fromRate) + 1);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  size_t produced = 0;
  const soxr_error_t err = soxr_oneshot(fromRate, toRate, 1, samples, n, nullptr, out.data(), out.size(),
                                        &produced, &io, &quality, &runtime);
  if (err)
    throw Error("soxr_oneshot " + std::to_string(fromRate) + " -> " + std::to_string(toRate) + " Hz: " + err);
  // librosa.resample(fix=True): truncate or zero-pad to ceil(n * to / from).
  out.resize(produced);
  out.resize(length, 0.0f);
  return out;
}

}  // namespace chorus::audio
