// The reducer: per-model, per-window logits -> one value in [0, 1] per window and class. No torch
// (plain arrays), so it is tested with hand-computed values.
//
//   rank      per class, each model's column is replaced by its ranks among the N rows (ties: the
//             average rank, as the metric counts them), scaled to rank / N in (0, 1]; the weighted
//             mean over models of these. Only the order within a class column matters to the
//             metric (macro ROC-AUC), and ranks put every model on one scale. Default.
//   logits    sigmoid(weighted mean of logits)
//   probs     weighted mean of sigmoid(logit)
// Weights are the per-model weights (non-negative, not all zero), normalised to sum 1.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace chorus::infer {

enum class Reduce { Rank, MeanLogits, MeanProbs };
Reduce parseReduce(const std::string& name);  // "rank" | "logits" | "probs"; UsageError otherwise
const char* toString(Reduce r);

// logits: M x N x K model-major (Predictions::logits); returns N x K row-major.
// Throws UsageError when weights.size() != M or the weights are negative or sum to zero.
std::vector<double> reduce(const std::vector<float>& logits, size_t models, size_t rows, size_t classes,
                           const std::vector<double>& weights, Reduce how);

// The reducer with a teacher (a teacher store, infer/teacher_member.hpp) as one more member.
// teacher: N x K probabilities in the rows and classes of `logits`; NaN where the teacher has no
// value (a class it lacks, a window it did not score). teacherWeight w in [0, 1] is the teacher's
// share of every value it has: out = (1 - w) * models + w * teacher, the models reduced exactly as
// reduce() does and the teacher put on their scale: Rank: its ranks among the rows of the column
// that have a value (rank / count, ties averaged), Probs: its probability, Logits: its logit
// (p clamped to [1e-6, 1 - 1e-6]) before the sigmoid. A class the teacher lacks keeps exactly the
// models-only values, as does a row without a teacher value. UsageError for w outside [0, 1].
inline constexpr double kTeacherEps = 1e-6;
std::vector<double> reduceWithTeacher(const std::vector<float>& logits, size_t models, size_t rows, size_t classes,
                                      const std::vector<double>& weights, Reduce how,
                                      const std::vector<double>& teacher, double teacherWeight);

// Average ranks (1-based; ties share the mean of their positions) of `values`.
std::vector<double> averageRanks(const std::vector<double>& values);

}  // namespace chorus::infer
