// A teacher as one more member of the reducer (reduceWithTeacher) and the join of a teacher store
// to our prediction rows (teacherColumns), against hand-computed values: a class the teacher lacks
// gets exactly the models-only values.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "infer/reducer.hpp"
#include "infer/teacher_member.hpp"

namespace chorus::infer {
namespace {

const double kNan = std::nan("");
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1 - p)); }

// M = 2 models, N = 3 rows, K = 2 classes (row-major per model).
const std::vector<float> kLogits = {0.1f, 5.f, 0.5f, 4.f, 0.3f, 6.f, /* model 1 */ 2.f, -1.f, 1.f, -2.f, 1.f, -3.f};

}  // namespace

TEST(ReduceWithTeacher, RankMemberByHand) {
  // Class 0: the teacher has [0.9, 0.1, 0.5] -> ranks [3, 1, 2] / 3. Class 1: the teacher lacks it.
  const std::vector<double> teacher = {0.9, kNan, 0.1, kNan, 0.5, kNan};
  const auto models = reduce(kLogits, 2, 3, 2, {1, 1}, Reduce::Rank);
  const auto out = reduceWithTeacher(kLogits, 2, 3, 2, {1, 1}, Reduce::Rank, teacher, 0.25);
  // models, class 0: model 0 ranks [1, 3, 2] / 3, model 1 [3, 1.5, 1.5] / 3 -> [4, 4.5, 3.5] / 6.
  EXPECT_NEAR(out[0], 0.75 * 4 / 6.0 + 0.25 * 3 / 3.0, 1e-12);
  EXPECT_NEAR(out[2], 0.75 * 4.5 / 6.0 + 0.25 * 1 / 3.0, 1e-12);
  EXPECT_NEAR(out[4], 0.75 * 3.5 / 6.0 + 0.25 * 2 / 3.0, 1e-12);
  for (size_t n = 0; n < 3; ++n) EXPECT_EQ(out[n * 2 + 1], models[n * 2 + 1]) << "the class the teacher lacks, row " << n;
  for (double v : out) EXPECT_TRUE(v > 0 && v <= 1);
}

TEST(ReduceWithTeacher, RowsTheTeacherLacksKeepTheModels) {
  // Class 0 without row 1: the teacher's ranks are over rows 0 and 2 only: [2, 1] / 2.
  const std::vector<double> teacher = {0.9, kNan, kNan, kNan, 0.5, kNan};
  const auto models = reduce(kLogits, 2, 3, 2, {1, 1}, Reduce::Rank);
  const auto out = reduceWithTeacher(kLogits, 2, 3, 2, {1, 1}, Reduce::Rank, teacher, 0.5);
  EXPECT_NEAR(out[0], 0.5 * models[0] + 0.5 * 1.0, 1e-12);
  EXPECT_EQ(out[2], models[2]);
  EXPECT_NEAR(out[4], 0.5 * models[4] + 0.5 * 0.5, 1e-12);
}

TEST(ReduceWithTeacher, WeightZeroIsTheModelsAndOneIsTheTeacher) {
  const std::vector<double> teacher = {0.9, kNan, 0.1, kNan, 0.5, kNan};
  for (Reduce how : {Reduce::Rank, Reduce::MeanLogits, Reduce::MeanProbs})
    EXPECT_EQ(reduceWithTeacher(kLogits, 2, 3, 2, {1, 2}, how, teacher, 0.0), reduce(kLogits, 2, 3, 2, {1, 2}, how));
  const auto alone = reduceWithTeacher(kLogits, 2, 3, 2, {1, 2}, Reduce::Rank, teacher, 1.0);
  EXPECT_EQ(alone[0], 1.0);
  EXPECT_EQ(alone[2], 1 / 3.0);
  EXPECT_EQ(alone[4], 2 / 3.0);
}

