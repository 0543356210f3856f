// Sample-rate conversion with libsoxr at SOXR_HQ, the quality librosa calls "soxr_hq" (its default).
#pragma once
#include <cstddef>
#include <vector>

namespace chorus::audio {

// ceil(n * toRate / fromRate): librosa.resample's length (fix=True), so a 10 s clip at 16 kHz gives
// exactly 320,000 samples at 32 kHz.
size_t resampledLength(size_t n, int fromRate, int toRate);

// One-shot conversion of a whole mono signal; returns a copy when the rates are equal.
// Throws chorus::Error with soxr's message if soxr fails.
std::vector<float> resample(const float* samples, size_t n, int fromRate, int toRate);

}  // namespace chorus::audio
