// "torchscript:PATH" models: the same TorchScript module gives the same numbers in chorus as in
// PyTorch. A small scripted CNN is committed (tests/fixtures/model/tiny_model.ts, from
// tools/make_model_fixture.py); a timm export (tools/export_timm.py) is made at test time when
// python with timm is present.
#include "core/error.hpp"
#include "model/classifier.hpp"
#include "model/layer_decay.hpp"
#include "model_test_util.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

ModelOptions scripted(const std::filesystem::path& file, const std::string& head, int classes) {
  ModelOptions o;
  o.backbone = "torchscript:" + file.string();
  o.head = head;
  o.numClasses = classes;
  return o;
}

}  // namespace

TEST(TorchScriptModel, WholeModelGivesPyTorchsLogitsInEvalAndTrainMode) {
  const auto io = readTensorFile(ct::fixture("model/tiny_model_io.pt"));
  auto model = makeModel(scripted(ct::fixture("model/tiny_model.ts"), "none", 3));
  model->eval();
  EXPECT_LT(ct::maxAbsDiff(model->forward(ct::entry(io, "input")), ct::entry(io, "logits")), 1e-6);
  // train() must reach the scripted BatchNorm: batch statistics instead of running ones.
  model->train();
  EXPECT_LT(ct::maxAbsDiff(model->forward(ct::entry(io, "input")), ct::entry(io, "logits_train")), 1e-6);
  EXPECT_THROW(model->frameLogits(ct::entry(io, "input")), chorus::Error);
}

TEST(TorchScriptModel, ItsParametersAreOursToTrainAndSave) {
  auto model = makeModel(scripted(ct::fixture("model/tiny_model.ts"), "none", 3));
  const auto state = namedState(*model);
  for (const char* name : {"backbone.stem.0.weight", "backbone.stem.1.running_var", "backbone.classifier.bias"})
    EXPECT_TRUE(state.count(name)) << name;
  model->forward(torch::randn({2, 1, 16, 20})).sum().backward();
  for (const auto& p : model->named_parameters()) EXPECT_TRUE(p.value().grad().defined()) << p.key();
  // A change made through our handle is what the scripted code computes with.
  torch::NoGradGuard noGrad;
  model->eval();
  const auto before = model->forward(torch::ones({1, 1, 16, 20}));
  state.at("backbone.classifier.bias").add_(1.0);
  EXPECT_TRUE(torch::allclose(model->forward(torch::ones({1, 1, 16, 20})), before + 1.0));
}

TEST(TorchScriptModel, AsABackboneFeedsOurHead) {
  const auto io = readTensorFile(ct::fixture("model/tiny_model_io.pt"));
  auto model = makeModel(scripted(ct::fixture("model/tiny_model.ts"), "sed", 4));
  model->eval();
  torch::NoGradGuard noGrad;
  EXPECT_EQ(model->backbone().numFeatures(), 8);
  EXPECT_LT(ct::maxAbsDiff(model->backbone().forward(ct::entry(io, "input")), ct::entry(io, "features")), 1e-6);
  EXPECT_EQ(model->forward(ct::entry(io, "input")).sizes(), (std::vector<int64_t>{2, 4}));
  // A whole model asked for the wrong number of classes says so.
  auto wrong = makeModel(scripted(ct::fixture("model/tiny_model.ts"), "none", 5));
  EXPECT_THROW(wrong->forward(ct::entry(io, "input")), chorus::Error);
}

TEST(TorchScriptModel, ANonTorchScriptFileIsAnInputErrorNamingIt) {
  const auto file = ct::fixture("model/asl.json");
  try {
    makeModel(scripted(file, "sed", 3));
    ADD_FAILURE() << "a JSON file loaded as TorchScript";
  } catch (const chorus::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

// timm's tf_efficientnet_b0 exported by tools/export_timm.py, with PyTorch's outputs.
TEST(TorchScriptModel, TimmExportGivesPyTorchsLogitsAndFeatures) {
  if (!ct::pythonHas("timm")) GTEST_SKIP() << "python with timm not found (" << ct::python() << "): pip install timm";
  const auto dir = ct::generatedDir("export_timm");
  const auto file = dir / "tf_efficientnet_b0.ts", refFile = dir / "tf_efficientnet_b0_ref.pt";
  if (!ct::isFresh(refFile, "export_timm.py"))
    ASSERT_TRUE(ct::runTool("export_timm.py --model tf_efficientnet_b0 --num-classes 6 --out " + file.string() +
                            " --reference " + refFile.string()));
  const auto ref = readTensorFile(refFile);
  torch::NoGradGuard noGrad;
  auto whole = makeModel(scripted(file, "none", 6));
  whole->eval();
  const double logitErr = ct::maxAbsDiff(whole->forward(ct::entry(ref, "input")), ct::entry(ref, "logits"));
  auto backbone = makeModel(scripted(file, "sed", 6));
  backbone->eval();
  const double featureErr = ct::maxAbsDiff(backbone->backbone().forward(ct::entry(ref, "input")), ct::entry(ref, "features"));
  std::cout << "[ torchscript ] timm tf_efficientnet_b0: logits max |diff| " << logitErr << ", features " << featureErr << "\n";
  EXPECT_LT(logitErr, 1e-5);
  EXPECT_LT(featureErr, 1e-5);
  EXPECT_EQ(backbone->backbone().numFeatures(), 1280);

  // timm's names make the scripted model's layer-decay groups those of our own B0 (and timm's).
  std::ifstream in(ct::fixture("model/layer_decay.json"));
  const auto table = nlohmann::json::parse(in)["groups"]["efficientnet_b0"];
  int compared = 0;
  for (const auto& g : layerDecayGroups(*backbone, 0.8, 0.05)) {
    for (const auto& name : g.names) {
      const auto key = name.substr(std::string("backbone.").size());
      if (name.rfind("backbone.", 0) != 0 || !table.contains(key)) {
        EXPECT_EQ(g.lrScale, 1.0) << name;  // timm's classifier and our head: the full rate
        continue;
      }
      EXPECT_NEAR(g.lrScale, table[key][0].get<double>(), 1e-12) << name;
      ++compared;
    }
  }
  EXPECT_EQ(compared, static_cast<int>(table.size()));
}
