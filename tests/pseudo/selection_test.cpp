// The out-of-fold choice of teacher models, the threshold and the floor, on hand-made logits whose
// probabilities are chosen exactly (logit = log(p / (1 - p))).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/error.hpp"
#include "hand_predictions.hpp"
#include "meta/soundscape_window.hpp"
#include "pseudo/selection.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::pseudo;

namespace {

using chorus::testing::logit;
infer::Predictions predictions() { return chorus::testing::handPredictions(); }
const auto& kFolds = chorus::testing::kHandFolds;

}  // namespace

TEST(PseudoSelection, OutOfFoldModelsThresholdAndFloor) {
  SelectOptions o;
  o.threshold = 0.5;
  o.floor = 0.05;
  const Selection s = selectPseudoLabels(predictions(), kFolds, o);
  EXPECT_EQ(s.windows, 5u);
  EXPECT_EQ(s.noOutOfFoldModel, 1u);  // L2: no model of fold 2
  // L0_5: m0 alone: (0.9, 0.04) -> kept, 0.04 below the floor. L0_10: m0 alone, top 0.3 -> dropped.
  // U_5: mean of probabilities (0.6, 0.2) -> kept. U_10: (0.6, 0.5) -> kept.
  EXPECT_EQ(s.belowThreshold, 1u);
  ASSERT_EQ(s.kept.size(), 3u);
  EXPECT_EQ(s.kept[0].filename, "L0.ogg");
  EXPECT_DOUBLE_EQ(s.kept[0].startSeconds, 0);
  EXPECT_DOUBLE_EQ(s.kept[0].endSeconds, 5);
  EXPECT_NEAR(s.kept[0].values[0], 0.9, 1e-6);
  EXPECT_EQ(s.kept[0].values[1], 0.0f);
  EXPECT_EQ(s.kept[1].filename, "U.ogg");
  EXPECT_NEAR(s.kept[1].values[0], 0.6, 1e-6);
  EXPECT_NEAR(s.kept[1].values[1], 0.2, 1e-6);
  EXPECT_DOUBLE_EQ(s.kept[2].startSeconds, 5);
  EXPECT_NEAR(s.kept[2].values[0], 0.6, 1e-6);
  EXPECT_NEAR(s.kept[2].values[1], 0.5, 1e-6);
  EXPECT_EQ(s.top, (std::vector<size_t>{3, 0}));
  EXPECT_EQ(s.nonzero, (std::vector<size_t>{3, 2}));
  EXPECT_EQ(s.modelsByFold.at(0), (std::vector<std::string>{"m0"}));
  EXPECT_TRUE(s.modelsByFold.at(2).empty());
  EXPECT_EQ(s.modelsByFold.at(-1), (std::vector<std::string>{"m0", "m1"}));
}

TEST(PseudoSelection, HigherThresholdAndFloorKeepLess) {
  SelectOptions o;
  o.threshold = 0.65;
  o.floor = 0.3;
  const Selection s = selectPseudoLabels(predictions(), kFolds, o);
  ASSERT_EQ(s.kept.size(), 1u);  // only L0_5 (0.9); U's tops are 0.6
  EXPECT_EQ(s.belowThreshold, 3u);
  o.floor = 0.95;
  EXPECT_THROW(selectPseudoLabels(predictions(), kFolds, o), UsageError);  // floor above threshold
  o.floor = 0;
  o.reduce = infer::Reduce::Rank;
  EXPECT_THROW(selectPseudoLabels(predictions(), kFolds, o), UsageError);  // ranks are no probabilities
}

TEST(PseudoSelection, MeanLogitsReduction) {
  SelectOptions o;
  o.reduce = infer::Reduce::MeanLogits;
  const Selection s = selectPseudoLabels(predictions(), kFolds, o);
  ASSERT_EQ(s.kept.size(), 3u);
  const double a = 1 / (1 + std::exp(-(logit(0.8) + logit(0.4)) / 2.0));
  EXPECT_NEAR(s.kept[1].values[0], a, 1e-6);
}

TEST(PseudoSelection, FoldsOfLabelledSoundscapesComeFromPrepsTable) {
  const auto dir = chorus::testing::scratchDir();
  std::ofstream(dir / "ok.csv") << "filename,start,end,primary_label,start_s,end_s,fold\n"
                                   "s1.ogg,00:00:00,00:00:05,a,0,5,3\ns1.ogg,00:00:05,00:00:10,b,5,10,3\n"
                                   "s2.ogg,00:00:00,00:00:05,a,0,5,1\n";
  EXPECT_EQ(labelledSoundscapeFolds(dir / "ok.csv"), (std::map<std::string, int>{{"s1.ogg", 3}, {"s2.ogg", 1}}));
  std::ofstream(dir / "bad.csv") << "filename,start,end,primary_label,start_s,end_s,fold\n"
                                    "s1.ogg,00:00:00,00:00:05,a,0,5,3\ns1.ogg,00:00:05,00:00:10,b,5,10,4\n";
  try {
    labelledSoundscapeFolds(dir / "bad.csv");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3:"), std::string::npos) << e.what();
  }
  EXPECT_DOUBLE_EQ(meta::rowEndSeconds("BC2026_Train_0001_S05_20250227_010002_55"), 55);
  EXPECT_THROW(meta::rowEndSeconds("nounderscore"), InputError);
}
