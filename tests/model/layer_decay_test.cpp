// Layer-wise LR decay groups against timm's param_groups_layer_decay (tests/fixtures/model/
// layer_decay.json, layer_decay 0.8, weight_decay 0.05), for every native backbone.
#include "model/classifier.hpp"
#include "model/layer_decay.hpp"
#include "model_test_util.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

namespace ct = chorus::testing;
using namespace chorus::model;

class LayerDecay : public ::testing::TestWithParam<std::string> {};

TEST_P(LayerDecay, GroupsMatchTimmAndCoverEveryParameterOnce) {
  std::ifstream in(ct::fixture("model/layer_decay.json"));
  const auto ref = nlohmann::json::parse(in);
  const double decay = ref["layer_decay"], weightDecay = ref["weight_decay"];
  const auto& table = ref["groups"][GetParam()];

  ModelOptions o;
  o.backbone = GetParam();
  auto model = makeModel(o);
  const auto groups = layerDecayGroups(*model, decay, weightDecay);

  std::multiset<std::string> seen;
  int stemLayerCount = 0;
  const std::map<std::string, int> blocks = {{"efficientnet_b0", 16}, {"efficientnetv2_b0", 21}, {"convnext_atto", 12},
                                             {"efficientnet_b3", 26}, {"efficientnetv2_s", 40}, {"eca_nfnet_l0", 12}};
  const int numBlocks = blocks.at(GetParam());
  for (const auto& g : groups) {
    ASSERT_EQ(g.names.size(), g.params.size());
    EXPECT_DOUBLE_EQ(g.lrScale, std::pow(decay, numBlocks - g.layer));
    for (const auto& name : g.names) {
      seen.insert(name);
      if (name.rfind("backbone.", 0) == 0) {
        const auto key = name.substr(std::string("backbone.").size());
        ASSERT_TRUE(table.contains(key)) << key;
        EXPECT_NEAR(g.lrScale, table[key][0].get<double>(), 1e-12) << key;
        EXPECT_EQ(g.weightDecay, table[key][1].get<double>()) << key;
      } else {
        EXPECT_EQ(g.lrScale, 1.0) << name;  // our head learns at the full rate
      }
      if (name == "backbone.conv_stem.weight" || name == "backbone.stem.0.weight" || name == "backbone.stem.conv1.weight") {
        ++stemLayerCount;
        EXPECT_EQ(g.layer, 0);
        EXPECT_NEAR(g.lrScale, std::pow(decay, numBlocks), 1e-12);  // the smallest rate
      }
    }
  }
  EXPECT_EQ(stemLayerCount, 1);
  const auto params = model->named_parameters();
  EXPECT_EQ(seen.size(), params.size());
  for (const auto& p : params) EXPECT_EQ(seen.count(p.key()), 1u) << p.key();
}

TEST_P(LayerDecay, AdamWGroupsCarryTheScaledRateAndWeightDecay) {
  ModelOptions o;
  o.backbone = GetParam();
  auto model = makeModel(o);
  const auto groups = layerDecayGroups(*model, 0.7, 0.05);
  torch::optim::AdamW optimizer(adamwParamGroups(groups, torch::optim::AdamWOptions(2e-3).betas({0.9, 0.99})));
  ASSERT_EQ(optimizer.param_groups().size(), groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& opts = static_cast<const torch::optim::AdamWOptions&>(optimizer.param_groups()[i].options());
    EXPECT_DOUBLE_EQ(opts.lr(), 2e-3 * groups[i].lrScale);
    EXPECT_EQ(opts.weight_decay(), groups[i].weightDecay);
    EXPECT_EQ(std::get<1>(opts.betas()), 0.99);
    EXPECT_EQ(optimizer.param_groups()[i].params().size(), groups[i].params.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Backbones, LayerDecay, ::testing::ValuesIn(nativeBackbones()));
