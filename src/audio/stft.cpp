#include "audio/stft.hpp"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <string>

#include "core/error.hpp"

namespace chorus::audio {
namespace {

// FFTW's planner shares global state; execution of an existing plan is thread-safe.
std::mutex& plannerMutex() {
  static std::mutex m;
  return m;
}

template <class T>
struct FftwFree {
  void operator()(T* p) const { fftwf_free(p); }
};
template <class T>
using FftwBuffer = std::unique_ptr<T, FftwFree<T>>;

FftwBuffer<float> realBuffer(int n) { return FftwBuffer<float>(fftwf_alloc_real(static_cast<size_t>(n))); }
FftwBuffer<fftwf_complex> complexBuffer(int n) {
  return FftwBuffer<fftwf_complex>(fftwf_alloc_complex(static_cast<size_t>(n)));
}

// Index into the padded signal -> index into the clip. Reflect mirrors without repeating the edge
// sample (numpy/torch "reflect"), repeatedly for pads longer than the clip, like numpy.
int64_t reflectIndex(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

}  // namespace

struct Stft::Plan {
  fftwf_plan plan = nullptr;
};

Stft::Stft(int nFft, int hop, bool center, PadMode pad, float power)
    : nFft_(nFft), hop_(hop), center_(center), pad_(pad), power_(power), plan_(std::make_unique<Plan>()) {
  if (nFft < 2 || hop < 1 || !(power > 0))
    throw UsageError("STFT needs n_fft >= 2, hop >= 1 and power > 0 (got " + std::to_string(nFft) + ", " +
                     std::to_string(hop) + ", " + std::to_string(power) + ")");
  // Periodic Hann (torch.hann_window(periodic=True), scipy get_window('hann')), computed in double.
  window_.resize(static_cast<size_t>(nFft));
  const double pi = std::acos(-1.0);
  for (int i = 0; i < nFft; ++i) window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * pi * i / nFft));

  auto in = realBuffer(nFft);
  auto out = complexBuffer(bins());
  std::lock_guard<std::mutex> lock(plannerMutex());
  // ESTIMATE: the same algorithm on every run and rank, so features are bit-reproducible.
  plan_->plan = fftwf_plan_dft_r2c_1d(nFft, in.get(), out.get(), FFTW_ESTIMATE);
  if (!plan_->plan) throw Error("fftwf_plan_dft_r2c_1d(" + std::to_string(nFft) + ") failed");
}

Stft::~Stft() {
  std::lock_guard<std::mutex> lock(plannerMutex());
  fftwf_destroy_plan(plan_->plan);
}

int64_t Stft::frames(int64_t samples) const {
  if (samples <= 0) return 0;
  if (center_) return 1 + samples / hop_;
  return samples < nFft_ ? 0 : 1 + (samples - nFft_) / hop_;
}

void Stft::forEachFrame(const float* samples, size_t n, const std::function<void(int64_t, const float*)>& visit) const {
  const int64_t count = frames(static_cast<int64_t>(n));
  if (count == 0) return;
  // Buffers from fftwf_malloc have the alignment the plan was made for (new-array execute rule).
  auto in = realBuffer(nFft_);
  auto spectrum = complexBuffer(bins());
  std::vector<float> power(static_cast<size_t>(bins()));
  const int64_t length = static_cast<int64_t>(n);
  const int64_t offset = center_ ? nFft_ / 2 : 0;

  for (int64_t t = 0; t < count; ++t) {
    const int64_t start = t * hop_ - offset;
    float* frame = in.get();
    if (start >= 0 && start + nFft_ <= length) {
      for (int i = 0; i < nFft_; ++i) frame[i] = samples[start + i] * window_[i];
    } else {  // an edge frame: pad
      for (int i = 0; i < nFft_; ++i) {
        const int64_t j = start + i;
        float x;
        if (j >= 0 && j < length) x = samples[j];
        else x = pad_ == PadMode::Reflect ? samples[reflectIndex(j, length)] : 0.0f;
        frame[i] = x * window_[i];
      }
    }
    fftwf_execute_dft_r2c(plan_->plan, frame, spectrum.get());
    const fftwf_complex* X = spectrum.get();
    const int b = bins();
    float* p = power.data();
    for (int k = 0; k < b; ++k) p[k] = X[k][0] * X[k][0] + X[k][1] * X[k][1];  // vectorises: no branch
    if (power_ == 1.0f) {
      for (int k = 0; k < b; ++k) p[k] = std::sqrt(p[k]);
    } else if (power_ != 2.0f) {
      for (int k = 0; k < b; ++k) p[k] = std::pow(p[k], power_ / 2.0f);
    }
    visit(t, power.data());
  }
}

}  // namespace chorus::audio
