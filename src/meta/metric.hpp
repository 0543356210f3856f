// The BirdCLEF metric: macro mean of per-class ROC-AUC over the classes that have at least one
// positive in the truth (sklearn's roc_auc_score(average='macro') on those columns). Training uses
// the same functions for out-of-fold scoring, so they work on plain arrays, not on files.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace chorus::meta {

// ROC-AUC of one class as the Mann-Whitney U statistic over average ranks: the probability that a
// positive outscores a negative, ties counting one half (exactly what sklearn's trapezoidal ROC
// area gives). O(n log n). `truth` holds 0 or 1; `score` must be finite. Throws InputError when
// truth has a value other than 0/1, a score is NaN or infinite, or truth has only one class
// (sklearn raises there too: the AUC is undefined).
double rocAuc(const double* truth, const double* score, size_t n);
double rocAuc(const std::vector<double>& truth, const std::vector<double>& score);

struct ClassAuc {
  std::string name;
  size_t positives = 0;
  double auc = 0;
};

struct MetricResult {
  double score = 0;                 // macro mean over `scored`
  std::vector<ClassAuc> scored;     // in column order
  std::vector<std::string> unscored;  // classes with no positive in the truth (left out, as the metric says)
  std::vector<std::string> allPositive;  // classes with no negative, left out (AllPositive::LeaveOut only)
};

// A class whose every row is positive has no ROC-AUC. The competition's scorer refuses such a truth
// (as sklearn does); out-of-fold scoring of a small fold, where it happens by chance, leaves the class
// out and lists it. This is the one rule for which classes count, used by score, train and report.
enum class AllPositive { Refuse, LeaveOut };

// Columns are column-major: column c of a matrix with `rows` rows starts at data()[c * rows].
// Throws InputError naming the class when a scored class has no negatives, and when no class has
// a positive at all.
MetricResult macroRocAuc(const std::vector<std::string>& classes, size_t rows, const std::vector<double>& truth,
                         const std::vector<double>& score, AllPositive allPositive = AllPositive::Refuse);

// The same, -1 instead of an InputError when no class can be scored (a fold without positives):
// out-of-fold scoring, which must not stop training for it.
double macroRocAucOrNone(const std::vector<std::string>& classes, size_t rows, const std::vector<double>& truth,
                         const std::vector<double>& score);

}  // namespace chorus::meta
