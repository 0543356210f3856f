// EfficientNet-B0 with the block structure of timm's tf_efficientnet_b0: TF "same" padding,
// BatchNorm eps 1e-3, SiLU, squeeze-excitation sized from the block's input channels, stochastic
// depth growing linearly over the 16 blocks. Module names mirror timm's (backbone.hpp).
#include "model/backbone.hpp"
#include "model/layers.hpp"

#include <cmath>

namespace chorus::model {
namespace {

namespace nn = torch::nn;

// timm's SqueezeExcite: global mean, 1×1 reduce, SiLU, 1×1 expand, sigmoid gate.
class SqueezeExciteImpl : public nn::Module {
 public:
  SqueezeExciteImpl(int64_t channels, int64_t reduced)
      : conv_reduce(register_module("conv_reduce", SameConv2d(channels, reduced, 1, 1, 1, true))),
        conv_expand(register_module("conv_expand", SameConv2d(reduced, channels, 1, 1, 1, true))) {}

  torch::Tensor forward(const torch::Tensor& x) {
    auto s = torch::silu(conv_reduce(x.mean({2, 3}, /*keepdim=*/true)));
    return x * torch::sigmoid(conv_expand(s));
  }

  SameConv2d conv_reduce, conv_expand;
};
TORCH_MODULE(SqueezeExcite);

class Block : public nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  double dropPathRate = 0.0;
};

// Stage 0's depthwise-separable block: dw conv, BN+SiLU, SE, pointwise projection, BN.
class DepthwiseSeparable : public Block {
 public:
  DepthwiseSeparable(int64_t in, int64_t out, int64_t kernel, int64_t stride)
      : conv_dw(register_module("conv_dw", SameConv2d(in, in, kernel, stride, in))),
        bn1(register_module("bn1", tfBatchNorm(in))),
        se(register_module("se", SqueezeExcite(in, std::lround(in * 0.25)))),
        conv_pw(register_module("conv_pw", SameConv2d(in, out, 1))),
        bn2(register_module("bn2", tfBatchNorm(out))),
        residual_(stride == 1 && in == out) {}

  torch::Tensor forward(const torch::Tensor& input) override {
    auto x = siluInPlace(bn1(conv_dw(input)));
    x = bn2(conv_pw(se(x)));
    return residual_ ? dropPath(x, dropPathRate, is_training()) + input : x;
  }

  SameConv2d conv_dw;
  TfBatchNorm2d bn1;
  SqueezeExcite se;
  SameConv2d conv_pw;
  TfBatchNorm2d bn2;

 private:
  bool residual_;
};

// MBConv: pointwise expansion, BN+SiLU, dw conv, BN+SiLU, SE, pointwise projection, BN.
class InvertedResidual : public Block {
 public:
  InvertedResidual(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t expand)
      : conv_pw(register_module("conv_pw", SameConv2d(in, in * expand, 1))),
        bn1(register_module("bn1", tfBatchNorm(in * expand))),
        conv_dw(register_module("conv_dw", SameConv2d(in * expand, in * expand, kernel, stride, in * expand))),
        bn2(register_module("bn2", tfBatchNorm(in * expand))),
        se(register_module("se", SqueezeExcite(in * expand, std::lround(in * 0.25)))),
        conv_pwl(register_module("conv_pwl", SameConv2d(in * expand, out, 1))),
        bn3(register_module("bn3", tfBatchNorm(out))),
        residual_(stride == 1 && in == out) {}

  torch::Tensor forward(const torch::Tensor& input) override {
    auto x = siluInPlace(bn1(conv_pw(input)));
    x = siluInPlace(bn2(conv_dw(x)));
    x = bn3(conv_pwl(se(x)));
    return residual_ ? dropPath(x, dropPathRate, is_training()) + input : x;
  }

  SameConv2d conv_pw;
  TfBatchNorm2d bn1;
  SameConv2d conv_dw;
  TfBatchNorm2d bn2;
  SqueezeExcite se;
  SameConv2d conv_pwl;
  TfBatchNorm2d bn3;

 private:
  bool residual_;
};

// timm's arch_def for B0 (depth and width multipliers 1.0): ds_r1_k3_s1_e1_c16, ir_r2_k3_s2_e6_c24,
// ir_r2_k5_s2_e6_c40, ir_r3_k3_s2_e6_c80, ir_r3_k5_s1_e6_c112, ir_r4_k5_s2_e6_c192, ir_r1_k3_s1_e6_c320.
struct StageSpec {
  int repeats, kernel, stride, expand, channels;
};
constexpr StageSpec kStages[] = {{1, 3, 1, 1, 16},  {2, 3, 2, 6, 24},  {2, 5, 2, 6, 40},  {3, 3, 2, 6, 80},
                                 {3, 5, 1, 6, 112}, {4, 5, 2, 6, 192}, {1, 3, 1, 6, 320}};
constexpr int64_t kStemChannels = 32, kHeadChannels = 1280;

class EfficientNetB0 : public Backbone {
 public:
  EfficientNetB0(int64_t inChannels, double dropPathRate)
      : conv_stem(register_module("conv_stem", SameConv2d(inChannels, kStemChannels, 3, 2))),
        bn1(register_module("bn1", tfBatchNorm(kStemChannels))) {
    int totalBlocks = 0;
    for (const auto& s : kStages) totalBlocks += s.repeats;
    auto stages = register_module("blocks", nn::ModuleList());
    int64_t channels = kStemChannels;
    for (const auto& spec : kStages) {
      auto stage = nn::ModuleList();
      for (int r = 0; r < spec.repeats; ++r) {
        const int64_t stride = r == 0 ? spec.stride : 1;
        std::shared_ptr<Block> block;
        if (spec.expand == 1)
          block = std::make_shared<DepthwiseSeparable>(channels, spec.channels, spec.kernel, stride);
        else
          block = std::make_shared<InvertedResidual>(channels, spec.channels, spec.kernel, stride, spec.expand);
        // timm: drop_path_rate * block_idx / total_blocks, the first block never dropped.
        block->dropPathRate = dropPathRate * static_cast<double>(blocks_.size()) / totalBlocks;
        stage->push_back(block);
        blocks_.push_back(block);
        channels = spec.channels;
      }
      stages->push_back(stage);
    }
    conv_head = register_module("conv_head", SameConv2d(channels, kHeadChannels, 1));
    bn2 = register_module("bn2", tfBatchNorm(kHeadChannels));
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
  return std::make_shared<EfficientNetB0>(inChannels, dropPathRate);
}

}  // namespace chorus::model
