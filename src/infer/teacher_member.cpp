#include "infer/teacher_member.hpp"

#include <cmath>
#include <map>
#include <utility>

namespace chorus::infer {

TeacherColumns teacherColumns(const store::TeacherStore& teacher, const Predictions& p) {
  const store::TeacherStore aligned = store::alignClasses(teacher, p.classes);
  store::requireScoredWindows(aligned);
  std::map<std::pair<std::string, std::string>, size_t> byRow;  // (soundscape, row id) -> teacher row
  for (size_t t = 0; t < aligned.rows(); ++t) {
    const int window = int(std::lround(aligned.startSeconds[t] / 5.0));
    byRow.emplace(std::make_pair(aligned.itemIds[t], rowId(aligned.itemIds[t], window)), t);
  }
  const size_t N = p.rows(), K = p.classes.size();
  TeacherColumns c;
  c.covered = aligned.covered;
  c.values.assign(N * K, std::nan(""));
  for (size_t n = 0; n < N; ++n) {
    auto it = byRow.find({p.soundscapeOf[n], p.rowIds[n]});
    if (it == byRow.end()) {
      c.rowsMissing.push_back(p.rowIds[n]);
      continue;
    }
    ++c.rowsFound;
    for (size_t k = 0; k < K; ++k)
      if (aligned.covered[k]) c.values[n * K + k] = aligned.prob(it->second, k);
  }
  return c;
}

}  // namespace chorus::infer
