#include "infer/teacher_member.hpp"
#include "meta/soundscape_window.hpp"

#include <cmath>
#include <map>
#include <utility>

namespace chorus::infer {

using nlohmann::json;

TeacherColumns teacherColumns(const store::TeacherStore& teacher, const Predictions& p) {
  const store::TeacherStore aligned = store::alignClasses(teacher, p.classes);
  store::requireScoredWindows(aligned);
  std::map<std::pair<std::string, std::string>, size_t> byRow;  // (soundscape, row id) -> teacher row
  for (size_t t = 0; t < aligned.rows(); ++t) {
    const int window = meta::windowAtStart(aligned.startSeconds[t]);
    byRow.emplace(std::make_pair(aligned.itemIds[t], meta::windowRowId(aligned.itemIds[t], window)), t);
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

json teacherReport(const std::filesystem::path& storePath, const store::TeacherStore& teacher, double weight,
                   const std::vector<std::string>& classes, const std::vector<uint8_t>& covered, size_t windowsWith,
                   const std::vector<std::string>& windowsWithout) {
  json uncovered = json::array();
  for (size_t k = 0; k < classes.size(); ++k)
    if (!covered[k]) uncovered.push_back(classes[k]);
  json examples = json::array();
  for (size_t i = 0; i < windowsWithout.size() && i < 10; ++i) examples.push_back(windowsWithout[i]);
  return {{"store", storePath.string()},
          {"name", teacher.name},
          {"version", teacher.version},
          {"class_mapping", teacher.mapping},
          {"weight", weight},
          {"classes_covered", classes.size() - uncovered.size()},
          {"classes_uncovered", uncovered},
          {"windows_with_teacher", windowsWith},
          {"windows_without_teacher", windowsWithout.size()},
          {"windows_without_teacher_examples", examples}};
}

}  // namespace chorus::infer
