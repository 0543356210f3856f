// Window post-processing (smoothing, per-file boost) against numpy (tools/make_postprocess_fixture.py),
// and its wrapping for the reducer's logits.
#include "infer/postprocess.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "infer/reducer.hpp"
#include "test_util.hpp"

namespace chorus::infer {
namespace {

nlohmann::json fixture() {
  std::ifstream in(chorus::testing::fixture("infer/postprocess.json"));
  if (!in) throw std::runtime_error("missing fixture: run tools/make_postprocess_fixture.py");
  return nlohmann::json::parse(in);
}

std::vector<double> flat(const nlohmann::json& rows) {
  std::vector<double> out;
  for (const auto& row : rows)
    for (double v : row) out.push_back(v);
  return out;
}

TEST(PostProcess, MatchesNumpyOnEveryCase) {
  const auto f = fixture();
  const auto files = f["files"].get<std::vector<std::string>>();
  const size_t K = f["classes"], N = files.size();
  const auto probs = flat(f["probs"]);
  ASSERT_EQ(probs.size(), N * K);
  for (const auto& c : f["cases"]) {
    PostProcessOptions o;
    o.smoothing = c["kernel"].get<std::vector<double>>();
    o.boost = c["boost"];
    const auto expected = flat(c["expected"]);
    const auto ours = postProcessProbs(probs, N, K, files, o);
    double worst = 0;
    for (size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::fabs(ours[i] - expected[i]));
    EXPECT_LT(worst, 1e-12) << o.describe();
    // Something changed: the fixture's cases are not no-ops.
    double moved = 0;
    for (size_t i = 0; i < ours.size(); ++i) moved = std::max(moved, std::fabs(ours[i] - probs[i]));
    EXPECT_GT(moved, 1e-3) << o.describe();
  }
}

TEST(PostProcess, OffChangesNothingBitForBit) {
  std::vector<float> logits = {-3.5f, 2.25f, 0.1f, -40.f, 41.f, 0.f};
  const auto before = logits;
  postProcessLogits(logits, 1, 3, 2, {"a", "a", "b"}, PostProcessOptions{});
  EXPECT_EQ(logits, before);
  PostProcessOptions single;  // a one-weight kernel is no smoothing
  single.smoothing = {1.0};
  EXPECT_FALSE(single.active());
}

TEST(PostProcess, LogitsWrapIsTheProbabilityProcessing) {
  const auto f = fixture();
  const auto files = f["files"].get<std::vector<std::string>>();
  const size_t K = f["classes"], N = files.size();
  const auto probs = flat(f["probs"]);
  PostProcessOptions o;
  o.smoothing = {0.2, 0.6, 0.2}, o.boost = 0.5;
  // Two models: the fixture's probabilities and their complement, as logits.
  std::vector<float> logits(2 * N * K);
  for (size_t i = 0; i < N * K; ++i) {
    const double p = std::clamp(probs[i], 1e-6, 1 - 1e-6);
    logits[i] = float(std::log(p / (1 - p)));
    logits[N * K + i] = -logits[i];
  }
  auto processed = logits;
  postProcessLogits(processed, 2, N, K, files, o);
  for (size_t m = 0; m < 2; ++m) {
    std::vector<double> p(N * K);
    for (size_t i = 0; i < N * K; ++i) p[i] = 1 / (1 + std::exp(-double(logits[m * N * K + i])));
    const auto want = postProcessProbs(p, N, K, files, o);
    for (size_t i = 0; i < N * K; ++i)
      ASSERT_NEAR(1 / (1 + std::exp(-double(processed[m * N * K + i]))), want[i], 1e-6) << "model " << m << " value " << i;
  }
}

TEST(PostProcess, BoostKeepsTheOrderWithinAFileAndRaisesFilesWithAPeak) {
  // One class; file a has a clear call (0.9), file b none: b's 0.3 window should fall below a's 0.25.
  const std::vector<double> p = {0.25, 0.9, 0.3, 0.1};
  PostProcessOptions o;
  o.boost = 1.0;
  const auto out = postProcessProbs(p, 4, 1, {"a", "a", "b", "b"}, o);
  EXPECT_GT(out[1], out[0]);
  EXPECT_GT(out[2], out[3]);
  EXPECT_GT(out[0], out[2]);  // (0.25 + 0.9) / 2 > (0.3 + 0.3) / 2
  const auto ranks = reduce({float(std::log(out[0] / (1 - out[0]))), float(std::log(out[2] / (1 - out[2])))}, 1, 2, 1,
                            {1.0}, Reduce::Rank);
  EXPECT_GT(ranks[0], ranks[1]);
}

TEST(PostProcess, RefusesBadSettingsAndScatteredFiles) {
  PostProcessOptions even;
  even.smoothing = {0.5, 0.5};
  EXPECT_THROW(even.validate(), UsageError);
  PostProcessOptions negative;
  negative.smoothing = {0.2, -0.6, 0.2};
  EXPECT_THROW(negative.validate(), UsageError);
  PostProcessOptions zero;
  zero.smoothing = {0, 0, 0};
  EXPECT_THROW(zero.validate(), UsageError);
  PostProcessOptions boost;
  boost.boost = -1;
  EXPECT_THROW(boost.validate(), UsageError);
  PostProcessOptions ok;
  ok.boost = 0.5;
  EXPECT_THROW(postProcessProbs({0.1, 0.2, 0.3}, 3, 1, {"a", "b", "a"}, ok), Error);
}

}  // namespace
}  // namespace chorus::infer
