// chorus infer --teacher through the binary on a real tiny run: synth -> prep -> features -> two tiny
// jobs -> infer (the models alone), then a teacher store written from a trained model's real
// predictions (its probabilities, one class left uncovered, one soundscape unscored) and infer
// --teacher: the submission changes, and equals the reducer with the teacher member
// (reduceWithTeacher) on the logits the stage saved, row by row; report.json names the teacher.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "infer/predict.hpp"
#include "infer/reducer.hpp"
#include "infer/teacher_member.hpp"
#include "meta/csv.hpp"
#include "demo_run.hpp"
#include "run_util.hpp"
#include "store/teacher_store.hpp"
#include "test_util.hpp"

namespace {
namespace fs = std::filesystem;
using chorus::testing::readAll;
using chorus::testing::run;

const fs::path& trainedRoot() {
  static const std::string job = " --epochs 1 --warmup-epochs 0 --max-steps-per-epoch 2 --batch-size 4 --threads 1 --device cpu";
  static const fs::path root = chorus::testing::demoRun(
      "infer-teacher", "--species 4 --train-clips 24 --train-soundscapes 2 --test-soundscapes 3 --seed 5",
      {"train --job convnext_atto/0" + job, "train --job convnext_atto/1" + job});
  return root;
}

std::string inferCommand(const fs::path& out, const std::string& extra) {
  const fs::path r = trainedRoot();
  return chorus::testing::chorusBinary() + " infer --data " + (r / "data").string() + " --work " + (r / "work").string() +
         " --out " + out.string() + " --threads 1 --tta orig reverse --time-budget 0 " + extra;
}

// Model m's probabilities on every window but those of `skip`; the first class uncovered (NaN).
chorus::store::TeacherStore teacherFrom(const chorus::infer::Predictions& p, size_t m, const std::string& skip) {
  chorus::store::TeacherStore t;
  t.name = "chorus-" + p.models[m], t.version = "test", t.mapping = "the same species list";
  t.classes = p.classes;
  t.covered.assign(p.classes.size(), 1);
  t.covered[0] = 0;
  for (size_t n = 0; n < p.rows(); ++n) {
    if (p.soundscapeOf[n] == skip) continue;
    const double end = std::stod(p.rowIds[n].substr(p.rowIds[n].rfind('_') + 1));
    t.itemIds.push_back(p.soundscapeOf[n]), t.startSeconds.push_back(end - 5), t.endSeconds.push_back(end);
    for (size_t k = 0; k < p.classes.size(); ++k)
      t.probs.push_back(k == 0 ? std::nanf("") : float(1 / (1 + std::exp(-double(p.logit(m, n, k))))));
  }
  return t;
}

std::map<std::string, std::vector<double>> submissionRows(const fs::path& csv) {
  std::map<std::string, std::vector<double>> out;
  const auto table = chorus::meta::CsvTable::read(csv);
  for (const auto& row : table.rows()) {
    std::vector<double> v;
    for (size_t c = 1; c < row.fields.size(); ++c) v.push_back(std::stod(row.fields[c]));
    out[row.fields[0]] = v;
  }
  return out;
}

}  // namespace

TEST(InferTeacher, TheTeacherJoinsTheReducerFromTheCommandLine) {
  const fs::path r = trainedRoot();
  auto ran = run(inferCommand(r / "models.csv", ""));
  ASSERT_EQ(ran.code, 0) << ran.output;
  const auto p = chorus::infer::readPredictions(r / "work" / "infer" / "predictions.h5");
  ASSERT_EQ(p.models.size(), 2u);
  const std::string skipped = p.soundscapeOf.back();
  const auto teacher = teacherFrom(p, 1, skipped);
  const fs::path store = r / "teacher.h5";
  chorus::store::writeTeacherStore(store, teacher);

  ran = run(inferCommand(r / "teacher.csv", "--teacher " + store.string() + " --teacher-weight 0.4"));
  ASSERT_EQ(ran.code, 0) << ran.output;
  const auto columns = chorus::infer::teacherColumns(teacher, p);
  const auto want = chorus::infer::reduceWithTeacher(p.logits, p.models.size(), p.rows(), p.classes.size(), p.weights,
                                                     chorus::infer::Reduce::Rank, columns.values, 0.4);
  const auto models = submissionRows(r / "models.csv"), withTeacher = submissionRows(r / "teacher.csv");
  const auto sample = chorus::meta::CsvTable::read(r / "data" / "sample_submission.csv");
  ASSERT_EQ(std::vector<std::string>(sample.header().begin() + 1, sample.header().end()), p.classes);
  size_t changed = 0, unchangedInSkipped = 0, skippedValues = 0;
  for (size_t n = 0; n < p.rows(); ++n) {
    const auto& got = withTeacher.at(p.rowIds[n]);
    const auto& before = models.at(p.rowIds[n]);
    for (size_t k = 0; k < p.classes.size(); ++k) {
      EXPECT_NEAR(got[k], want[n * p.classes.size() + k], 1e-6) << p.rowIds[n] << " " << p.classes[k];
      changed += std::abs(got[k] - before[k]) > 1e-6;
      if (k == 0) {
        EXPECT_NEAR(got[k], before[k], 1e-9) << p.rowIds[n];  // the class the teacher lacks
      }
      if (p.soundscapeOf[n] == skipped) ++skippedValues, unchangedInSkipped += std::abs(got[k] - before[k]) <= 1e-9;
    }
  }
  EXPECT_GT(changed, p.rows());  // the teacher moved most covered values
  EXPECT_EQ(unchangedInSkipped, skippedValues);  // a soundscape it did not score keeps the models' ranks
  auto report = nlohmann::json::parse(readAll(r / "work" / "infer" / "report.json"));
  EXPECT_EQ(report["teacher"]["name"], teacher.name);
  EXPECT_EQ(report["teacher"]["weight"].get<double>(), 0.4);
  EXPECT_EQ(report["teacher"]["windows_with_teacher"].get<size_t>(), teacher.rows());
  EXPECT_EQ(report["teacher"]["windows_without_teacher"].get<size_t>(), 12u);
  EXPECT_EQ(report["teacher"]["classes_uncovered"], nlohmann::json::array({p.classes[0]}));

  // A bad weight or a missing store: usage errors before any model runs.
  EXPECT_EQ(run(inferCommand(r / "x.csv", "--teacher " + store.string() + " --teacher-weight 2")).code, 2);
  EXPECT_EQ(run(inferCommand(r / "x.csv", "--teacher " + (r / "none.h5").string())).code, 2);
}
