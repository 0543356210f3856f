// Kaggle's time limit: measure the first soundscapes with the full ensemble, project the whole
// run, and if it would not fit, drop TTA variants from the end of the list (never the first,
// "orig" by default), then models from the end of the ensemble's order (modelDirs: fold-major,
// so the last folds go first and both backbones stay), until the projection fits or one model
// with one variant is left. No torch: tested with plain numbers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::infer {

struct BudgetPlan {
  size_t variants = 0, models = 0;  // how many of each are kept (a prefix of each list)
  double projectedSeconds = 0;      // the whole run with that prefix
  bool fits = true;
};

// elapsed: seconds spent so far; remaining: soundscapes still to do; perSoundscapeOverhead: time
// per soundscape not spent in the models (decoding and log-mel not hidden by the producer, batch
// assembly); modelSeconds[m]: model m's time per soundscape with all `variants` variants.
BudgetPlan planToFit(double budgetSeconds, double elapsed, size_t remaining, double perSoundscapeOverhead,
                     const std::vector<double>& modelSeconds, size_t variants);

class TimeBudget {
 public:
  // budgetSeconds <= 0: no budget (never calibrates, keeps everything).
  TimeBudget(double budgetSeconds, int calibrate, size_t soundscapes, std::vector<std::string> variants, size_t models);

  bool calibrating() const { return budget_ > 0 && !decided_; }
  void skipped() { ++done_; }  // a soundscape that failed
  // After each soundscape: its wall time, each model's time (0 for a model not run), the run's elapsed time.
  void measured(double soundscapeSeconds, const std::vector<double>& modelSeconds, double elapsed);
  void finishWithoutDecision();  // the input ran out during calibration: keep everything

  bool keepsModel(size_t m) const { return m < plan_.models; }
  std::vector<std::string> keptVariants() const;
  std::vector<int64_t> keptVariantIndices() const;
  std::vector<std::string> droppedVariants() const;
  double projectedSeconds() const { return plan_.projectedSeconds; }

 private:
  double budget_;
  int calibrate_;
  size_t soundscapes_, done_ = 0, measuredCount_ = 0;
  std::vector<std::string> variants_;
  BudgetPlan plan_;
  bool decided_ = false;
};

}  // namespace chorus::infer
