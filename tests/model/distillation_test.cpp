// The distillation terms against tests/fixtures/model/distillation.json, the same definitions written
// another way in PyTorch (tools/make_distillation_fixture.py): values and gradients, float64.
#include "core/error.hpp"
#include "model/distillation.hpp"
#include "model_test_util.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

nlohmann::json reference() {
  std::ifstream in(ct::fixture("model/distillation.json"));
  return nlohmann::json::parse(in);
}

// Nested lists of numbers (null: NaN) as a float64 tensor of the given shape.
void flatten(const nlohmann::json& j, std::vector<double>& out) {
  if (j.is_array()) {
    for (const auto& v : j) flatten(v, out);
  } else {
    out.push_back(j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>());
  }
}

torch::Tensor tensor(const nlohmann::json& j, std::vector<int64_t> shape) {
  std::vector<double> flat;
  flatten(j, flat);
  return torch::tensor(flat, torch::kDouble).view(shape);
}

ProjectionHead head(const nlohmann::json& ref) {
  ProjectionHead h(6, 3);
  h->to(torch::kDouble);
  torch::NoGradGuard guard;
  h->fc->weight.copy_(tensor(ref["head_weight"], {3, 6}));
  h->fc->bias.copy_(tensor(ref["head_bias"], {3}));
  return h;
}

}  // namespace

TEST(Distillation, SoftTargetsMatchTheReference) {
  const auto ref = reference();
  const auto probs = tensor(ref["probs"], {4, 5});
  for (const auto& c : ref["soft"]) {
    auto z = tensor(ref["logits"], {4, 5}).requires_grad_(true);
    const auto loss = softTargetLoss(z, probs, c["temperature"].get<double>());
    loss.backward();
    EXPECT_NEAR(loss.item<double>(), c["value"].get<double>(), 1e-12) << "T " << c["temperature"];
    EXPECT_LT(ct::maxAbsDiff(z.grad(), tensor(c["grad_logits"], {4, 5})), 1e-12) << "T " << c["temperature"];
    // No gradient where the teacher has no value: the uncovered class, the window it did not score.
    EXPECT_EQ(z.grad().select(1, 1).abs().sum().item<double>(), 0.0);
    EXPECT_EQ(z.grad()[3].abs().sum().item<double>(), 0.0);
    EXPECT_FALSE(torch::isnan(z.grad()).any().item<bool>());
  }
}

TEST(Distillation, CosineThroughTheProjectionHeadMatchesTheReference) {
  const auto ref = reference();
  ProjectionHead h = head(ref);
  auto x = tensor(ref["features"], {4, 6, 2, 3}).requires_grad_(true);
  const auto loss = embeddingLoss(h->forward(pooledFeatures(x)), tensor(ref["embeddings"], {4, 3}), tensor(ref["has"], {4}));
  loss.backward();
  const auto& c = ref["cosine"];
  EXPECT_NEAR(loss.item<double>(), c["value"].get<double>(), 1e-12);
  EXPECT_LT(ct::maxAbsDiff(x.grad(), tensor(c["grad_features"], {4, 6, 2, 3})), 1e-12);
  EXPECT_LT(ct::maxAbsDiff(h->fc->weight.grad(), tensor(c["grad_weight"], {3, 6})), 1e-12);
  EXPECT_LT(ct::maxAbsDiff(h->fc->bias.grad(), tensor(c["grad_bias"], {3})), 1e-12);
  EXPECT_EQ(x.grad()[2].abs().sum().item<double>(), 0.0);  // the window without a teacher embedding
}

TEST(Distillation, TotalAddsBothTermsToTheSupervisedLoss) {
  const auto ref = reference();
  const auto& c = ref["total"];
  ProjectionHead h = head(ref);
  auto z = tensor(ref["logits"], {4, 5}).requires_grad_(true);
  auto x = tensor(ref["features"], {4, 6, 2, 3}).requires_grad_(true);
  DistillOptions o;
  o.weight = c["weight"];
  o.embeddingWeight = c["embedding_weight"];
  o.temperature = c["temperature"];
  const auto supervised = torch::full({}, c["supervised"].get<double>(), torch::kDouble);
  const auto terms = distillationLoss(supervised, z, tensor(ref["probs"], {4, 5}), o, h, x,
                                      tensor(ref["embeddings"], {4, 3}), tensor(ref["has"], {4}));
  terms.total.backward();
  EXPECT_NEAR(terms.total.item<double>(), c["value"].get<double>(), 1e-12);
  EXPECT_LT(ct::maxAbsDiff(z.grad(), tensor(c["grad_logits"], {4, 5})), 1e-12);
  EXPECT_LT(ct::maxAbsDiff(x.grad(), tensor(c["grad_features"], {4, 6, 2, 3})), 1e-12);
  // Without embeddings (a store without them): no cosine term.
  const auto plain = distillationLoss(supervised, z.detach(), tensor(ref["probs"], {4, 5}), o);
  EXPECT_EQ(plain.cosine.item<double>(), 0.0);
  EXPECT_NEAR(plain.total.item<double>(), 0.7 + 0.5 * ref["soft"][1]["value"].get<double>(), 1e-12);
}

TEST(Distillation, MatchingTheTeacherCostsNothingAndNoTeacherNothing) {
  const auto p = torch::tensor({0.2, 0.7, 0.999}, torch::kDouble).view({1, 3});
  const auto z = torch::log(p) - torch::log1p(-p);
  EXPECT_NEAR(softTargetLoss(z, p, 3.0).item<double>(), 0.0, 1e-12);
  const auto none = torch::full({2, 3}, std::nan(""), torch::kDouble);
  EXPECT_EQ(softTargetLoss(torch::randn({2, 3}, torch::kDouble), none, 2.0).item<double>(), 0.0);
  EXPECT_THROW(softTargetLoss(torch::zeros({2, 3}), torch::zeros({3, 2}), 1.0), chorus::Error);
  DistillOptions bad;
  bad.temperature = 0;
  EXPECT_THROW(bad.validate(), chorus::UsageError);
  bad = DistillOptions{};
  bad.weight = -1;
  EXPECT_THROW(bad.validate(), chorus::UsageError);
}
