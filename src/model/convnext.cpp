// ConvNeXt-Atto as timm builds convnext_atto (dims 40-80-160-320, depths 2-2-6-2, conv MLP,
// layer scale, timm's init 1e-6; ModelOptions::layerScaleInit, 0.1 by default for training from
// scratch on short schedules) with head_norm_first=True: the final LayerNorm (norm_pre) acts on the
// feature map so that a frame-wise head can follow. Module names mirror timm's (backbone.hpp).
#include "model/arch.hpp"
#include "model/backbone.hpp"
#include "model/layers.hpp"

namespace chorus::model {
namespace {

namespace nn = torch::nn;

constexpr const int64_t (&kDims)[4] = arch::kConvNextDims;
constexpr const int (&kDepths)[4] = arch::kConvNextDepths;

nn::Conv2d truncNormalConv(nn::Conv2dOptions options) {
  nn::Conv2d conv(options);
  initTruncNormal(conv->weight, 0.02);
  torch::NoGradGuard noGrad;
  if (conv->bias.defined()) conv->bias.zero_();
  return conv;
}

// timm's Mlp with use_conv=True: 1×1 conv, GELU (erf), 1×1 conv.
class ConvMlpImpl : public nn::Module {
 public:
  ConvMlpImpl(int64_t dim, int64_t hidden)
      : fc1(register_module("fc1", truncNormalConv(nn::Conv2dOptions(dim, hidden, 1)))),
        fc2(register_module("fc2", truncNormalConv(nn::Conv2dOptions(hidden, dim, 1)))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::gelu(fc1(x))); }
  nn::Conv2d fc1, fc2;
};
TORCH_MODULE(ConvMlp);

// dw 7×7 conv, LayerNorm, MLP (×4), layer scale, stochastic depth, residual.
class BlockImpl : public nn::Module {
 public:
  BlockImpl(int64_t dim, double dropPathRate_, double layerScaleInit)
      : conv_dw(register_module("conv_dw", truncNormalConv(nn::Conv2dOptions(dim, dim, 7).padding(3).groups(dim)))),
        norm(register_module("norm", LayerNorm2d(dim))),
        mlp(register_module("mlp", ConvMlp(dim, 4 * dim))),
        gamma(register_parameter("gamma", torch::full({dim}, layerScaleInit))),
        dropPathRate(dropPathRate_) {}

  torch::Tensor forward(const torch::Tensor& input) {
    auto x = mlp(norm(conv_dw(input)));
    x = x * gamma.view({1, -1, 1, 1});
    return dropPath(x, dropPathRate, is_training()) + input;
  }

  nn::Conv2d conv_dw;
  LayerNorm2d norm;
  ConvMlp mlp;
  torch::Tensor gamma;
  double dropPathRate;
};
TORCH_MODULE(Block);

// A stage: optional downsample (LayerNorm, 2×2 stride-2 conv), then its blocks.
class StageImpl : public nn::Module {
 public:
  StageImpl(int64_t in, int64_t out, int depth, const double* dropRates, double layerScaleInit) {
    if (in != out) {
      downsample = register_module(
          "downsample", nn::Sequential(LayerNorm2d(in), truncNormalConv(nn::Conv2dOptions(in, out, 2).stride(2))));
    }
    auto list = register_module("blocks", nn::ModuleList());
    for (int b = 0; b < depth; ++b) {
      blocks.push_back(Block(out, dropRates[b], layerScaleInit));
      list->push_back(blocks.back());
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    if (downsample) x = downsample->forward(x);
    for (auto& block : blocks) x = block(x);
    return x;
  }

  nn::Sequential downsample{nullptr};
  std::vector<Block> blocks;
};
TORCH_MODULE(Stage);

class ConvNextAtto : public Backbone {
 public:
  ConvNextAtto(int64_t inChannels, double dropPathRate, double layerScaleInit) {
    stem = register_module(
        "stem", nn::Sequential(truncNormalConv(nn::Conv2dOptions(inChannels, kDims[0], 4).stride(4)), LayerNorm2d(kDims[0])));
    // timm: torch.linspace(0, drop_path_rate, sum(depths)), split by stage.
    int total = 0;
    for (int d : kDepths) total += d;
    for (int i = 0; i < total; ++i) rates_.push_back(total > 1 ? dropPathRate * i / (total - 1) : 0.0);
    auto list = register_module("stages", nn::ModuleList());
    int64_t in = kDims[0];
    int first = 0;
    for (int s = 0; s < 4; ++s) {
      stages_.push_back(Stage(in, kDims[s], kDepths[s], rates_.data() + first, layerScaleInit));
      list->push_back(stages_.back());
      in = kDims[s];
      first += kDepths[s];
    }
    norm_pre = register_module("norm_pre", LayerNorm2d(kDims[3]));
  }

  torch::Tensor forward(const torch::Tensor& mel) override {
    auto x = stem->forward(mel);
    for (auto& stage : stages_) x = stage(x);
    return norm_pre(x);
  }

  int64_t numFeatures() const override { return kDims[3]; }
  std::vector<double> dropPathRates() const override { return rates_; }

  nn::Sequential stem{nullptr};
  LayerNorm2d norm_pre{nullptr};

 private:
  std::vector<Stage> stages_;
  std::vector<double> rates_;
};

}  // namespace

std::shared_ptr<Backbone> makeConvNextAtto(int64_t inChannels, double dropPathRate, double layerScaleInit) {
  return std::make_shared<ConvNextAtto>(inChannels, dropPathRate, layerScaleInit);
}

}  // namespace chorus::model
