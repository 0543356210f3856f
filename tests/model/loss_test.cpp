// AsymmetricLoss and BCE: a few values worked out with plain doubles, and the whole of
// tests/fixtures/model/asl.json (the ASL authors' code and torch's BCE, run by
// tools/make_model_fixture.py), values and gradients.
#include "core/error.hpp"
#include "model/loss.hpp"
#include "model_test_util.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace ct = chorus::testing;
using chorus::Error;
using chorus::UsageError;
using namespace chorus::model;

namespace {

nlohmann::json loadJson(const std::string& name) {
  std::ifstream in(ct::fixture("model/" + name));
  return nlohmann::json::parse(in);
}

torch::Tensor matrix(const nlohmann::json& rows) {
  std::vector<double> flat;
  for (const auto& row : rows)
    for (double v : row) flat.push_back(v);
  const int64_t n = static_cast<int64_t>(rows.size());
  return torch::tensor(flat, torch::kDouble).view({n, -1});
}

double aslOf(double logit, double target, LossOptions o = {}) {
  auto x = torch::tensor({logit}, torch::kDouble), y = torch::tensor({target}, torch::kDouble);
  return asymmetricLoss(x, y, o).item<double>();
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

TEST(AsymmetricLoss, WorkedValuesWithDefaults) {
  // Defaults: gamma- = 4, gamma+ = 0, clip = 0.05.
  // Positive at x = 0: p = 0.5, weight (1-p)^0 = 1, loss = -log 0.5.
  EXPECT_NEAR(aslOf(0.0, 1.0), -std::log(0.5), 1e-12);
  // Negative at x = 0: p_m = 0.45, loss = -0.45^4 * log(0.55).
  EXPECT_NEAR(aslOf(0.0, 0.0), -std::pow(0.45, 4) * std::log(0.55), 1e-12);
  // An easy negative, p = sigmoid(-3) = 0.047 < clip: shifted to 0, no loss at all.
  EXPECT_EQ(aslOf(-3.0, 0.0), 0.0);
  // A confident wrong negative, x = 20: p_m = 1 - 0.05 - 2e-9, log(1 - p_m) close to log 0.05.
  const double pm = sigmoid(20.0) - 0.05;
  EXPECT_NEAR(aslOf(20.0, 0.0), -std::pow(pm, 4) * std::log(1.0 - pm), 1e-9);
  // A confidently missed positive, x = -20: log p floored at eps = 1e-8 -> -log(1e-8) = 18.42.
  EXPECT_NEAR(aslOf(-20.0, 1.0), -std::log(std::max(sigmoid(-20.0), 1e-8)), 1e-9);
  EXPECT_NEAR(aslOf(-40.0, 1.0), -std::log(1e-8), 1e-9);
}

TEST(AsymmetricLoss, SoftTargetIsTheExpectationOverTheLabel) {
  // y = 0.3 at x = 1: 0.3 * (positive loss) + 0.7 * (negative loss).
  const double p = sigmoid(1.0), pm = p - 0.05;
  const double expected = -(0.3 * std::log(p) + 0.7 * std::pow(pm, 4) * std::log(1.0 - pm));
  EXPECT_NEAR(aslOf(1.0, 0.3), expected, 1e-12);
  // gamma+ = 1 weights the positive part by (1 - p).
  LossOptions o;
  o.gammaPos = 1.0;
  const double withGammaPos = -(0.3 * (1.0 - p) * std::log(p) + 0.7 * std::pow(pm, 4) * std::log(1.0 - pm));
  EXPECT_NEAR(aslOf(1.0, 0.3, o), withGammaPos, 1e-12);
}

TEST(AsymmetricLoss, MatchesTheAuthorsCodeOnHardLabels) {
  const auto ref = loadJson("asl.json");
  const auto logits = matrix(ref["logits"]), targets = matrix(ref["hard"]);
  for (const auto& c : ref["asl"]) {
    LossOptions o;
    o.gammaNeg = c["gamma_neg"];
    o.gammaPos = c["gamma_pos"];
    o.clip = c["clip"];
    o.detachFocalWeight = c["detach"];
    o.reduction = Reduction::Sum;  // the authors' reduction
    auto x = logits.clone().requires_grad_(true);
    auto loss = multiLabelLoss(x, targets, o);
    loss.backward();
    SCOPED_TRACE("gamma_neg " + c["gamma_neg"].dump() + " gamma_pos " + c["gamma_pos"].dump() + " clip " +
                 c["clip"].dump() + " detach " + c["detach"].dump());
    EXPECT_NEAR(loss.item<double>(), c["loss_sum"].get<double>(), 1e-10);
    EXPECT_LT(ct::maxAbsDiff(x.grad(), matrix(c["grad_sum"])), 1e-10);

    // Mean is the sum over the N×K elements; float32 agrees to float precision.
    o.reduction = Reduction::Mean;
    EXPECT_NEAR(multiLabelLoss(logits, targets, o).item<double>(), c["loss_sum"].get<double>() / logits.numel(), 1e-12);
    auto mean32 = multiLabelLoss(logits.to(torch::kFloat), targets.to(torch::kFloat), o).item<double>();
    EXPECT_NEAR(mean32, c["loss_sum"].get<double>() / logits.numel(), 1e-5);
  }
}

TEST(AsymmetricLoss, SoftTargetsElementwise) {
  const auto ref = loadJson("asl.json");
  const auto logits = matrix(ref["logits"]), targets = matrix(ref["soft"]);
  LossOptions o;
  o.reduction = Reduction::Sum;
  double expected = 0.0;
  for (int64_t i = 0; i < logits.numel(); ++i) {
    const double x = logits.view(-1)[i].item<double>(), y = targets.view(-1)[i].item<double>();
    const double p = sigmoid(x), pm = std::max(p - 0.05, 0.0);
    expected -= y * std::log(std::max(p, 1e-8)) + (1 - y) * std::pow(pm, 4) * std::log(std::max(1 - pm, 1e-8));
  }
  EXPECT_NEAR(multiLabelLoss(logits, targets, o).item<double>(), expected, 1e-9);
}

TEST(BceLoss, MatchesTorchBinaryCrossEntropyWithLogits) {
  const auto ref = loadJson("asl.json");
  const auto logits = matrix(ref["logits"]);
  for (const std::string labels : {"hard", "soft"}) {
    for (const std::string red : {"mean", "sum"}) {
      LossOptions o;
      o.kind = LossKind::Bce;
      o.reduction = red == "sum" ? Reduction::Sum : Reduction::Mean;
      auto x = logits.clone().requires_grad_(true);
      auto loss = multiLabelLoss(x, matrix(ref[labels]), o);
      loss.backward();
      const auto& expected = ref["bce"][labels + "_" + red];
      EXPECT_NEAR(loss.item<double>(), expected["loss"].get<double>(), 1e-10) << labels << " " << red;
      EXPECT_LT(ct::maxAbsDiff(x.grad(), matrix(expected["grad"])), 1e-10) << labels << " " << red;
    }
  }
}

TEST(LossOptions, RejectsWhatCannotWork) {
  LossOptions o;
  EXPECT_NO_THROW(o.validate());
  o.clip = 1.0;
  EXPECT_THROW(o.validate(), UsageError);
  o = {};
  o.gammaNeg = -1;
  EXPECT_THROW(o.validate(), UsageError);
  EXPECT_THROW(parseLossKind("focal"), UsageError);
  EXPECT_EQ(parseLossKind("bce"), LossKind::Bce);
  EXPECT_THROW(multiLabelLoss(torch::zeros({2, 3}), torch::zeros({2, 4}), {}), Error);
}
