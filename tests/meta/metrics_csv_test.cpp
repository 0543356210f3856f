// metrics.csv: what train writes reads back bit-exact, a bad value is named by file, line and
// column, and the best epoch follows training's rule (the first, then strictly higher headlines).
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "meta/metrics_csv.hpp"

namespace chorus::meta {

TEST(MetricsCsv, RoundTripsEveryDoubleExactly) {
  EpochMetrics a{1, 7, 0.1 + 0.2, 1e-3 / 3, 2.0 / 3, -1, 0.7123456789012345, 12.25};
  EpochMetrics b{2, 14, std::nextafter(0.5, 1.0), 4.9406564584124654e-324, 1e300, 0.5, -1, 0};
  const auto rows = parseMetricsCsv(metricsCsv({a, b}), "m.csv");
  ASSERT_EQ(rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const EpochMetrics& want = i == 0 ? a : b;
    EXPECT_EQ(rows[i].epoch, want.epoch);
    EXPECT_EQ(rows[i].step, want.step);
    EXPECT_EQ(rows[i].trainLoss, want.trainLoss);
    EXPECT_EQ(rows[i].lr, want.lr);
    EXPECT_EQ(rows[i].valLoss, want.valLoss);
    EXPECT_EQ(rows[i].clipAuc, want.clipAuc);
    EXPECT_EQ(rows[i].soundscapeAuc, want.soundscapeAuc);
    EXPECT_EQ(rows[i].seconds, want.seconds);
  }
}

TEST(MetricsCsv, BadValueNamesFileLineAndColumn) {
  const std::string text =
      "epoch,step,train_loss,lr,val_loss,clip_auc,soundscape_auc,seconds\n"
      "1,2,0.5,0.001,0.4,0.5,0.6,1\n"
      "2,4,0.5x,0.001,0.4,0.5,0.6,1\n";
  try {
    parseMetricsCsv(text, "models/b-f0/metrics.csv");
    FAIL() << "a trailing 'x' was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("models/b-f0/metrics.csv:3"), std::string::npos) << what;
    EXPECT_NE(what.find("train_loss"), std::string::npos) << what;
  }
  EXPECT_THROW(parseMetricsCsv("epoch,step\n1,2\n", "short.csv"), Error);  // columns missing
}

TEST(MetricsCsv, HeadlineAndBestEpoch) {
  EpochMetrics clipOnly{1, 1, 0, 0, 0, 0.6, -1, 0};
  EXPECT_EQ(headlineScore(clipOnly), 0.6);
  EpochMetrics both{1, 1, 0, 0, 0, 0.9, 0.55, 0};
  EXPECT_EQ(headlineScore(both), 0.55);  // the soundscape AUC wins where it is defined

  EXPECT_EQ(bestEpoch({}).epoch, 0);
  // Nothing scorable anywhere: the first epoch is still the best (best.json names it).
  EpochMetrics none{1, 1, 0, 0, 0, -1, -1, 0};
  EXPECT_EQ(bestEpoch({none}).epoch, 1);
  EXPECT_EQ(bestEpoch({none}).score, -1);
  std::vector<EpochMetrics> rows = {{1, 1, 0, 0, 0, -1, 0.5, 0}, {2, 2, 0, 0, 0, -1, 0.7, 0},
                                    {3, 3, 0, 0, 0, -1, 0.7, 0}, {4, 4, 0, 0, 0, -1, 0.6, 0}};
  EXPECT_EQ(bestEpoch(rows).epoch, 2);  // the tie at epoch 3 keeps epoch 2
  EXPECT_EQ(bestEpoch(rows).score, 0.7);
  EXPECT_TRUE(betterThanBest(rows[0], 0, 0.99));  // no best yet
  EXPECT_FALSE(betterThanBest(rows[2], 2, 0.7));
}

}  // namespace chorus::meta
