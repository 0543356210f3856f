// Short-time power spectrum with FFTW3 (single precision): periodic Hann window of nFft samples,
// optional centring with reflect or zero padding, |X|^power per bin. Shared by the log-mel and the
// voice detector so there is one framing convention in the code base (torch.stft's, which is also
// librosa.stft's).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "audio/mel_options.hpp"

namespace chorus::audio {

class Stft {
 public:
  // Plans the r2c transform once (under a process-wide mutex: FFTW planning is not thread-safe).
  Stft(int nFft, int hop, bool center, PadMode pad, float power = 2);
  ~Stft();
  Stft(const Stft&) = delete;
  Stft& operator=(const Stft&) = delete;

  int nFft() const { return nFft_; }
  int hop() const { return hop_; }
  int bins() const { return nFft_ / 2 + 1; }
  // torch.stft's count: centred 1 + n/hop (n > 0), else 1 + (n - nFft)/hop (0 if n < nFft).
  int64_t frames(int64_t samples) const;

  // Calls visit(t, spectrum) for t = 0..frames-1 in order, spectrum = bins() values of |X_t|^power.
  // Uses buffers local to the call: several threads may run it on one Stft at once.
  void forEachFrame(const float* samples, size_t n, const std::function<void(int64_t, const float*)>& visit) const;

 private:
  struct Plan;  // fftwf_plan lives in the .cpp only
  int nFft_, hop_;
  bool center_;
  PadMode pad_;
  float power_;
  std::vector<float> window_;
  std::unique_ptr<Plan> plan_;
};

}  // namespace chorus::audio
