// Our backbones against timm: tools/timm_parity.py builds tf_efficientnet_b0/b3,
// tf_efficientnetv2_b0/s, eca_nfnet_l0 and convnext_atto(head_norm_first) with random, non-trivial weights and writes their state_dicts and
// features into the build folder; we load the weights into our models by name and compare.
// Skips when python or timm are absent.
#include "model/backbone.hpp"
#include "model/checkpoint.hpp"
#include "model/layers.hpp"
#include "model/options.hpp"
#include "model_test_util.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

struct Reference {
  std::filesystem::path weights, plainWeights;  // plainWeights: ConvNeXt only
  NamedTensors io;
};

Reference reference(const std::string& timmName) {
  const auto dir = ct::generatedDir("timm_parity_" + timmName);
  if (!ct::isFresh(dir / "io.pt", "timm_parity.py") &&
      !ct::runTool("timm_parity.py " + timmName + " " + dir.string()))
    throw std::runtime_error("tools/timm_parity.py " + timmName + " failed");
  return {dir / "weights.pt", dir / "weights_plain.pt", readTensorFile(dir / "io.pt")};
}

std::shared_ptr<Backbone> build(const std::string& name, double dropPath = 0.0) {
  return makeNativeBackbone(name, 1, dropPath);  // ConvNeXt at timm's layer scale 1e-6
}

class BackboneParity : public ::testing::TestWithParam<std::pair<std::string, std::string>> {
 protected:
  void SetUp() override {
    if (!ct::pythonHas("timm")) GTEST_SKIP() << "python with timm not found (" << ct::python() << "): pip install timm";
    torch::manual_seed(0);
    ref = reference(GetParam().second);
    backbone = build(GetParam().first);
  }
  Reference ref;
  std::shared_ptr<Backbone> backbone;
};

}  // namespace

TEST_P(BackboneParity, SameNamesShapesAndParameterCount) {
  const auto timm = readTensorFile(ref.weights);
  const auto ours = namedState(*backbone);
  ASSERT_EQ(ours.size(), timm.size());
  for (const auto& [name, t] : timm) {
    ASSERT_TRUE(ours.count(name)) << "timm's " << name << " has no counterpart";
    EXPECT_EQ(ours.at(name).sizes(), t.sizes()) << name;
  }
  int64_t count = 0;
  for (const auto& p : backbone->parameters()) count += p.numel();
  EXPECT_EQ(count, ct::entry(ref.io, "num_params").item<int64_t>());
}

TEST_P(BackboneParity, EvalFeaturesMatchTimm) {
  loadBackboneWeights(*backbone, ref.weights);
  backbone->eval();
  torch::NoGradGuard noGrad;
  const auto expected = ct::entry(ref.io, "features_eval");
  const auto ours = backbone->forward(ct::entry(ref.io, "input"));
  ASSERT_EQ(ours.sizes(), expected.sizes());
  const double err = ct::maxAbsDiff(ours, expected);
  const double scale = expected.abs().max().item<double>();
  std::cout << "[ parity ] " << GetParam().first << " eval features " << c10::str(ours.sizes()) << ": max |diff| " << err
            << " (max |value| " << scale << ")\n";
  EXPECT_LT(err, 1e-4 * std::max(1.0, scale));
}

TEST_P(BackboneParity, TrainModeFeaturesAndBatchNormStatisticsMatchTimm) {
  loadBackboneWeights(*backbone, ref.weights);
  backbone->train();
  torch::NoGradGuard noGrad;
  const auto expected = ct::entry(ref.io, "features_train");
  const auto ours = backbone->forward(ct::entry(ref.io, "input"));
  const double err = ct::maxAbsDiff(ours, expected);
  std::cout << "[ parity ] " << GetParam().first << " train-mode features: max |diff| " << err << "\n";
  EXPECT_LT(err, 1e-4 * std::max(1.0, expected.abs().max().item<double>()));
  if (ref.io.count("bn1_running_mean_after_train")) {
    const auto state = namedState(*backbone);
    EXPECT_LT(ct::maxAbsDiff(state.at("bn1.running_mean"), ref.io.at("bn1_running_mean_after_train")), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Timm, BackboneParity,
                         ::testing::Values(std::make_pair(std::string("efficientnet_b0"), std::string("tf_efficientnet_b0")),
                                           std::make_pair(std::string("efficientnetv2_b0"), std::string("tf_efficientnetv2_b0")),
                                           std::make_pair(std::string("convnext_atto"), std::string("convnext_atto")),
                                           std::make_pair(std::string("efficientnet_b3"), std::string("tf_efficientnet_b3")),
                                           std::make_pair(std::string("efficientnetv2_s"), std::string("tf_efficientnetv2_s")),
                                           std::make_pair(std::string("eca_nfnet_l0"), std::string("eca_nfnet_l0"))),
                         [](const auto& info) { return info.param.first; });

// Plain convnext_atto keeps its last LayerNorm in head.norm; loadBackboneWeights maps it to norm_pre.
TEST(ConvNextParity, PlainTimmNamesLoadThroughTheMapping) {
  if (!ct::pythonHas("timm")) GTEST_SKIP() << "python with timm not found (" << ct::python() << "): pip install timm";
  const auto ref = reference("convnext_atto");
  auto backbone = build("convnext_atto");
  loadBackboneWeights(*backbone, ref.plainWeights);
  backbone->eval();
  torch::NoGradGuard noGrad;
  EXPECT_LT(ct::maxAbsDiff(backbone->forward(ct::entry(ref.io, "input")), ct::entry(ref.io, "features_eval")), 1e-4);
}

// Stochastic depth schedules against timm's per-block drop_prob (committed fixture).
TEST(BackboneDropPath, LinearScheduleAsTimmBuildsIt) {
  std::ifstream in(ct::fixture("model/layer_decay.json"));
  const auto ref = nlohmann::json::parse(in);
  for (const std::string& name : nativeBackbones()) {
    const auto expected = ref["drop_path"][name].get<std::vector<double>>();
    const auto ours = build(name, ref["drop_path_rate"].get<double>())->dropPathRates();
    ASSERT_EQ(ours.size(), expected.size()) << name;
    for (size_t i = 0; i < ours.size(); ++i) EXPECT_NEAR(ours[i], expected[i], 1e-7) << name << " block " << i;
  }
}

// In training, each sample's residual branch is either dropped or scaled by 1/(1-p).
TEST(BackboneDropPath, DropsWholeSamplesAndRescalesTheKeptOnes) {
  torch::manual_seed(1);
  const auto x = torch::rand({4000, 3, 2, 2}) + 0.5;
  const auto y = dropPath(x, 0.25, /*training=*/true);
  const auto ratio = (y / x).flatten(1);
  const auto first = ratio.select(1, 0).unsqueeze(1);
  EXPECT_TRUE(torch::allclose(ratio, first.expand_as(ratio)));  // one decision per sample
  const auto kept = (first > 0).to(torch::kDouble);
  EXPECT_TRUE(torch::allclose(first.masked_select(first > 0), torch::full({1}, 1.0 / 0.75)));
  EXPECT_NEAR(kept.mean().item<double>(), 0.75, 0.03);
  EXPECT_TRUE(torch::equal(dropPath(x, 0.25, false), x));
}
