// Pseudo-labels from a teacher store, alone and blended with the ensemble on the classes the teacher
// has, on the hand-made probabilities selection_test uses too (hand_predictions.hpp).
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "hand_predictions.hpp"
#include "pseudo/teacher_labels.hpp"

using namespace chorus;
using namespace chorus::pseudo;

namespace {

infer::Predictions predictions() { return chorus::testing::handPredictions(); }
const auto& kFolds = chorus::testing::kHandFolds;

// A teacher that has class b only, and no U_10 window.
store::TeacherStore teacher() {
  store::TeacherStore s;
  s.name = "BirdNET";
  s.classes = {"b"};
  s.covered = {1};
  s.itemIds = {"L0.ogg", "L0.ogg", "L2.ogg", "U.ogg"};
  s.startSeconds = {0, 5, 0, 0};
  s.endSeconds = {5, 10, 5, 5};
  s.probs = {0.8f, 0.9f, 0.99f, 0.1f};
  return s;
}

TeacherLabelOptions options(double w) {
  TeacherLabelOptions o;
  o.select.threshold = 0.5;
  o.select.floor = 0.05;
  o.teacherWeight = w;
  return o;
}

}  // namespace

TEST(TeacherPseudoLabels, BlendedOnTheClassesTheTeacherHas) {
  const TeacherSelection t = blendedPseudoLabels(teacher(), predictions(), kFolds, options(0.5));
  EXPECT_EQ(t.covered, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(t.teacherRows, 4u);
  EXPECT_EQ(t.rowsWithoutTeacher, (std::vector<std::string>{"U_10"}));
  const Selection& s = t.selection;
  EXPECT_EQ(s.noOutOfFoldModel, 1u);  // L2_5: still left out, teacher or not
  EXPECT_EQ(s.belowThreshold, 0u);
  ASSERT_EQ(s.kept.size(), 4u);
  // b = 0.5 * teacher + 0.5 * ensemble; a is the ensemble's alone.
  EXPECT_NEAR(s.kept[0].values[0], 0.9, 1e-6);
  EXPECT_NEAR(s.kept[0].values[1], 0.5 * 0.8 + 0.5 * 0.04, 1e-6);
  EXPECT_EQ(s.kept[1].filename, "L0.ogg");  // L0_10: 0.55 now passes the threshold, as 0.3 / 0.2 did not
  EXPECT_DOUBLE_EQ(s.kept[1].endSeconds, 10);
  EXPECT_NEAR(s.kept[1].values[0], 0.3, 1e-6);
  EXPECT_NEAR(s.kept[1].values[1], 0.55, 1e-6);
  EXPECT_NEAR(s.kept[2].values[1], 0.5 * 0.1 + 0.5 * 0.2, 1e-6);  // U_5
  EXPECT_NEAR(s.kept[3].values[1], 0.5, 1e-6);                    // U_10: the teacher has no window there
  EXPECT_EQ(s.top, (std::vector<size_t>{3, 1}));
}

TEST(TeacherPseudoLabels, WeightZeroIsOursAndOneIsTheTeachers) {
  SelectOptions plain;
  plain.threshold = 0.5;
  plain.floor = 0.05;
  const Selection ours = selectPseudoLabels(predictions(), kFolds, plain);
  const Selection zero = blendedPseudoLabels(teacher(), predictions(), kFolds, options(0.0)).selection;
  ASSERT_EQ(zero.kept.size(), ours.kept.size());
  for (size_t i = 0; i < ours.kept.size(); ++i) EXPECT_EQ(zero.kept[i].values, ours.kept[i].values) << i;
  EXPECT_EQ(zero.belowThreshold, ours.belowThreshold);
  const Selection one = blendedPseudoLabels(teacher(), predictions(), kFolds, options(1.0)).selection;
  ASSERT_EQ(one.kept.size(), 4u);
  EXPECT_NEAR(one.kept[0].values[1], 0.8, 1e-6);
  EXPECT_NEAR(one.kept[1].values[1], 0.9, 1e-6);
  EXPECT_NEAR(one.kept[0].values[0], 0.9, 1e-6);  // a: still the ensemble's
}

TEST(TeacherPseudoLabels, TheTeacherAlone) {
  const TeacherSelection t = teacherPseudoLabels(teacher(), {"a", "b"}, options(1.0));
  EXPECT_EQ(t.covered, (std::vector<uint8_t>{0, 1}));
  const Selection& s = t.selection;
  EXPECT_EQ(s.windows, 4u);
  EXPECT_EQ(s.belowThreshold, 1u);  // U_5: 0.1
  ASSERT_EQ(s.kept.size(), 3u);
  EXPECT_EQ(s.kept[0].filename, "L0.ogg");
  EXPECT_DOUBLE_EQ(s.kept[0].startSeconds, 0);
  EXPECT_EQ(s.kept[0].values, (std::vector<float>{0.0f, 0.8f}));  // a: the teacher lacks it -> 0
  EXPECT_DOUBLE_EQ(s.kept[1].endSeconds, 10);
  EXPECT_EQ(s.kept[2].filename, "L2.ogg");
  EXPECT_EQ(s.kept[2].values, (std::vector<float>{0.0f, 0.99f}));
  EXPECT_EQ(dataset::pseudoRowId(s.kept[2]), "L2_5");
}

TEST(TeacherPseudoLabels, RefusesBadOptionsAndOtherWindows) {
  EXPECT_THROW(blendedPseudoLabels(teacher(), predictions(), kFolds, options(1.5)), UsageError);
  TeacherLabelOptions ranks = options(0.5);
  ranks.select.reduce = infer::Reduce::Rank;
  EXPECT_THROW(blendedPseudoLabels(teacher(), predictions(), kFolds, ranks), UsageError);
  store::TeacherStore s = teacher();
  s.windowSeconds = 3;
  s.startSeconds = {0, 3, 0, 0};
  s.endSeconds = {3, 6, 3, 3};
  EXPECT_THROW(teacherPseudoLabels(s, {"a", "b"}, options(1.0)), InputError);
  EXPECT_THROW(teacherPseudoLabels(teacher(), {"a"}, options(1.0)), InputError);  // b is not ours
}
