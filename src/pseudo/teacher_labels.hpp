// Pseudo-labels from a teacher store (store/teacher_store.hpp): the teacher alone, or blended with
// our ensemble per class, on the classes the teacher has. Plain arrays: no torch, no MPI.
//
// The blend is on probabilities: on each class the teacher has, v = w * teacher + (1 - w) * ensemble
// (the ensemble's out-of-fold reduced probability, selectPseudoLabels' rule); on the others the
// ensemble's value alone. Probabilities, not ranks: a pseudo-label is a soft target and must pass a
// probability threshold; per-class ranks spread every class over (0, 1] whatever the evidence (a
// species present in no window still gets values near 1), so neither the threshold nor the target
// would mean anything. Then the same threshold and floor as our own labels (SelectOptions).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "infer/predict.hpp"
#include "pseudo/selection.hpp"
#include "store/teacher_store.hpp"

namespace chorus::pseudo {

struct TeacherLabelOptions {
  SelectOptions select;        // threshold and floor; select.reduce reduces the ensemble (not rank)
  double teacherWeight = 1.0;  // w in [0, 1]: the teacher's share of each class it has; 1: the teacher alone
  void validate() const;       // UsageError naming the bad value
};

struct TeacherSelection {
  Selection selection;                          // kept windows and counts, as selectPseudoLabels gives
  std::vector<uint8_t> covered;                 // per class: the teacher has it
  size_t teacherRows = 0;                       // windows with a teacher value
  std::vector<std::string> rowsWithoutTeacher;  // ensemble rows the teacher did not score: ensemble values only
};

// The teacher alone: one window per teacher row (store order), the classes it has from the teacher,
// the ones it lacks 0 (the pseudo-label file has no "unknown"; `covered` names the real ones). The
// store's classes are aligned to `classes` (the species list) and its windows must be the 5 s grid
// (InputError otherwise, naming the file and row).
TeacherSelection teacherPseudoLabels(const store::TeacherStore& teacher, const std::vector<std::string>& classes,
                                     const TeacherLabelOptions& options);

// Blended: the ensemble's rows and classes (out of fold: soundscapeFold as for selectPseudoLabels),
// the teacher joined by soundscape and row id (infer::teacherColumns).
TeacherSelection blendedPseudoLabels(const store::TeacherStore& teacher, const infer::Predictions& ensemble,
                                     const std::map<std::string, int>& soundscapeFold, const TeacherLabelOptions& options);

}  // namespace chorus::pseudo
