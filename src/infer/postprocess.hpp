// Post-processing of window predictions within a soundscape, per class, before the reducer (the
// BirdCLEF 2025/2026 winners' two tricks). No torch: plain arrays, tested against numpy
// (tools/make_postprocess_fixture.py).
//
//   smoothing  temporal smoothing over neighbouring windows of the same file: window t becomes
//              sum_j w_j p[t + j - h] / sum_j w_j (h = half the kernel's length), the sums over the
//              neighbours that exist, so the first and last windows of a file are weighted averages
//              of what they have (nothing leaks from the next file, no zero padding pulls them down).
//              A call rarely fits one 5 s window: its neighbours carry evidence.
//   boost      per-file boost: s[t] + alpha * max_t s[t] (after smoothing), divided by 1 + alpha so
//              that values stay in [0, 1]; the division is the same for every row and so changes no
//              order: a species heard clearly somewhere in a file is likelier in its other windows.
//
// Both act on probabilities, per class and per file (rows of a file: contiguous, in time order),
// for one model at a time; postProcessLogits wraps that for the reducer's M x N x K logits
// (sigmoid, post-process, logit) so that every reducer (ranks, mean logits, mean probabilities) sees
// the processed values. Off (the default) changes nothing, bit for bit.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace chorus::infer {

struct PostProcessOptions {
  std::vector<double> smoothing;  // kernel, odd length, centred; empty (or one weight): off
  double boost = 0;               // alpha >= 0; 0: off

  bool smooths() const { return smoothing.size() > 1; }
  bool active() const { return smooths() || boost > 0; }
  // UsageError naming the first bad value: an even kernel length, a negative or non-finite weight,
  // weights summing to zero, a negative or non-finite boost.
  void validate() const;
  std::string describe() const;  // "smoothing [0.2, 0.6, 0.2], boost 0.5" or "off"
};

// The rows of each file: [begin, end) ranges in row order, one per run of equal `fileOf` values.
struct RowRange {
  size_t begin = 0, end = 0;
};
std::vector<RowRange> fileRanges(const std::vector<std::string>& fileOf);

// probs: N x K row-major (one model); returns the post-processed N x K. fileOf: N file ids, each
// file's rows contiguous and in time order (Error otherwise: a file seen again after another one).
std::vector<double> postProcessProbs(const std::vector<double>& probs, size_t rows, size_t classes,
                                     const std::vector<std::string>& fileOf, const PostProcessOptions& options);

// logits: M x N x K model-major (Predictions::logits), in place: each model's sigmoid
// post-processed, then back to logits (probabilities clamped to [1e-15, 1 - 1e-15] first: a
// logit beyond +-34.5 ties with its neighbours). Nothing happens when options are off.
void postProcessLogits(std::vector<float>& logits, size_t models, size_t rows, size_t classes,
                       const std::vector<std::string>& fileOf, const PostProcessOptions& options);

}  // namespace chorus::infer
