// A teacher store's predictions joined to the rows and classes of our Predictions: the input of
// reduceWithTeacher (infer: the teacher as a reducer member) and of the teacher's pseudo-labels.
// No torch here (Predictions are plain arrays).
#pragma once
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "infer/predict.hpp"
#include "store/teacher_store.hpp"

namespace chorus::infer {

struct TeacherColumns {
  std::vector<double> values;     // rows x classes of the predictions; NaN: no teacher value
  std::vector<uint8_t> covered;   // per class of the predictions: the teacher has it
  size_t rowsFound = 0;           // prediction rows the teacher scored
  std::vector<std::string> rowsMissing;  // row ids of the prediction rows it did not
};

// The store's classes aligned to predictions.classes (store::alignClasses: a store class that is not
// ours is an InputError), its windows required on the 5 s grid (store::requireScoredWindows), and
// each teacher row matched to the prediction row of the same soundscape (item id = the soundscape's
// file name) and row id (meta::windowRowId's `<stem>_<end>`). Teacher rows of other soundscapes are ignored.
TeacherColumns teacherColumns(const store::TeacherStore& teacher, const Predictions& predictions);

// The teacher's block of a stage report (infer and pseudo write the same one; pseudo adds its own
// keys): the store, its name, version and class mapping, the weight, the classes it covers and the
// windows it scored, with the first ten row ids it did not.
nlohmann::json teacherReport(const std::filesystem::path& storePath, const store::TeacherStore& teacher, double weight,
                             const std::vector<std::string>& classes, const std::vector<uint8_t>& covered,
                             size_t windowsWith, const std::vector<std::string>& windowsWithout);

}  // namespace chorus::infer
