#include "pseudo/selection.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/parse_number.hpp"
#include "meta/csv.hpp"
#include "meta/soundscape_window.hpp"

namespace chorus::pseudo {

namespace fs = std::filesystem;

void SelectOptions::validate() const {
  if (!(threshold >= 0 && threshold < 1)) throw UsageError("pseudo: --threshold must be in [0, 1)");
  if (!(floor >= 0 && floor <= threshold))
    throw UsageError("pseudo: --floor must be in [0, threshold]: a kept window's top value must survive it");
  if (reduce == infer::Reduce::Rank)
    throw UsageError("pseudo: --reduce rank gives ranks, not probabilities; a threshold needs logits or probs");
}

std::map<std::string, int> labelledSoundscapeFolds(const fs::path& csv) {
  const auto table = meta::CsvTable::read(csv);
  const size_t filename = table.column("filename"), foldColumn = table.column("fold");
  std::map<std::string, int> folds;
  for (const auto& row : table.rows()) {
    const auto parsed = toInteger(row.fields[foldColumn]);
    const int fold = parsed && *parsed >= 0 && *parsed <= 1000 ? int(*parsed) : -1;
    if (fold < 0) throw InputError(table.fileName(), row.line, "fold '" + row.fields[foldColumn] + "' is not a fold number");
    auto [it, added] = folds.emplace(row.fields[filename], fold);
    if (!added && it->second != fold)
      throw InputError(table.fileName(), row.line, row.fields[filename] + " is in folds " + std::to_string(it->second) +
                                                       " and " + std::to_string(fold) + ": soundscapes are folded by file");
  }
  return folds;
}

std::vector<double> outOfFoldValues(const infer::Predictions& p, const std::map<std::string, int>& soundscapeFold,
                                    infer::Reduce reduce, Selection& s) {
  const size_t M = p.models.size(), N = p.rows(), K = p.classes.size();
  // Rows grouped by the fold of their soundscape (-1: unlabelled); each group reduced over its models.
  std::map<int, std::vector<size_t>> groups;
  for (size_t n = 0; n < N; ++n) {
    auto it = soundscapeFold.find(p.soundscapeOf[n]);
    groups[it == soundscapeFold.end() ? -1 : it->second].push_back(n);
  }
  std::vector<double> values(N * K, -1.0);  // -1: no out-of-fold model
  for (const auto& [fold, rows] : groups) {
    std::vector<size_t> models;
    for (size_t m = 0; m < M; ++m)
      if (fold < 0 || p.folds[m] == fold) models.push_back(m);
    s.windowsByFold[fold] = rows.size();
    auto& names = s.modelsByFold[fold];
    for (size_t m : models) names.push_back(p.models[m]);
    if (models.empty()) {
      s.noOutOfFoldModel += rows.size();
      continue;
    }
    std::vector<float> logits;
    logits.reserve(models.size() * rows.size() * K);
    std::vector<double> weights;
    for (size_t m : models) {
      weights.push_back(p.weights[m]);
      for (size_t n : rows)
        for (size_t k = 0; k < K; ++k) logits.push_back(p.logit(m, n, k));
    }
    const auto reduced = infer::reduce(logits, models.size(), rows.size(), K, weights, reduce);
    for (size_t r = 0; r < rows.size(); ++r)
      std::copy_n(reduced.begin() + long(r * K), K, values.begin() + long(rows[r] * K));
  }
  return values;
}

void keepConfidentWindows(const std::vector<double>& values, const std::vector<std::string>& rowIds,
                          const std::vector<std::string>& soundscapeOf, size_t K, const SelectOptions& o, Selection& s) {
  s.windows = rowIds.size();
  s.top.assign(K, 0);
  s.nonzero.assign(K, 0);
  for (size_t n = 0; n < rowIds.size(); ++n) {
    const double* v = values.data() + n * K;
    if (K == 0 || v[0] < 0) continue;
    const size_t top = size_t(std::max_element(v, v + K) - v);
    if (!(v[top] > o.threshold)) {
      ++s.belowThreshold;
      continue;
    }
    dataset::PseudoRow row;
    row.filename = soundscapeOf[n];
    row.endSeconds = meta::rowEndSeconds(rowIds[n]);
    row.startSeconds = row.endSeconds - meta::kWindowSeconds;
    row.values.resize(K);
    for (size_t k = 0; k < K; ++k) {
      row.values[k] = v[k] < o.floor ? 0.0f : float(v[k]);
      s.nonzero[k] += row.values[k] > 0;
    }
    ++s.top[top];
    s.kept.push_back(std::move(row));
  }
}

Selection selectPseudoLabels(const infer::Predictions& p, const std::map<std::string, int>& soundscapeFold,
                             const SelectOptions& o) {
  o.validate();
  Selection s;
  const auto values = outOfFoldValues(p, soundscapeFold, o.reduce, s);
  keepConfidentWindows(values, p.rowIds, p.soundscapeOf, p.classes.size(), o, s);
  return s;
}

}  // namespace chorus::pseudo
