#include "report/tune_post.hpp"

#include <cstdio>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "report/oof.hpp"
#include "report/results.hpp"

namespace chorus::report {
namespace fs = std::filesystem;

namespace {

// The latest round's out-of-fold soundscape rows, one member per backbone (as readResults scores).
OofPredictions latestRoundOof(const fs::path& work, std::vector<Oof>& keep) {
  const Results results = readResults(work);
  std::vector<const ModelRun*> models;
  for (const auto& m : results.models)
    if (m.round == results.round && fs::exists(work / "models" / m.name / "oof.csv")) models.push_back(&m);
  keep.reserve(models.size());  // the members below point into `keep`
  std::map<std::string, std::vector<const Oof*>> byBackbone;
  for (const ModelRun* m : models) {
    keep.push_back(readOof(work / "models" / m->name / "oof.csv"));
    if (keep.back().classes != keep.front().classes)
      throw InputError("models/" + m->name + "/oof.csv: class columns differ from the other models'");
    byBackbone[m->backbone].push_back(&keep.back());
  }
  if (keep.empty()) throw InputError(work.string() + ": no models/<job>/oof.csv to tune on");
  return pooledOof(byBackbone, "soundscape", soundscapeTruth(work), keep.front().classes);
}

std::string kernelText(const std::vector<double>& kernel) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < kernel.size(); ++i) s << (i ? ", " : "") << kernel[i];
  s << "]";
  return s.str();
}

}  // namespace

std::string inferFragment(const Candidate& chosen, size_t rows, const std::string& reducer) {
  char score[32];
  std::snprintf(score, sizeof score, "%.4f", chosen.score);
  std::ostringstream s;
  s << "# chorus tune-post: chosen on " << rows << " out-of-fold soundscape windows (" << reducer
    << " reducer), OOF AUC " << score << "\n[infer]\n";
  // An empty list is not a valid --smoothing: "off" is said by leaving the key out.
  if (chosen.post.smooths()) s << "smoothing = " << kernelText(chosen.post.smoothing) << "\n";
  else s << "# smoothing: off (the default)\n";
  s << "boost = " << chosen.post.boost << "\n";
  return s.str();
}

TunePostResult runTunePost(const TunePostOptions& o, std::ostream& out) {
  std::vector<Oof> keep;
  const OofPredictions oof = latestRoundOof(o.work, keep);
  if (oof.rows() == 0) throw InputError(o.work.string() + ": no labelled out-of-fold soundscape windows to tune on");
  TunePostResult r;
  r.rows = oof.rows();
  const infer::Reduce how = submissionReducer(o.work);
  r.reducer = infer::toString(how);
  out << "tune-post: " << oof.rows() << " out-of-fold soundscape windows, " << oof.members.size() << " backbone(s), "
      << r.reducer << " reducer\n";
  for (const auto& kernel : o.kernels) {
    for (double boost : o.boosts) {
      Candidate c;
      c.post.smoothing = kernel, c.post.boost = boost;
      c.post.validate();
      std::set<std::string> leftOut;
      c.score = scoreOof(oof, how, c.post, leftOut).score;
      char line[64];
      std::snprintf(line, sizeof line, "%.4f", c.score);
      out << "  " << line << "  " << c.post.describe() << "\n";
      r.candidates.push_back(c);
      if (c.score > r.candidates[r.best].score) r.best = r.candidates.size() - 1;
    }
  }
  const Candidate& chosen = r.candidates[r.best];
  r.fragment = o.out.empty() ? o.work / "tune-post.toml" : o.out;
  writeFileAtomic(r.fragment, inferFragment(chosen, r.rows, r.reducer));
  out << "tune-post: chosen " << chosen.post.describe() << " (OOF AUC " << chosen.score << "; off: "
      << r.candidates.front().score << ") -> " << r.fragment.string() << "\n";
  return r;
}

}  // namespace chorus::report
