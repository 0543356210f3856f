#include "infer/reducer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "store/teacher_store.hpp"

namespace chorus::infer {

Reduce parseReduce(const std::string& name) {
  if (name == "rank") return Reduce::Rank;
  if (name == "logits") return Reduce::MeanLogits;
  if (name == "probs") return Reduce::MeanProbs;
  throw UsageError("--reduce: '" + name + "' is not one of rank, logits, probs");
}

const char* toString(Reduce r) {
  switch (r) {
    case Reduce::Rank: return "rank";
    case Reduce::MeanLogits: return "logits";
    case Reduce::MeanProbs: return "probs";
  }
  return "?";
}

std::vector<double> averageRanks(const std::vector<double>& values) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && values[order[j + 1]] == values[order[i]]) ++j;
    const double mean = 0.5 * double(i + j) + 1.0;  // positions i..j, 1-based
    for (size_t t = i; t <= j; ++t) ranks[order[t]] = mean;
    i = j + 1;
  }
  return ranks;
}

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The weighted member sum before any final sigmoid: ranks / N, logits, or probabilities, with the
// weights normalised to sum 1 (the checks every reduce shares).
std::vector<double> weightedModels(const std::vector<float>& logits, size_t M, size_t N, size_t K,
                                   const std::vector<double>& weights, Reduce how) {
  if (logits.size() != M * N * K) throw Error("reduce: " + std::to_string(logits.size()) + " logits, expected M x N x K");
  if (weights.size() != M)
    throw UsageError("reduce: " + std::to_string(weights.size()) + " weights for " + std::to_string(M) + " models");
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0) || !std::isfinite(w)) throw UsageError("reduce: model weights must be finite and non-negative");
    total += w;
  }
  if (!(total > 0)) throw UsageError("reduce: the model weights sum to zero");
  std::vector<double> out(N * K, 0.0);
  std::vector<double> column(N);
  for (size_t m = 0; m < M; ++m) {
    const double w = weights[m] / total;
    if (w == 0) continue;
    const float* L = logits.data() + m * N * K;
    for (size_t k = 0; k < K; ++k) {
      for (size_t n = 0; n < N; ++n) column[n] = L[n * K + k];
      if (how == Reduce::Rank) {
        const auto ranks = averageRanks(column);  // 1..N: rank / N lies in (0, 1]
        for (size_t n = 0; n < N; ++n) out[n * K + k] += w * ranks[n] / double(N);
      } else if (how == Reduce::MeanLogits) {
        for (size_t n = 0; n < N; ++n) out[n * K + k] += w * column[n];
      } else {
        for (size_t n = 0; n < N; ++n) out[n * K + k] += w * sigmoid(column[n]);
      }
    }
  }
  return out;
}

// One class column of the teacher as a member on the models' scale: ranks among the rows that have a
// value (rank / count), its probability, or its logit (p clamped so that 0 and 1 stay finite).
std::vector<double> teacherMember(const std::vector<double>& teacher, size_t N, size_t K, size_t k, Reduce how) {
  std::vector<double> member(N, std::nan("")), present;
  std::vector<size_t> rows;
  for (size_t n = 0; n < N; ++n)
    if (!std::isnan(teacher[n * K + k])) rows.push_back(n), present.push_back(teacher[n * K + k]);
  if (how == Reduce::Rank) {
    const auto ranks = averageRanks(present);
    for (size_t i = 0; i < rows.size(); ++i) member[rows[i]] = ranks[i] / double(rows.size());
  } else {
    for (size_t i = 0; i < rows.size(); ++i) {
      const double p = std::clamp(present[i], kTeacherEps, 1.0 - kTeacherEps);
      member[rows[i]] = how == Reduce::MeanLogits ? std::log(p / (1.0 - p)) : present[i];
    }
  }
  return member;
}

}  // namespace

std::vector<double> reduce(const std::vector<float>& logits, size_t M, size_t N, size_t K,
                           const std::vector<double>& weights, Reduce how) {
  auto out = weightedModels(logits, M, N, K, weights, how);
  if (how == Reduce::MeanLogits)
    for (double& v : out) v = sigmoid(v);
  return out;
}

std::vector<double> reduceWithTeacher(const std::vector<float>& logits, size_t M, size_t N, size_t K,
                                      const std::vector<double>& weights, Reduce how,
                                      const std::vector<double>& teacher, double teacherWeight) {
  if (teacher.size() != N * K)
    throw Error("reduce: " + std::to_string(teacher.size()) + " teacher values, expected rows x classes");
  store::requireTeacherWeight(teacherWeight, "reduce");
  auto out = weightedModels(logits, M, N, K, weights, how);
  for (size_t k = 0; k < K && teacherWeight > 0; ++k) {
    const auto member = teacherMember(teacher, N, K, k, how);
    for (size_t n = 0; n < N; ++n)
      if (!std::isnan(member[n])) out[n * K + k] = (1.0 - teacherWeight) * out[n * K + k] + teacherWeight * member[n];
  }
  if (how == Reduce::MeanLogits)
    for (double& v : out) v = sigmoid(v);
  return out;
}

}  // namespace chorus::infer
