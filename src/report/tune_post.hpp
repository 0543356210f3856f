// chorus tune-post: the window post-processing (infer/postprocess.hpp) chosen on the out-of-fold
// soundscape predictions of a WORK folder, never on the test set. Every (kernel, boost) candidate is
// scored exactly as the report scores the ensemble (report/oof.hpp: the latest round's models, one
// reducer member per backbone with its folds pooled, the submission's reducer); the best candidate
// is written as a TOML fragment for [infer]. A candidate must beat "off" to be chosen: on a tie the
// earlier (simpler) one wins, so noise never switches post-processing on.
#pragma once
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "infer/postprocess.hpp"

namespace chorus::report {

struct TunePostOptions {
  std::filesystem::path work;
  std::filesystem::path out;  // the TOML fragment; empty: WORK/tune-post.toml
  std::vector<std::vector<double>> kernels = {{}, {0.25, 0.5, 0.25}, {0.2, 0.6, 0.2}, {0.1, 0.8, 0.1},
                                              {0.1, 0.2, 0.4, 0.2, 0.1}};
  std::vector<double> boosts = {0, 0.25, 0.5, 1.0};
};

struct Candidate {
  infer::PostProcessOptions post;
  double score = -1;
};

struct TunePostResult {
  std::vector<Candidate> candidates;  // in the order tried (kernels outer, boosts inner)
  size_t best = 0;                    // index of the chosen one
  size_t rows = 0;                    // out-of-fold soundscape windows scored
  std::string reducer;
  std::filesystem::path fragment;
};

// Prints one line per candidate and the choice to `out`. InputError when the work folder has no
// out-of-fold soundscape rows with labels (nothing to tune on).
TunePostResult runTunePost(const TunePostOptions& options, std::ostream& out);

// "[infer]\nsmoothing = [0.2, 0.6, 0.2]\nboost = 0.5\n" (with a comment naming the OOF score).
std::string inferFragment(const Candidate& chosen, size_t rows, const std::string& reducer);

}  // namespace chorus::report
