// Checkpoints as timm weights: every epoch folder's model.safetensors has timm's names, so that timm
// in Python reads our backbone (tools/read_chorus_weights.py: no missing backbone tensor, the same
// features), and a chorus model starts another chorus run (--backbone-weights), recorded by sha256.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../model/model_test_util.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/sha256.hpp"
#include "model/backbone.hpp"
#include "tiny_train_data.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/train.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
namespace ct = chorus::testing;
using nlohmann::json;

namespace {

const fs::path& tinyWork() {
  static dist::MpiContext mpi;
  return ct::tinyTrainData(mpi);
}

TrainOptions quickOptions(const fs::path& work) {
  TrainOptions o;
  o.data = tinyWork() / "data";
  o.work = work;
  o.job = "efficientnet_b0/0";
  o.epochs = 1, o.batchSize = 4, o.evalBatchSize = 16, o.maxStepsPerEpoch = 1, o.warmupEpochs = 0;
  o.threads = 1, o.device = "cpu";
  return o;
}

// The backbone of a checkpoint's weights.pt (our own names, "backbone." prefixed), loaded by name.
std::shared_ptr<model::Backbone> backboneOf(const fs::path& checkpoint) {
  model::NamedTensors backboneTensors;
  for (const auto& [name, t] : model::readTensorFile(checkpoint / "weights.pt"))
    if (name.rfind("backbone.", 0) == 0) backboneTensors.emplace(name.substr(9), t);
  auto backbone = model::makeEfficientNetB0(1, 0.0);
  model::loadState(*backbone, backboneTensors, "weights.pt", /*strict=*/true);
  return backbone;
}

}  // namespace

TEST(TimmWeights, TimmReadsOurCheckpointAndAnotherRunStartsFromIt) {
  const fs::path dir = ct::scratchDir();
  const fs::path first = ct::tinyTrainWork(tinyWork(), dir / "first");
  trainJob(quickOptions(first), meta::parseJobSpec("efficientnet_b0/0", "--job"));
  const auto checkpoint = checkpointDir(first / "models" / "efficientnet_b0-f0", "last");
  ASSERT_TRUE(checkpoint.has_value());
  const fs::path exported = *checkpoint / "model.safetensors";
  ASSERT_TRUE(fs::exists(exported));

  if (ct::pythonHas("timm") && ct::pythonHas("safetensors")) {
    const fs::path io = dir / "timm_io.pt";
    ASSERT_TRUE(ct::runTool("read_chorus_weights.py tf_efficientnet_b0 " + exported.string() + " " + io.string()))
        << "timm did not read our backbone from " << exported;
    const auto ref = model::readTensorFile(io);
    auto backbone = backboneOf(*checkpoint);
    backbone->eval();
    torch::NoGradGuard noGrad;
    const double err = ct::maxAbsDiff(backbone->forward(ct::entry(ref, "input")), ct::entry(ref, "features"));
    std::cout << "[ weights ] timm reading our model.safetensors: max |diff| " << err << "\n";
    EXPECT_LE(err, 1e-5);
  } else {
    std::cout << "python with timm not found: the timm read of model.safetensors is not checked\n";
  }

  // Another run from it: the weights it starts from are those of the file, recorded by sha256.
  TrainOptions second = quickOptions(ct::tinyTrainWork(tinyWork(), dir / "second"));
  second.backboneWeights = {exported.string()};
  second.lr = 1e-12, second.minLr = 0;  // the step leaves the weights as loaded (to 1e-9)
  second.epochs = 2, second.stopAfter = 1;
  trainJob(second, meta::parseJobSpec("efficientnet_b0/0", "--job"));
  const auto next = checkpointDir(second.work / "models" / "efficientnet_b0-f0", "last");
  ASSERT_TRUE(next.has_value());
  const auto before = model::readTensorFile(*checkpoint / "weights.pt"), after = model::readTensorFile(*next / "weights.pt");
  EXPECT_LT(ct::maxAbsDiff(after.at("backbone.conv_stem.weight"), before.at("backbone.conv_stem.weight")), 1e-9);
  EXPECT_LT(ct::maxAbsDiff(after.at("backbone.blocks.6.0.conv_pwl.weight"), before.at("backbone.blocks.6.0.conv_pwl.weight")),
            1e-9);
  const json config = toJson(readState(*next).config);
  EXPECT_EQ(config.at("backbone_weights").at("sha256"), sha256File(exported));
  EXPECT_EQ(config.at("layer_decay"), kPretrainedLayerDecay);  // --layer-decay auto with pretrained weights
  EXPECT_EQ(config.at("backbone_weights").at("file"), fs::absolute(exported).lexically_normal().string());
  // The job's report says the same, for a reader who never opens a checkpoint.
  const json report = json::parse(readTextFile(second.work / "models" / "efficientnet_b0-f0" / "report.json"));
  EXPECT_EQ(report.at("backbone_weights"), config.at("backbone_weights"));
  // A resume need not name the weights again: layer decay auto follows the checkpoint's record.
  TrainOptions again = second;
  again.backboneWeights.clear(), again.resume = true, again.stopAfter = 0;
  EXPECT_EQ(trainJob(again, meta::parseJobSpec("efficientnet_b0/0", "--job")).epochs, 2);
  EXPECT_EQ(readState(*checkpointDir(second.work / "models" / "efficientnet_b0-f0", "last")).config.layerDecay,
            kPretrainedLayerDecay);
}

// A resume need not name the starting weights again; when it does, their bytes must be the same.
TEST(TimmWeights, ResumeChecksTheStartingWeightsBySha256Only) {
  JobConfig saved;
  saved.lr = 1;
  saved.backboneWeights = JobConfig::Weights{"/a/model.safetensors", "aa"};
  JobConfig plain = saved;
  plain.backboneWeights.reset();
  EXPECT_NO_THROW(requireSameConfig(saved, plain, "ckpt"));
  JobConfig moved = saved;
  moved.backboneWeights->file = "/b/x.safetensors";
  EXPECT_NO_THROW(requireSameConfig(saved, moved, "ckpt"));
  JobConfig other = saved;
  other.backboneWeights->sha256 = "bb";
  try {
    requireSameConfig(saved, other, "ckpt");
    FAIL() << "other starting weights were accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("backbone_weights.sha256"), std::string::npos) << e.what();
  }
}

TEST(TimmWeights, SeveralBackbonesNeedBackboneEqualsPath) {
  TrainOptions o = quickOptions(ct::scratchDir());
  o.job.clear();
  o.backbones = {"efficientnet_b0", "efficientnetv2_b0"};
  o.backboneWeights = {ct::scratchDir().string()};
  EXPECT_THROW(o.validateBackboneWeights(), UsageError);
  o.backboneWeights = {"efficientnet_b0=/no/such/file.safetensors"};
  EXPECT_THROW(o.validateBackboneWeights(), InputError);
  o.backboneWeights = {"efficientnetv2_b0=/x/v2.safetensors", "efficientnet_b0=/x/b0.safetensors"};
  EXPECT_EQ(o.backboneWeightsFor("efficientnet_b0"), "/x/b0.safetensors");
  EXPECT_EQ(o.backboneWeightsFor("efficientnetv2_b0"), "/x/v2.safetensors");
  EXPECT_EQ(o.backboneWeightsFor("convnext_atto"), "");
}

}  // namespace chorus::train
