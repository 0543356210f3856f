// The torch-free pieces of inference, against hand-computed values: the reducer, the time-budget
// plan, the TTA variants, the window grid, and the submission's alignment and validation.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "infer/predict.hpp"
#include "infer/reducer.hpp"
#include "infer/submission.hpp"
#include "infer/time_budget.hpp"
#include "meta/csv.hpp"
#include "meta/soundscape_window.hpp"
#include "test_util.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
}  // namespace

TEST(Reducer, AverageRanksShareTies) {
  EXPECT_EQ(averageRanks({0.3, 0.1, 0.3, 0.2}), (std::vector<double>{3.5, 1, 3.5, 2}));
}

TEST(Reducer, RankAverageByHand) {
  // M = 2 models, N = 3 rows, K = 1 class.
  const std::vector<float> logits = {0.1f, 0.5f, 0.3f, /* model 1 */ 2.f, 1.f, 1.f};
  // ranks / N: model 0 [1, 3, 2] / 3, model 1 [3, 1.5, 1.5] / 3.
  auto equal = reduce(logits, 2, 3, 1, {1, 1}, Reduce::Rank);
  EXPECT_NEAR(equal[0], (1 + 3) / 6.0, 1e-12);
  EXPECT_NEAR(equal[1], (3 + 1.5) / 6.0, 1e-12);
  EXPECT_NEAR(equal[2], (2 + 1.5) / 6.0, 1e-12);
  auto weighted = reduce(logits, 2, 3, 1, {3, 1}, Reduce::Rank);  // 0.75 / 0.25
  EXPECT_NEAR(weighted[0], 0.5, 1e-12);
  EXPECT_NEAR(weighted[1], 0.875, 1e-12);
  EXPECT_NEAR(weighted[2], 0.625, 1e-12);
  for (double v : weighted) EXPECT_TRUE(v > 0 && v <= 1);
}

TEST(Reducer, MeanLogitsAndProbsByHand) {
  // M = 2, N = 1, K = 2: class 0 logits (1, -3), class 1 (0, 2).
  const std::vector<float> logits = {1.f, 0.f, -3.f, 2.f};
  auto ml = reduce(logits, 2, 1, 2, {1, 1}, Reduce::MeanLogits);
  EXPECT_NEAR(ml[0], sigmoid(-1), 1e-9);
  EXPECT_NEAR(ml[1], sigmoid(1), 1e-9);
  auto mp = reduce(logits, 2, 1, 2, {1, 3}, Reduce::MeanProbs);
  EXPECT_NEAR(mp[0], 0.25 * sigmoid(1) + 0.75 * sigmoid(-3), 1e-9);
  EXPECT_NEAR(mp[1], 0.25 * sigmoid(0) + 0.75 * sigmoid(2), 1e-9);
  EXPECT_THROW(reduce(logits, 2, 1, 2, {1}, Reduce::Rank), UsageError);
  EXPECT_THROW(reduce(logits, 2, 1, 2, {0, 0}, Reduce::Rank), UsageError);
  EXPECT_THROW(parseReduce("median"), UsageError);
}

TEST(TimeBudget, DropsVariantsThenModels) {
  // elapsed 10 s, 10 soundscapes left, overhead 1 s each, two models of 4 s (4 variants).
  auto all = planToFit(100, 10, 10, 1, {4, 4}, 4);
  EXPECT_EQ(all.variants, 4u);
  EXPECT_EQ(all.models, 2u);
  EXPECT_DOUBLE_EQ(all.projectedSeconds, 100);
  auto two = planToFit(60, 10, 10, 1, {4, 4}, 4);  // 3 variants: 80 s; 2 variants: 60 s
  EXPECT_EQ(two.variants, 2u);
  EXPECT_EQ(two.models, 2u);
  EXPECT_TRUE(two.fits);
  auto one = planToFit(35, 10, 10, 1, {4, 4}, 4);  // 1 variant: 40 s; then one model: 30 s
  EXPECT_EQ(one.variants, 1u);
  EXPECT_EQ(one.models, 1u);
  EXPECT_TRUE(one.fits);
  auto none = planToFit(20, 10, 10, 1, {4, 4}, 4);
  EXPECT_FALSE(none.fits);
  EXPECT_EQ(none.models, 1u);
}

