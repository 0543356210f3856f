#include "train/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"

namespace chorus::train {

double LrSchedule::at(int64_t step) const {
  if (step < warmupSteps) return peak * double(step + 1) / double(warmupSteps);
  const int64_t decaySteps = std::max<int64_t>(1, totalSteps - warmupSteps);
  const double t = std::min(1.0, double(step - warmupSteps) / double(decaySteps));
  return floor + (peak - floor) * 0.5 * (1.0 + std::cos(M_PI * t));
}

void LrSchedule::validate() const {
  if (!(peak > 0)) throw UsageError("train: --lr must be positive, got " + std::to_string(peak));
  if (floor < 0 || floor > peak)
    throw UsageError("train: --min-lr must be in [0, lr], got " + std::to_string(floor));
  if (warmupSteps < 0 || (totalSteps > 0 && warmupSteps >= totalSteps))
    throw UsageError("train: warmup (" + std::to_string(warmupSteps) + " steps) must be shorter than the run (" +
                     std::to_string(totalSteps) + " steps)");
}

}  // namespace chorus::train
