#include "store/teacher_store.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.hpp"
#include "meta/soundscape_window.hpp"

namespace chorus::store {
namespace {

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

long long milliseconds(double s) { return std::llround(s * 1000.0); }

std::string fileOf(const TeacherStore& s) { return s.path.empty() ? std::string("(teacher store)") : s.path.string(); }

[[noreturn]] void bad(const TeacherStore& s, const std::string& what) {
  throw InputError("teacher store " + fileOf(s) + ": " + what);
}

void validateShapes(const TeacherStore& s) {
  const size_t N = s.rows(), K = s.classCount();
  auto need = [&](size_t got, size_t want, const std::string& field, const std::string& as) {
    if (got != want)
      bad(s, field + " has " + std::to_string(got) + " values, expected " + std::to_string(want) + " (" + as + ")");
  };
  need(s.startSeconds.size(), N, "start_s", "one per item_id row");
  need(s.endSeconds.size(), N, "end_s", "one per item_id row");
  need(s.covered.size(), K, "covered", "one per class");
  need(s.probs.size(), N * K, "probs", "rows x classes = " + std::to_string(N) + " x " + std::to_string(K));
  need(s.embeddings.size(), N * s.embeddingDim, "embedding", "rows x embedding size");
  if (!s.classSource.empty()) need(s.classSource.size(), K, "class_source", "one per class");
  need(s.failedReasons.size(), s.failedItems.size(), "failed_reason", "one per failed_item");
  if (s.name.empty()) bad(s, "attribute teacher_name is empty: say which model made the store");
  if (!(s.windowSeconds > 0) || !std::isfinite(s.windowSeconds))
    bad(s, "attribute window_seconds is " + seconds(s.windowSeconds) + ", not a positive length");
}

void validateClasses(const TeacherStore& s) {
  std::set<std::string> seen;
  for (size_t k = 0; k < s.classCount(); ++k) {
    if (s.classes[k].empty()) bad(s, "class " + std::to_string(k) + " has an empty name");
    if (!seen.insert(s.classes[k]).second) bad(s, "class " + s.classes[k] + " is listed twice");
    if (s.covered[k] > 1)
      bad(s, "covered[" + std::to_string(k) + "] (class " + s.classes[k] + ") is " + std::to_string(s.covered[k]) +
                 ", not 0 or 1");
  }
}

void validateWindows(const TeacherStore& s) {
  std::map<std::pair<std::string, long long>, size_t> seen;
  for (size_t n = 0; n < s.rows(); ++n) {
    const double a = s.startSeconds[n], b = s.endSeconds[n];
    if (s.itemIds[n].empty()) bad(s, "row " + std::to_string(n) + " has an empty item_id");
    if (!std::isfinite(a) || !std::isfinite(b) || a < 0 || !(b > a))
      bad(s, s.describeRow(n) + ": the window is not a span of non-negative seconds");
    if (std::abs((b - a) - s.windowSeconds) > 1e-6)
      bad(s, s.describeRow(n) + ": the window lasts " + seconds(b - a) + " s, but window_seconds is " +
                 seconds(s.windowSeconds));
    auto [it, added] = seen.emplace(std::make_pair(s.itemIds[n], milliseconds(a)), n);
    if (!added) bad(s, "rows " + std::to_string(it->second) + " and " + std::to_string(n) + " are both " + s.describeRow(n));
  }
}

void validateValues(const TeacherStore& s) {
  const size_t K = s.classCount();
  for (size_t n = 0; n < s.rows(); ++n) {
    for (size_t k = 0; k < K; ++k) {
      const float p = s.prob(n, k);
      if (s.covered[k] && !(p >= 0.0f && p <= 1.0f))
        bad(s, s.describeRow(n) + ", class " + s.classes[k] + ": " + seconds(p) + " is not a probability in [0, 1]");
      if (!s.covered[k] && !std::isnan(p))
        bad(s, s.describeRow(n) + ", class " + s.classes[k] + " holds " + seconds(p) +
                   " but the class is not covered: write NaN where the teacher has no such class");
    }
    for (size_t d = 0; d < s.embeddingDim; ++d)
      if (!std::isfinite(s.embedding(n)[d])) bad(s, s.describeRow(n) + ": embedding[" + std::to_string(d) + "] is not finite");
  }
}

}  // namespace

size_t TeacherStore::coveredCount() const {
  size_t count = 0;
  for (uint8_t c : covered) count += c == 1;
  return count;
}

std::string TeacherStore::describeRow(size_t n) const {
  return itemIds[n] + " " + seconds(startSeconds[n]) + "-" + seconds(endSeconds[n]) + " s (row " + std::to_string(n) + ")";
}

void TeacherStore::validate() const {
  validateShapes(*this);
  validateClasses(*this);
  validateWindows(*this);
  validateValues(*this);
}

TeacherStore alignClasses(const TeacherStore& store, const std::vector<std::string>& classes) {
  std::map<std::string, size_t> ours;
  for (size_t k = 0; k < classes.size(); ++k) ours.emplace(classes[k], k);
  std::string unknown;
  size_t unknownCount = 0;
  std::vector<size_t> to(store.classCount());
  for (size_t j = 0; j < store.classCount(); ++j) {
    auto it = ours.find(store.classes[j]);
    if (it != ours.end()) {
      to[j] = it->second;
    } else if (++unknownCount <= 5) {
      unknown += (unknown.empty() ? "" : ", ") + store.classes[j];
    }
  }
  if (unknownCount)
    bad(store, std::to_string(unknownCount) + " classes are not in the species list (" + unknown +
                   (unknownCount > 5 ? ", ..." : "") + "): the teacher was mapped to another class list");
  TeacherStore out = store;
  const size_t N = store.rows(), K = classes.size(), J = store.classCount();
  out.classes = classes;
  out.covered.assign(K, 0);
  out.probs.assign(N * K, std::nanf(""));
  if (!store.classSource.empty()) out.classSource.assign(K, "");
  for (size_t j = 0; j < J; ++j) {
    out.covered[to[j]] = store.covered[j];
    if (!store.classSource.empty()) out.classSource[to[j]] = store.classSource[j];
    for (size_t n = 0; n < N; ++n) out.probs[n * K + to[j]] = store.probs[n * J + j];
  }
  return out;
}

void requireScoredWindows(const TeacherStore& store) {
  constexpr double kScored = meta::kWindowSeconds;
  for (size_t n = 0; n < store.rows(); ++n) {
    const double j = std::round(store.startSeconds[n] / kScored);
    if (std::abs(store.startSeconds[n] - j * kScored) > 1e-6 || std::abs(store.endSeconds[n] - (j + 1) * kScored) > 1e-6)
      bad(store, store.describeRow(n) + " is not a scored window: the competition scores [5j, 5j + 5) s "
                                        "(a teacher with other windows must be combined into ours first)");
  }
}

void requireTeacherWeight(double w, const std::string& stage) {
  if (!(w >= 0 && w <= 1))
    throw UsageError(stage + ": --teacher-weight must be in [0, 1] (the teacher's share of each class it has)");
}

TeacherStore rowsOfItems(const TeacherStore& store, const std::set<std::string>& items) {
  TeacherStore out = store;
  out.itemIds.clear(), out.startSeconds.clear(), out.endSeconds.clear(), out.probs.clear(), out.embeddings.clear();
  const size_t K = store.classCount(), D = store.embeddingDim;
  for (size_t n = 0; n < store.rows(); ++n) {
    if (!items.count(store.itemIds[n])) continue;
    out.itemIds.push_back(store.itemIds[n]);
    out.startSeconds.push_back(store.startSeconds[n]);
    out.endSeconds.push_back(store.endSeconds[n]);
    out.probs.insert(out.probs.end(), store.probs.begin() + long(n * K), store.probs.begin() + long((n + 1) * K));
    if (D) out.embeddings.insert(out.embeddings.end(), store.embedding(n), store.embedding(n) + D);
  }
  return out;
}

TeacherWindows::TeacherWindows(const TeacherStore& store) : store_(&store) {
  for (size_t n = 0; n < store.rows(); ++n) {
    byEnd_.emplace(std::make_pair(store.itemIds[n], milliseconds(store.endSeconds[n])), n);
    byItem_[store.itemIds[n]].push_back(n);
  }
}

std::optional<size_t> TeacherWindows::find(const std::string& item, double endSeconds) const {
  auto it = byEnd_.find({item, milliseconds(endSeconds)});
  if (it == byEnd_.end()) return std::nullopt;
  return it->second;
}

std::optional<size_t> TeacherWindows::containing(const std::string& item, double t) const {
  auto it = byItem_.find(item);
  if (it == byItem_.end()) return std::nullopt;
  std::optional<size_t> best;
  double bestDistance = 0;
  for (size_t n : it->second) {
    const double a = store_->startSeconds[n], b = store_->endSeconds[n];
    if (t < a || t >= b) continue;
    const double distance = std::abs(t - 0.5 * (a + b));
    if (!best || distance < bestDistance) best = n, bestDistance = distance;
  }
  return best;
}

TeacherBatch gatherTeacherRows(const TeacherStore& store, const std::vector<std::optional<size_t>>& rows) {
  const size_t K = store.classCount(), D = store.embeddingDim;
  TeacherBatch batch;
  batch.probs.assign(rows.size() * K, std::nanf(""));
  batch.embeddings.assign(rows.size() * D, 0.0f);
  batch.hasRow.assign(rows.size(), 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i]) continue;
    const size_t n = *rows[i];
    if (n >= store.rows()) throw Error("gatherTeacherRows: row " + std::to_string(n) + " of " + std::to_string(store.rows()));
    std::copy_n(store.probs.begin() + long(n * K), K, batch.probs.begin() + long(i * K));
    if (D) std::copy_n(store.embedding(n), D, batch.embeddings.begin() + long(i * D));
    batch.hasRow[i] = 1;
  }
  return batch;
}

}  // namespace chorus::store