TEST(ReduceWithTeacher, ProbsAndLogitsByHand) {
  // M = 2, N = 1, K = 2: class 0 logits (1, -3), teacher 0.8; class 1 lacked.
  const std::vector<float> logits = {1.f, 0.f, -3.f, 2.f};
  const std::vector<double> teacher = {0.8, kNan};
  const auto probs = reduceWithTeacher(logits, 2, 1, 2, {1, 3}, Reduce::MeanProbs, teacher, 0.4);
  EXPECT_NEAR(probs[0], 0.6 * (0.25 * sigmoid(1) + 0.75 * sigmoid(-3)) + 0.4 * 0.8, 1e-12);
  EXPECT_EQ(probs[1], reduce(logits, 2, 1, 2, {1, 3}, Reduce::MeanProbs)[1]);
  const auto logitsOut = reduceWithTeacher(logits, 2, 1, 2, {1, 1}, Reduce::MeanLogits, teacher, 0.4);
  EXPECT_NEAR(logitsOut[0], sigmoid(0.6 * -1.0 + 0.4 * logit(0.8)), 1e-12);
  EXPECT_EQ(logitsOut[1], reduce(logits, 2, 1, 2, {1, 1}, Reduce::MeanLogits)[1]);
  // A teacher that is sure (p = 1) stays finite on the logit scale.
  const auto sure = reduceWithTeacher(logits, 2, 1, 2, {1, 1}, Reduce::MeanLogits, {1.0, kNan}, 0.5);
  EXPECT_NEAR(sure[0], sigmoid(0.5 * -1.0 + 0.5 * logit(1 - kTeacherEps)), 1e-9);
  EXPECT_THROW(reduceWithTeacher(logits, 2, 1, 2, {1, 1}, Reduce::Rank, teacher, 1.5), UsageError);
  EXPECT_THROW(reduceWithTeacher(logits, 2, 1, 2, {1, 1}, Reduce::Rank, {0.5}, 0.5), Error);
}

namespace {

// Two soundscapes: S1 (3 windows), S2 (2 windows); classes a, b, c; M = 1.
Predictions predictions() {
  Predictions p;
  p.models = {"m-f0"};
  p.weights = {1};
  p.folds = {0};
  p.classes = {"a", "b", "c"};
  p.rowIds = {"S1_5", "S1_10", "S1_15", "S2_5", "S2_10"};
  p.soundscapeOf = {"S1.ogg", "S1.ogg", "S1.ogg", "S2.ogg", "S2.ogg"};
  for (int i = 0; i < 15; ++i) p.logits.push_back(float(i % 7) - 3.0f);
  return p;
}

// The teacher: classes c and a (not b), S1's three windows in another order, S2's first only, and a
// soundscape we did not predict.
store::TeacherStore teacher() {
  store::TeacherStore s;
  s.name = "T";
  s.classes = {"c", "a"};
  s.covered = {1, 1};
  s.itemIds = {"S1.ogg", "S1.ogg", "S2.ogg", "S9.ogg", "S1.ogg"};
  s.startSeconds = {10, 0, 0, 0, 5};
  s.endSeconds = {15, 5, 5, 5, 10};
  s.probs = {0.3f, 0.13f, 0.1f, 0.11f, 0.5f, 0.15f, 0.9f, 0.19f, 0.2f, 0.12f};
  return s;
}

}  // namespace

TEST(TeacherColumns, JoinsByRowIdAndClass) {
  const auto c = teacherColumns(teacher(), predictions());
  EXPECT_EQ(c.covered, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(c.rowsFound, 4u);
  EXPECT_EQ(c.rowsMissing, (std::vector<std::string>{"S2_10"}));
  auto at = [&](size_t n, size_t k) { return c.values[n * 3 + k]; };
  EXPECT_EQ(at(0, 0), double(0.11f));  // S1_5, a
  EXPECT_EQ(at(0, 2), double(0.1f));   // S1_5, c
  EXPECT_EQ(at(1, 0), double(0.12f));  // S1_10
  EXPECT_EQ(at(2, 2), double(0.3f));   // S1_15
  EXPECT_EQ(at(3, 0), double(0.15f));  // S2_5
  for (size_t n = 0; n < 5; ++n) EXPECT_TRUE(std::isnan(at(n, 1))) << "b: the teacher lacks it";
  for (size_t k = 0; k < 3; ++k) EXPECT_TRUE(std::isnan(at(4, k))) << "S2_10: the teacher did not score it";
}

TEST(TeacherColumns, TheClassItLacksGetsExactlyTheModelsOnlyRanks) {
  const Predictions p = predictions();
  const auto c = teacherColumns(teacher(), p);
  const auto models = reduce(p.logits, 1, 5, 3, p.weights, Reduce::Rank);
  const auto out = reduceWithTeacher(p.logits, 1, 5, 3, p.weights, Reduce::Rank, c.values, 0.3);
  for (size_t n = 0; n < 5; ++n) EXPECT_EQ(out[n * 3 + 1], models[n * 3 + 1]);
  EXPECT_NE(out[0], models[0]);
}

TEST(TeacherColumns, RefusesOtherClassesAndOtherWindows) {
  store::TeacherStore s = teacher();
  s.classes = {"c", "zz"};
  EXPECT_THROW(teacherColumns(s, predictions()), InputError);
  s = teacher();
  s.windowSeconds = 3;
  s.startSeconds = {9, 0, 0, 0, 3};
  s.endSeconds = {12, 3, 3, 3, 6};
  EXPECT_THROW(teacherColumns(s, predictions()), InputError);
}

}  // namespace chorus::infer
