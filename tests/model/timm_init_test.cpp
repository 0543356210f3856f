// From-scratch initialisation as timm's (issue 15.5): every parameter of our backbone + pooled head,
// freshly made, has the distribution of its timm counterpart (tools/timm_init_stats.py: element
// count, mean, spread, range). Random tensors are compared statistically, with a tolerance of six
// standard errors, so a wrong rule (libtorch's default U(±1/√in) with a random bias gives the
// classifier a sixth of timm's spread) fails while another seed passes. Skips without timm.
#include "model/classifier.hpp"
#include "model_test_util.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

constexpr int kClasses = 30;

nlohmann::json timmStats(const std::string& timmName) {
  const auto file = ct::generatedDir("timm_init") / (timmName + ".json");
  if (!ct::isFresh(file, "timm_init_stats.py") &&
      !ct::runTool("timm_init_stats.py " + timmName + " " + std::to_string(kClasses) + " " + file.string()))
    throw std::runtime_error("tools/timm_init_stats.py " + timmName + " failed");
  return nlohmann::json::parse(std::ifstream(file));
}

// Our parameter name under timm's: the backbone's names are timm's; the pooled head's fc is
// timm's classifier (EfficientNet) or head.fc (ConvNeXt).
std::string timmKey(std::string ours, const std::string& backbone) {
  if (ours.rfind("backbone.", 0) == 0) return ours.substr(9);
  if (ours.rfind("head.fc.", 0) == 0 && backbone.rfind("convnext", 0) != 0) return "classifier." + ours.substr(8);
  return ours;
}

void expectSameDistribution(const torch::Tensor& ours, const nlohmann::json& ref, const std::string& name) {
  const auto t = ours.detach().to(torch::kDouble).flatten();
  const double n = ref["numel"], mean = ref["mean"], sd = ref["std"];
  ASSERT_EQ(t.numel(), static_cast<int64_t>(n)) << name;
  if (sd == 0.0) {  // a constant (BatchNorm 1/0, zero biases, layer scale): exactly the same
    EXPECT_EQ(t.min().item<double>(), mean) << name;
    EXPECT_EQ(t.max().item<double>(), mean) << name;
    return;
  }
  const double oursSd = t.std(/*unbiased=*/false).item<double>();
  EXPECT_NEAR(oursSd / sd, 1.0, 6.0 / std::sqrt(2.0 * n) + 0.01) << name << ": spread " << oursSd << " vs timm " << sd;
  EXPECT_NEAR(t.mean().item<double>(), mean, 6.0 * sd / std::sqrt(n) + 1e-12) << name;
  // No outliers beyond what timm draws (a margin for the normal tails of a different seed).
  EXPECT_LE(t.abs().max().item<double>(), 1.5 * std::max(std::abs(double(ref["min"])), std::abs(double(ref["max"])))) << name;
}

class TimmInit : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

}  // namespace

TEST_P(TimmInit, EveryParameterAsTimmMakesIt) {
  if (!ct::pythonHas("timm")) GTEST_SKIP() << "python with timm not found (" << ct::python() << "): pip install timm";
  const auto& [backbone, timmName] = GetParam();
  const auto ref = timmStats(timmName);
  torch::manual_seed(7);
  ModelOptions o;
  o.backbone = backbone;
  o.head = "pooled";
  o.numClasses = kClasses;
  o.layerScaleInit = 1e-6;  // timm's ConvNeXt layer scale; ours defaults to 0.1 on purpose (options.hpp)
  auto model = makeModel(o);
  size_t compared = 0;
  for (const auto& p : model->named_parameters()) {
    const std::string key = timmKey(p.key(), backbone);
    ASSERT_TRUE(ref.contains(key)) << "our " << p.key() << " has no timm counterpart " << key;
    expectSameDistribution(p.value(), ref[key], key);
    ++compared;
  }
  EXPECT_EQ(compared, ref.size()) << "timm has parameters we lack";
}

INSTANTIATE_TEST_SUITE_P(Native, TimmInit,
                         ::testing::Values(std::make_pair(std::string("efficientnet_b0"), std::string("tf_efficientnet_b0")),
                                           std::make_pair(std::string("efficientnetv2_b0"), std::string("tf_efficientnetv2_b0")),
                                           std::make_pair(std::string("convnext_atto"), std::string("convnext_atto"))));
