// --backbone-weights against timm: tools/make_weights_fixture.py saves a 3-channel timm model with
// random weights as model.safetensors, as a nested torch.save .pth and as a hub cache folder, and
// writes the features of timm's own 1-channel load of that file (pretrained_cfg_overlay=file);
// loaded into ours with 1 channel, the features must agree. Skips when python or timm are absent.
#include "model/backbone_weights.hpp"

#include "core/error.hpp"
#include "model/safetensors_io.hpp"
#include "model_test_util.hpp"

namespace ct = chorus::testing;
using namespace chorus::model;
namespace fs = std::filesystem;

namespace {

fs::path fixtureDir(const std::string& timmName) {
  const auto dir = ct::generatedDir("weights_" + timmName);
  if (!ct::isFresh(dir / "io.pt", "make_weights_fixture.py") &&
      !ct::runTool("make_weights_fixture.py " + timmName + " " + dir.string()))
    throw std::runtime_error("tools/make_weights_fixture.py " + timmName + " failed");
  return dir;
}

std::shared_ptr<Backbone> build(const std::string& name) { return makeNativeBackbone(name, 1, 0.0); }

double featureError(Backbone& backbone, const NamedTensors& io, const std::string& key) {
  backbone.eval();
  torch::NoGradGuard noGrad;
  const auto expected = ct::entry(io, key);
  const auto ours = backbone.forward(ct::entry(io, "input"));
  EXPECT_EQ(ours.sizes(), expected.sizes());
  return ct::maxAbsDiff(ours, expected);
}

class PretrainedParity : public ::testing::TestWithParam<std::pair<std::string, std::string>> {
 protected:
  void SetUp() override {
    if (!ct::pythonHas("timm") || !ct::pythonHas("safetensors"))
      GTEST_SKIP() << "python with timm and safetensors not found (" << ct::python() << "): pip install timm";
    dir = fixtureDir(GetParam().second);
    io = readTensorFile(dir / "io.pt");
    torch::manual_seed(0);
    backbone = build(GetParam().first);
  }
  fs::path dir;
  NamedTensors io;
  std::shared_ptr<Backbone> backbone;
};

}  // namespace

TEST_P(PretrainedParity, SafetensorsGivesTimmsOneChannelFeatures) {
  const auto load = loadPretrainedBackbone(*backbone, dir / "model.safetensors");
  EXPECT_EQ(load.file.format, chorus::weights::WeightsFormat::SafeTensors);
  ASSERT_EQ(load.adapted.size(), 1u);  // the stem, 3 -> 1 channel
  EXPECT_EQ(load.file.sha256.size(), 64u);
  const double err = featureError(*backbone, io, "features");
  std::cout << "[ weights ] " << GetParam().second << " safetensors: max |diff| " << err << "\n";
  EXPECT_LE(err, 1e-5);
}

TEST_P(PretrainedParity, NestedTorchSaveWithModulePrefixGivesTimmsFeatures) {
  const auto load = loadPretrainedBackbone(*backbone, dir / "weights.pth");
  EXPECT_EQ(load.file.format, chorus::weights::WeightsFormat::TorchSave);
  const double err = featureError(*backbone, io, "features_pth");
  std::cout << "[ weights ] " << GetParam().second << " .pth: max |diff| " << err << "\n";
  EXPECT_LE(err, 1e-5);
}

TEST_P(PretrainedParity, HubCacheRepositoryFolderLoadsItsSnapshot) {
  const auto repo = dir / "hub" / ("models--timm--" + GetParam().second);
  const auto load = loadPretrainedBackbone(*backbone, repo);
  EXPECT_EQ(load.file.path.filename(), "model.safetensors");
  EXPECT_NE(load.file.path.string().find("snapshots"), std::string::npos);
  EXPECT_LE(featureError(*backbone, io, "features"), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Timm, PretrainedParity,
                         ::testing::Values(std::make_pair(std::string("efficientnet_b0"), std::string("tf_efficientnet_b0")),
                                           std::make_pair(std::string("efficientnetv2_b0"), std::string("tf_efficientnetv2_b0")),
                                           std::make_pair(std::string("convnext_atto"), std::string("convnext_atto")),
                                           std::make_pair(std::string("eca_nfnet_l0"), std::string("eca_nfnet_l0"))),
                         [](const auto& info) { return info.param.first; });

// A file that does not fit is refused with every offending tensor named, and the backbone is
// left as it was; classifier tensors are skipped, not refused.
TEST(PretrainedRefusal, NamesMissingUnexpectedAndMisShapedTensors) {
  if (!ct::pythonHas("timm") || !ct::pythonHas("safetensors")) GTEST_SKIP() << "python with timm not found";
  auto tensors = readSafetensors(fixtureDir("tf_efficientnet_b0") / "model.safetensors");
  tensors.erase("blocks.6.0.bn3.running_var");
  tensors["bn2.weight"] = torch::ones({1279});
  tensors["extra.weight"] = torch::ones({3});
  tensors["classifier.weight"] = torch::ones({1000, 1280});
  const auto file = ct::generatedDir("weights_refusal") / "bad.safetensors";
  writeSafetensors(file, tensors);
  auto backbone = build("efficientnet_b0");
  const auto before = namedState(*backbone).at("conv_stem.weight").clone();
  try {
    loadPretrainedBackbone(*backbone, file);
    FAIL() << "a file that does not fit was loaded";
  } catch (const chorus::InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("missing: blocks.6.0.bn3.running_var"), std::string::npos) << what;
    EXPECT_NE(what.find("unexpected: extra.weight"), std::string::npos) << what;
    EXPECT_NE(what.find("shape mismatch: bn2.weight [1279]"), std::string::npos) << what;
    EXPECT_EQ(what.find("classifier.weight"), std::string::npos) << what;
    EXPECT_EQ(what.find("missing: bn2.weight"), std::string::npos) << what;
  }
  EXPECT_TRUE(torch::equal(namedState(*backbone).at("conv_stem.weight"), before));
}

TEST(PretrainedRefusal, ClassifierIsSkipped) {
  if (!ct::pythonHas("timm") || !ct::pythonHas("safetensors")) GTEST_SKIP() << "python with timm not found";
  auto tensors = readSafetensors(fixtureDir("tf_efficientnet_b0") / "model.safetensors");
  tensors["classifier.weight"] = torch::ones({1000, 1280});
  tensors["classifier.bias"] = torch::ones({1000});
  const auto file = ct::generatedDir("weights_refusal") / "with_classifier.safetensors";
  writeSafetensors(file, tensors);
  auto backbone = build("efficientnet_b0");
  const auto load = loadPretrainedBackbone(*backbone, file);
  EXPECT_EQ(load.skipped, (std::vector<std::string>{"classifier.bias", "classifier.weight"}));
}
