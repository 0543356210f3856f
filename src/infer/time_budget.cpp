#include "infer/time_budget.hpp"

#include <algorithm>
#include <numeric>

#include "core/log.hpp"
#include "core/progress.hpp"

namespace chorus::infer {

BudgetPlan planToFit(double budget, double elapsed, size_t remaining, double overhead,
                     const std::vector<double>& modelSeconds, size_t variants) {
  BudgetPlan plan{variants, modelSeconds.size(), 0, true};
  auto project = [&] {
    double perSoundscape = overhead;
    for (size_t m = 0; m < plan.models; ++m) perSoundscape += modelSeconds[m] * double(plan.variants) / double(variants);
    return elapsed + double(remaining) * perSoundscape;
  };
  plan.projectedSeconds = project();
  while (plan.projectedSeconds > budget) {
    if (plan.variants > 1) {
      --plan.variants;
    } else if (plan.models > 1) {
      --plan.models;
    } else {
      plan.fits = false;
      break;
    }
    plan.projectedSeconds = project();
  }
  return plan;
}

TimeBudget::TimeBudget(double budgetSeconds, int calibrate, size_t soundscapes, std::vector<std::string> variants,
                       size_t models)
    : budget_(budgetSeconds), calibrate_(std::max(calibrate, 1)), soundscapes_(soundscapes), variants_(std::move(variants)) {
  plan_.variants = variants_.size();
  plan_.models = models;
}

void TimeBudget::measured(double soundscapeSeconds, const std::vector<double>& modelSeconds, double elapsed) {
  ++done_;
  if (!calibrating() || ++measuredCount_ < size_t(calibrate_)) return;
  // The last calibration soundscape: warm (the first pays for oneDNN's kernel set-up).
  const double inModels = std::accumulate(modelSeconds.begin(), modelSeconds.end(), 0.0);
  const double overhead = std::max(0.0, soundscapeSeconds - inModels);
  const size_t remaining = soundscapes_ - std::min(done_, soundscapes_);
  plan_ = planToFit(budget_, elapsed, remaining, overhead, modelSeconds, variants_.size());
  decided_ = true;
  CHORUS_LOG(Info) << "time budget " << Progress::formatDuration(budget_) << ": " << measuredCount_
                   << " soundscapes measured, " << soundscapeSeconds << " s for the last; projected "
                   << Progress::formatDuration(plan_.projectedSeconds) << " with " << plan_.models << "/"
                   << modelSeconds.size() << " models and " << plan_.variants << "/" << variants_.size() << " variants";
  if (plan_.variants < variants_.size() || plan_.models < modelSeconds.size())
    CHORUS_LOG(Warn) << "time budget: dropped " << variants_.size() - plan_.variants << " TTA variants and "
                     << modelSeconds.size() - plan_.models << " models to fit";
  if (!plan_.fits) CHORUS_LOG(Warn) << "time budget: even one model with one variant is projected over the budget";
}

void TimeBudget::finishWithoutDecision() { decided_ = true; }

std::vector<std::string> TimeBudget::keptVariants() const {
  return {variants_.begin(), variants_.begin() + long(plan_.variants)};
}

std::vector<int64_t> TimeBudget::keptVariantIndices() const {
  std::vector<int64_t> keep(plan_.variants);
  std::iota(keep.begin(), keep.end(), int64_t(0));
  return keep;
}

std::vector<std::string> TimeBudget::droppedVariants() const {
  // In the order dropped: from the end of the list.
  std::vector<std::string> dropped(variants_.begin() + long(plan_.variants), variants_.end());
  std::reverse(dropped.begin(), dropped.end());
  return dropped;
}

}  // namespace chorus::infer
