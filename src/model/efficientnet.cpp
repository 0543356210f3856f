// EfficientNet-B0 and EfficientNetV2-B0 with the block structure of timm's tf_efficientnet_b0 and
// tf_efficientnetv2_b0: a stem, stages of blocks (mbconv_blocks.hpp) from timm's arch_def (arch.hpp), a 1×1
// head convolution to 1280 channels; stochastic depth growing linearly over the blocks. Module
// names mirror timm's (backbone.hpp).
#include "model/arch.hpp"
#include "model/backbone.hpp"
#include "model/mbconv_blocks.hpp"

namespace chorus::model {
namespace {

namespace nn = torch::nn;

using mbconv::Block;

using arch::Kind;
using arch::StageList;
using arch::StageSpec;
using arch::b0Stages;
using arch::v2b0Stages;

std::shared_ptr<Block> makeBlock(const StageSpec& spec, int64_t in, int64_t stride) {
  switch (spec.kind) {
    case Kind::ConvBnAct: return std::make_shared<mbconv::ConvBnAct>(in, spec.channels, spec.kernel, stride);
    case Kind::DepthwiseSeparable:
      return std::make_shared<mbconv::DepthwiseSeparable>(in, spec.channels, spec.kernel, stride);
    case Kind::EdgeResidual:
      return std::make_shared<mbconv::EdgeResidual>(in, spec.channels, spec.kernel, stride, spec.expand);
    case Kind::InvertedResidual:
      return std::make_shared<mbconv::InvertedResidual>(in, spec.channels, spec.kernel, stride, spec.expand);
  }
  return nullptr;
}

constexpr int64_t kStemChannels = arch::kEfficientNetStem, kHeadChannels = arch::kEfficientNetHead;

class EfficientNet : public Backbone {
 public:
  EfficientNet(const StageList& stageList, int64_t inChannels, double dropPathRate)
      : conv_stem(register_module("conv_stem", SameConv2d(inChannels, kStemChannels, 3, 2))),
        bn1(register_module("bn1", TfBatchNorm2d(kStemChannels))) {
    int totalBlocks = 0;
    for (const auto& s : stageList) totalBlocks += s.repeats;
    auto stages = register_module("blocks", nn::ModuleList());
    int64_t channels = kStemChannels;
    for (const auto& spec : stageList) {
      auto stage = nn::ModuleList();
      for (int r = 0; r < spec.repeats; ++r) {
        const int64_t stride = r == 0 ? spec.stride : 1;
        std::shared_ptr<Block> block = makeBlock(spec, channels, stride);
        // timm: drop_path_rate * block_idx / total_blocks, the first block never dropped.
        block->dropPathRate = dropPathRate * static_cast<double>(blocks_.size()) / totalBlocks;
        stage->push_back(block);
        blocks_.push_back(block);
        channels = spec.channels;
      }
      stages->push_back(stage);
    }
    conv_head = register_module("conv_head", SameConv2d(channels, kHeadChannels, 1));
    bn2 = register_module("bn2", TfBatchNorm2d(kHeadChannels));
  }

  torch::Tensor forward(const torch::Tensor& mel) override {
    auto x = siluInPlace(bn1(conv_stem(mel)));
    for (const auto& block : blocks_) x = block->forward(x);
    return siluInPlace(bn2(conv_head(x)));
  }

  int64_t numFeatures() const override { return kHeadChannels; }

  std::vector<double> dropPathRates() const override {
    std::vector<double> rates;
    for (const auto& b : blocks_) rates.push_back(b->dropPathRate);
    return rates;
  }

  SameConv2d conv_stem;
  TfBatchNorm2d bn1;
  SameConv2d conv_head{nullptr};
  TfBatchNorm2d bn2{nullptr};

 private:
  std::vector<std::shared_ptr<Block>> blocks_;
};

}  // namespace

std::shared_ptr<Backbone> makeEfficientNetB0(int64_t inChannels, double dropPathRate) {
  return std::make_shared<EfficientNet>(b0Stages(), inChannels, dropPathRate);
}

std::shared_ptr<Backbone> makeEfficientNetV2B0(int64_t inChannels, double dropPathRate) {
  return std::make_shared<EfficientNet>(v2b0Stages(), inChannels, dropPathRate);
}

}  // namespace chorus::model
