#include "infer/postprocess.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "core/error.hpp"

namespace chorus::infer {

void PostProcessOptions::validate() const {
  if (!smoothing.empty() && smoothing.size() % 2 == 0)
    throw UsageError("--smoothing: the kernel needs an odd number of weights (centred on the window), got " +
                     std::to_string(smoothing.size()));
  double total = 0;
  for (double w : smoothing) {
    if (!std::isfinite(w) || w < 0) throw UsageError("--smoothing: weights must be finite and non-negative");
    total += w;
  }
  if (!smoothing.empty() && !(total > 0)) throw UsageError("--smoothing: the weights sum to zero");
  if (!std::isfinite(boost) || boost < 0) throw UsageError("--boost must be finite and non-negative");
}

std::string PostProcessOptions::describe() const {
  if (!active()) return "off";
  std::ostringstream out;
  if (smooths()) {
    out << "smoothing [";
    for (size_t i = 0; i < smoothing.size(); ++i) out << (i ? ", " : "") << smoothing[i];
    out << "]";
  } else {
    out << "no smoothing";
  }
  out << ", boost " << boost;
  return out.str();
}

std::vector<RowRange> fileRanges(const std::vector<std::string>& fileOf) {
  std::vector<RowRange> ranges;
  std::set<std::string> seen;
  for (size_t r = 0; r < fileOf.size(); ++r) {
    if (r > 0 && fileOf[r] == fileOf[r - 1]) continue;
    if (!seen.insert(fileOf[r]).second)
      throw Error("post-processing: the rows of " + fileOf[r] + " are not contiguous (row " + std::to_string(r) + ")");
    if (!ranges.empty()) ranges.back().end = r;
    ranges.push_back({r, fileOf.size()});
  }
  return ranges;
}

namespace {

// One class column of one file, in place: smoothing (renormalised at the edges), then the boost.
void processColumn(std::vector<double>& column, const PostProcessOptions& o) {
  const size_t n = column.size();
  if (o.smooths()) {
    const long h = long(o.smoothing.size() / 2);
    std::vector<double> smoothed(n);
    for (size_t t = 0; t < n; ++t) {
      double sum = 0, weights = 0;
      for (long j = 0; j < long(o.smoothing.size()); ++j) {
        const long at = long(t) + j - h;
        if (at < 0 || at >= long(n)) continue;
        sum += o.smoothing[size_t(j)] * column[size_t(at)];
        weights += o.smoothing[size_t(j)];
      }
      // A zero-weight centre with both neighbours absent (a one-window file): keep the value.
      smoothed[t] = weights > 0 ? sum / weights : column[t];
    }
    column.swap(smoothed);
  }
  if (o.boost > 0) {
    const double peak = *std::max_element(column.begin(), column.end());
    for (double& v : column) v = (v + o.boost * peak) / (1 + o.boost);
  }
}

}  // namespace

std::vector<double> postProcessProbs(const std::vector<double>& probs, size_t rows, size_t classes,
                                     const std::vector<std::string>& fileOf, const PostProcessOptions& options) {
  if (probs.size() != rows * classes) throw Error("post-processing: probabilities are not rows x classes");
  if (fileOf.size() != rows) throw Error("post-processing: one file id per row needed");
  options.validate();
  std::vector<double> out = probs;
  if (!options.active()) return out;
  std::vector<double> column;
  for (const RowRange& range : fileRanges(fileOf)) {
    for (size_t k = 0; k < classes; ++k) {
      column.resize(range.end - range.begin);
      for (size_t r = range.begin; r < range.end; ++r) column[r - range.begin] = probs[r * classes + k];
      processColumn(column, options);
      for (size_t r = range.begin; r < range.end; ++r) out[r * classes + k] = column[r - range.begin];
    }
  }
  return out;
}

void postProcessLogits(std::vector<float>& logits, size_t models, size_t rows, size_t classes,
                       const std::vector<std::string>& fileOf, const PostProcessOptions& options) {
  if (logits.size() != models * rows * classes) throw Error("post-processing: logits are not M x N x K");
  options.validate();
  if (!options.active()) return;
  constexpr double kEps = 1e-15;
  const size_t block = rows * classes;
  std::vector<double> probs(block);
  for (size_t m = 0; m < models; ++m) {
    float* z = logits.data() + m * block;
    for (size_t i = 0; i < block; ++i) probs[i] = 1.0 / (1.0 + std::exp(-double(z[i])));
    const std::vector<double> done = postProcessProbs(probs, rows, classes, fileOf, options);
    for (size_t i = 0; i < block; ++i) {
      const double p = std::clamp(done[i], kEps, 1 - kEps);
      z[i] = float(std::log(p) - std::log1p(-p));
    }
  }
}

}  // namespace chorus::infer
