// The EfficientNets (B0, B3, V2-B0, V2-S) with the block structure of timm's tf_ variants: a stem,
// stages of blocks (mbconv_blocks.hpp) from timm's arch_def scaled by its width and depth multipliers
// (arch.hpp), a 1×1 head convolution; stochastic depth growing linearly over the blocks. Module
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

class EfficientNet : public Backbone {
 public:
  EfficientNet(const arch::EfficientNetArch& a, int64_t inChannels, double dropPathRate)
      : headChannels_(a.headChannels()),
        conv_stem(register_module("conv_stem", SameConv2d(inChannels, a.stemChannels(), 3, 2))),
        bn1(register_module("bn1", TfBatchNorm2d(a.stemChannels()))) {
    const StageList stageList = a.scaledStages();
    int totalBlocks = 0;
    for (const auto& s : stageList) totalBlocks += s.repeats;
    auto stages = register_module("blocks", nn::ModuleList());
    int64_t channels = a.stemChannels();
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
    conv_head = register_module("conv_head", SameConv2d(channels, headChannels_, 1));
    bn2 = register_module("bn2", TfBatchNorm2d(headChannels_));
  }

  torch::Tensor forward(const torch::Tensor& mel) override {
    auto x = siluInPlace(bn1(conv_stem(mel)));
    for (const auto& block : blocks_) x = block->forward(x);
    return siluInPlace(bn2(conv_head(x)));
  }

  int64_t numFeatures() const override { return headChannels_; }

  std::vector<double> dropPathRates() const override {
    std::vector<double> rates;
    for (const auto& b : blocks_) rates.push_back(b->dropPathRate);
    return rates;
  }

 private:
  const int64_t headChannels_;

 public:
  SameConv2d conv_stem;
  TfBatchNorm2d bn1;
  SameConv2d conv_head{nullptr};
  TfBatchNorm2d bn2{nullptr};

 private:
  std::vector<std::shared_ptr<Block>> blocks_;
};

}  // namespace

std::shared_ptr<Backbone> makeEfficientNet(const std::string& name, int64_t inChannels, double dropPathRate) {
  const auto* a = arch::efficientNetArch(name);
  if (!a) throw std::invalid_argument("makeEfficientNet: \"" + name + "\" is not an EfficientNet");
  return std::make_shared<EfficientNet>(*a, inChannels, dropPathRate);
}

std::shared_ptr<Backbone> makeEfficientNetB0(int64_t inChannels, double dropPathRate) {
  return makeEfficientNet("efficientnet_b0", inChannels, dropPathRate);
}

std::shared_ptr<Backbone> makeEfficientNetV2B0(int64_t inChannels, double dropPathRate) {
  return makeEfficientNet("efficientnetv2_b0", inChannels, dropPathRate);
}

}  // namespace chorus::model
