// The learning rate per optimizer step: linear warmup, then half a cosine down to a floor.
//   step < warmup:  lr = peak * (step + 1) / warmup          (never 0: the first step learns)
//   otherwise:      t  = (step - warmup) / (total - warmup)   in [0, 1)
//                   lr = floor + (peak - floor) * (1 + cos(pi * t)) / 2
// Steps count from 0 over the whole run (all epochs), so a resumed run continues the same curve.
#pragma once
#include <cstdint>

namespace chorus::train {

struct LrSchedule {
  double peak = 1e-3;
  double floor = 1e-6;
  int64_t warmupSteps = 0;
  int64_t totalSteps = 1;

  double at(int64_t step) const;
  void validate() const;  // UsageError for a negative rate, floor > peak, warmup >= total
};

}  // namespace chorus::train