TEST(Tta, EveryVariantChangesTheInput) {
  const int mels = 3, frames = 4;
  std::vector<float> base(mels * frames);
  for (size_t i = 0; i < base.size(); ++i) base[i] = -40.f + float(i);
  for (const auto& v : defaultTta()) {
    auto x = base;
    applyVariant(v, x.data(), mels, frames);
    if (v == "orig") {
      EXPECT_EQ(x, base);
      continue;
    }
    EXPECT_NE(x, base) << v;
  }
  auto r = base;
  applyVariant("reverse", r.data(), mels, frames);
  EXPECT_EQ(r[0], base[3]);  // mel 0: frames reversed
  EXPECT_EQ(r[4], base[7]);  // mel 1 too
  auto g = base;
  applyVariant("gain-3", g.data(), mels, frames);
  EXPECT_FLOAT_EQ(g[5], base[5] - 3);
  EXPECT_THROW(validateTta({"orig", "pitch"}), UsageError);
  EXPECT_THROW(validateTta({"orig", "orig"}), UsageError);
  EXPECT_NO_THROW(validateTta({"gain+1.5", "reverse"}));
}

TEST(Windows, GridAndRowIds) {
  EXPECT_EQ(meta::windowCount(60), 12);
  EXPECT_EQ(meta::windowCount(60.00001), 12);
  EXPECT_EQ(meta::windowCount(61), 13);
  EXPECT_EQ(meta::windowCount(7), 2);
  EXPECT_EQ(meta::windowCount(2), 1);
  EXPECT_EQ(meta::windowRowId("BC2026_Test_0001_S05_20250227_010002.ogg", 0), "BC2026_Test_0001_S05_20250227_010002_5");
  EXPECT_EQ(meta::windowRowId("a.ogg", 11), "a_60");
}

TEST(Submission, AlignedToSampleSubmission) {
  const fs::path dir = testing::scratchDir() / "submission";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream s(dir / "sample.csv");
    s << "row_id,b,a\nx_10,0,0\nnoaudio_5,0,0\nx_5,0,0\n";
  }
  // Predictions: classes (a, b), rows x_5, x_10, y_5.
  const std::vector<double> values = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  auto counts = writeSubmission(dir / "sub.csv", dir / "sample.csv", {"x_5", "x_10", "y_5"}, {"a", "b"}, values, 0.5);
  EXPECT_EQ(counts.rows, 4u);
  EXPECT_EQ(counts.missingRows, 1u);
  EXPECT_EQ(counts.extraRows, 1u);
  auto csv = meta::CsvTable::read(dir / "sub.csv");
  EXPECT_EQ(csv.header(), (std::vector<std::string>{"row_id", "b", "a"}));
  ASSERT_EQ(csv.size(), 4u);
  EXPECT_EQ(csv.rows()[0].fields, (std::vector<std::string>{"x_10", "0.4", "0.3"}));
  EXPECT_EQ(csv.rows()[1].fields, (std::vector<std::string>{"noaudio_5", "0.5", "0.5"}));
  EXPECT_EQ(csv.rows()[2].fields, (std::vector<std::string>{"x_5", "0.2", "0.1"}));
  EXPECT_EQ(csv.rows()[3].fields, (std::vector<std::string>{"y_5", "0.6", "0.5"}));
  // A value outside [0, 1] is refused before anything is written.
  EXPECT_THROW(writeSubmission(dir / "bad.csv", dir / "sample.csv", {"x_5"}, {"a", "b"}, {0.1, 1.5}, 0.5), Error);
  EXPECT_FALSE(fs::exists(dir / "bad.csv"));
  EXPECT_THROW(writeSubmission(dir / "bad.csv", dir / "sample.csv", {"x_5"}, {"a", "c"}, {0.1, 0.5}, 0.5), InputError);
}

TEST(Submission, ARepeatedRowIdInTheSampleIsAnErrorNamingIt) {
  const fs::path dir = testing::scratchDir() / "submission-repeat";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "sample.csv") << "row_id,a\nx_5,0\nx_10,0\nx_5,0\n";
  try {
    writeSubmission(dir / "sub.csv", dir / "sample.csv", {"x_5", "x_10"}, {"a"}, {0.1, 0.2}, 0.5);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "sample.csv").string() + ":4: row_id x_5 repeats line 2: each row_id must appear once");
  }
  EXPECT_FALSE(fs::exists(dir / "sub.csv"));
}

}  // namespace chorus::infer
