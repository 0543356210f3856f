#include "meta/metric.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace chorus::meta {

namespace {

// Why a truth column cannot be scored, or an empty string when it can.
std::string undefinedReason(size_t positives, size_t n) {
  if (n == 0) return "no rows";
  if (positives == n) return "every row is positive (no negatives), so ROC-AUC is undefined";
  if (positives == 0) return "no row is positive, so ROC-AUC is undefined";
  return {};
}

}  // namespace

double rocAuc(const double* truth, const double* score, size_t n) {
  std::vector<double> positive, negative;
  negative.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (truth[i] != 0.0 && truth[i] != 1.0)
      throw InputError("rocAuc: truth value " + std::to_string(truth[i]) + " at row " + std::to_string(i) +
                       " is not 0 or 1");
    if (!std::isfinite(score[i]))
      throw InputError("rocAuc: score at row " + std::to_string(i) + " is not finite");
    (truth[i] == 1.0 ? positive : negative).push_back(score[i]);
  }
  if (auto reason = undefinedReason(positive.size(), n); !reason.empty()) throw InputError("rocAuc: " + reason);

  // Only the positives are sorted (usually a few percent of the rows); each negative then finds by
  // binary search how many positives score above it and how many tie with it (worth one half).
  // O(n log P). U is a sum of half-integers, exact in a double up to 2^52, so no rounding enters
  // until the final division.
  std::sort(positive.begin(), positive.end());
  double u = 0;
  for (double s : negative) {
    auto [tieBegin, tieEnd] = std::equal_range(positive.begin(), positive.end(), s);
    u += double(positive.end() - tieEnd) + 0.5 * double(tieEnd - tieBegin);
  }
  return u / (double(positive.size()) * double(negative.size()));
}

double rocAuc(const std::vector<double>& truth, const std::vector<double>& score) {
  if (truth.size() != score.size())
    throw Error("rocAuc: " + std::to_string(truth.size()) + " truth values but " + std::to_string(score.size()) +
                " scores");
  return rocAuc(truth.data(), score.data(), truth.size());
}

namespace {

// Every class's AUC by the rule above; `score` stays 0 and `scored` empty when none can be scored.
MetricResult scoreClasses(const std::vector<std::string>& classes, size_t rows, const std::vector<double>& truth,
                          const std::vector<double>& score, AllPositive allPositive) {
  if (truth.size() != classes.size() * rows || score.size() != classes.size() * rows)
    throw Error("macroRocAuc: matrices do not have " + std::to_string(rows) + " rows x " +
                std::to_string(classes.size()) + " classes");
  MetricResult result;
  double sum = 0;
  for (size_t c = 0; c < classes.size(); ++c) {
    const double* t = truth.data() + c * rows;
    size_t positives = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (t[r] != 0.0 && t[r] != 1.0)
        throw InputError("class '" + classes[c] + "': truth value " + std::to_string(t[r]) + " at row " +
                         std::to_string(r) + " is not 0 or 1");
      positives += t[r] == 1.0;
    }
    if (positives == 0) {
      result.unscored.push_back(classes[c]);
      continue;
    }
    if (positives == rows && allPositive == AllPositive::LeaveOut) {
      result.allPositive.push_back(classes[c]);
      continue;
    }
    if (positives == rows)
      throw InputError("class '" + classes[c] + "': " + undefinedReason(positives, rows) +
                       " (sklearn gives no score either: older releases raise, 1.9 warns and returns NaN)");
    double auc = rocAuc(t, score.data() + c * rows, rows);
    result.scored.push_back({classes[c], positives, auc});
    sum += auc;
  }
  if (!result.scored.empty()) result.score = sum / double(result.scored.size());
  return result;
}

}  // namespace

MetricResult macroRocAuc(const std::vector<std::string>& classes, size_t rows, const std::vector<double>& truth,
                         const std::vector<double>& score, AllPositive allPositive) {
  MetricResult result = scoreClasses(classes, rows, truth, score, allPositive);
  if (result.scored.empty()) throw InputError("no class has a positive row in the truth: the metric is undefined");
  return result;
}

double macroRocAucOrNone(const std::vector<std::string>& classes, size_t rows, const std::vector<double>& truth,
                         const std::vector<double>& score) {
  const MetricResult result = scoreClasses(classes, rows, truth, score, AllPositive::LeaveOut);
  return result.scored.empty() ? -1.0 : result.score;
}

}  // namespace chorus::meta
