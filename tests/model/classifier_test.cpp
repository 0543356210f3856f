// makeModel: every backbone × head builds, gives the documented shapes and names, rejects bad
// options with a message; and a model, the loss and the layer-decay groups train together.
#include "core/error.hpp"
#include "model/checkpoint.hpp"
#include "model/classifier.hpp"
#include "model/layer_decay.hpp"
#include "model/loss.hpp"
#include "model_test_util.hpp"

#include <cmath>

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

ModelOptions options(const std::string& backbone, const std::string& head, int classes = 7) {
  ModelOptions o;
  o.backbone = backbone;
  o.head = head;
  o.numClasses = classes;
  return o;
}

}  // namespace

TEST(MakeModel, EveryBackboneAndHeadGivesClipAndFrameLogits) {
  torch::manual_seed(0);
  const auto mel = torch::randn({1, 1, 128, 313});
  for (const auto& backbone : nativeBackbones()) {
    for (const std::string head : {"sed", "pooled"}) {
      auto model = makeModel(options(backbone, head));
      model->eval();
      torch::NoGradGuard noGrad;
      const auto out = model->forwardAll(mel);
      EXPECT_EQ(out.clip.sizes(), (std::vector<int64_t>{1, 7})) << backbone << "/" << head;
      ASSERT_EQ(out.frames.dim(), 3) << backbone << "/" << head;
      EXPECT_EQ(out.frames.size(1), 7);
      // 313 frames / 32 (every backbone reduces time 32-fold): 10 for the EfficientNets ("same"
      // padding rounds up), 9 for ConvNeXt (unpadded stride-2 convolutions round down).
      EXPECT_EQ(out.frames.size(2), backbone == "convnext_atto" ? 9 : 10) << backbone;
      EXPECT_TRUE(torch::equal(model->forward(mel), out.clip));
      for (const auto& p : model->named_parameters())
        EXPECT_TRUE(p.key().rfind("backbone.", 0) == 0 || p.key().rfind("head.", 0) == 0) << p.key();
    }
  }
}

TEST(MakeModel, RejectsOptionsThatCannotWork) {
  auto expectUsage = [](const ModelOptions& o, const std::string& needle) {
    try {
      makeModel(o);
      ADD_FAILURE() << "no error for " << o.backbone << "/" << o.head;
    } catch (const chorus::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expectUsage(options("resnet50", "sed"), "unknown backbone \"resnet50\"");
  expectUsage(options("efficientnet_b0", "attention"), "unknown head");
  expectUsage(options("efficientnet_b0", "none"), "needs a head");
  expectUsage(options("efficientnet_b0", "sed", 0), "num_classes");
  auto o = options("convnext_atto", "sed");
  o.dropPathRate = 1.0;
  expectUsage(o, "drop_path_rate");
  EXPECT_THROW(makeModel(options("torchscript:/nonexistent/model.ts", "sed")), chorus::InputError);
}

TEST(MakeModel, LoadsBackboneWeightsFromAFile) {
  torch::manual_seed(1);
  auto donor = makeModel(options("convnext_atto", "pooled"));
  const auto file = ct::scratchDir() / "convnext_backbone.pt";
  saveWeights(donor->backbone(), file);
  torch::manual_seed(2);
  auto o = options("convnext_atto", "sed");
  o.backboneWeights = file.string();
  auto model = makeModel(o);
  const auto got = namedState(model->backbone()), want = namedState(donor->backbone());
  for (const auto& [name, t] : want) EXPECT_TRUE(torch::equal(got.at(name), t)) << name;
  // The wrong family's weights are refused with the file named.
  o.backbone = "efficientnet_b0";
  try {
    makeModel(o);
    ADD_FAILURE() << "ConvNeXt weights loaded into EfficientNet";
  } catch (const chorus::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

// The parts the training stage will combine: a few AdamW steps with layer-decay groups and ASL
// on one fixed batch must fit it (the loss falls well below where it started).
TEST(MakeModel, TrainsWithLayerDecayGroupsAndAsymmetricLoss) {
  torch::manual_seed(3);
  auto o = options("convnext_atto", "sed", 5);
  o.dropRate = 0.0;
  o.dropPathRate = 0.0;
  auto model = makeModel(o);
  model->train();
  const auto mel = torch::randn({4, 1, 64, 64});
  const auto targets = torch::tensor({1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0}, torch::kFloat).view({4, 5});
  torch::optim::AdamW optimizer(adamwParamGroups(layerDecayGroups(*model, 0.9, 0.01), torch::optim::AdamWOptions(3e-3)));
  LossOptions loss;
  const auto stem0 = namedState(*model).at("backbone.stem.0.weight").clone();
  const auto head0 = namedState(*model).at("head.fc1.weight").clone();
  double first = 0, last = 0;
  for (int step = 0; step < 10; ++step) {
    optimizer.zero_grad();
    auto value = multiLabelLoss(model->forward(mel), targets, loss);
    value.backward();
    optimizer.step();
    (step == 0 ? first : last) = value.item<double>();
  }
  std::cout << "[ train ] ASL " << first << " -> " << last << " in 10 steps\n";
  EXPECT_LT(last, 0.5 * first);
  // Adam moves each weight by about lr per step whatever its gradient's size, so the stem's
  // average step over the head's is its lr_scale, 0.9^12 = 0.28 (12 ConvNeXt blocks).
  const double stemStep = (namedState(*model).at("backbone.stem.0.weight") - stem0).abs().mean().item<double>();
  const double headStep = (namedState(*model).at("head.fc1.weight") - head0).abs().mean().item<double>();
  std::cout << "[ train ] mean |update| stem " << stemStep << ", head " << headStep << "\n";
  EXPECT_NEAR(stemStep / headStep, std::pow(0.9, 12), 0.1);
}
