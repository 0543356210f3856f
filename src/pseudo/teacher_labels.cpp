#include "pseudo/teacher_labels.hpp"

#include <cmath>

#include "core/error.hpp"
#include "infer/teacher_member.hpp"
#include "meta/soundscape_window.hpp"

namespace chorus::pseudo {

void TeacherLabelOptions::validate() const {
  select.validate();
  store::requireTeacherWeight(teacherWeight, "pseudo");
}

TeacherSelection teacherPseudoLabels(const store::TeacherStore& teacher, const std::vector<std::string>& classes,
                                     const TeacherLabelOptions& o) {
  o.validate();
  const store::TeacherStore aligned = store::alignClasses(teacher, classes);
  store::requireScoredWindows(aligned);
  const size_t N = aligned.rows(), K = classes.size();
  std::vector<std::string> rowIds;
  std::vector<double> values(N * K, 0.0);
  for (size_t n = 0; n < N; ++n) {
    rowIds.push_back(meta::windowRowId(aligned.itemIds[n], meta::windowAtStart(aligned.startSeconds[n])));
    for (size_t k = 0; k < K; ++k)
      if (aligned.covered[k]) values[n * K + k] = aligned.prob(n, k);
  }
  TeacherSelection t;
  t.covered = aligned.covered;
  t.teacherRows = N;
  keepConfidentWindows(values, rowIds, aligned.itemIds, K, o.select, t.selection);
  return t;
}

TeacherSelection blendedPseudoLabels(const store::TeacherStore& teacher, const infer::Predictions& ensemble,
                                     const std::map<std::string, int>& soundscapeFold, const TeacherLabelOptions& o) {
  o.validate();
  const auto columns = infer::teacherColumns(teacher, ensemble);
  TeacherSelection t;
  t.covered = columns.covered;
  t.teacherRows = columns.rowsFound;
  t.rowsWithoutTeacher = columns.rowsMissing;
  auto values = outOfFoldValues(ensemble, soundscapeFold, o.select.reduce, t.selection);
  const size_t N = ensemble.rows(), K = ensemble.classes.size();
  const double w = o.teacherWeight;
  for (size_t n = 0; n < N; ++n) {
    if (K == 0 || values[n * K] < 0) continue;  // no out-of-fold model: left out, as without a teacher
    for (size_t k = 0; k < K; ++k) {
      const double v = columns.values[n * K + k];
      if (!std::isnan(v)) values[n * K + k] = w * v + (1.0 - w) * values[n * K + k];
    }
  }
  keepConfidentWindows(values, ensemble.rowIds, ensemble.soundscapeOf, K, o.select, t.selection);
  return t;
}

}  // namespace chorus::pseudo
