// ECA-NFNet-L0 with the structure of timm's eca_nfnet_l0 (nfnet.py): no normalisation layers; every
// convolution standardises its own weights (ScaledStdConv2d), the blocks scale their input by beta
// and their residual by alpha so that the signal's variance stays known (arch.hpp, namespace nfnet).
// Module and parameter names mirror timm's: stem.conv1-4, stages.S.B.{downsample.conv, conv1,
// conv2, conv2b, conv3, attn_last.conv}, final_conv; each convolution has weight, bias and gain.
#include "model/arch.hpp"
#include "model/backbone.hpp"
#include "model/layers.hpp"

#include <cmath>

namespace chorus::model {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;
namespace nf = arch::nfnet;

// timm's ScaledStdConv2d: w' = (w - mean) / sqrt(var + eps) × gain × gamma / sqrt(fan_in), per output
// channel (torch's batch_norm in training mode over the flattened weight, as timm computes it).
class ScaledStdConv2dImpl : public nn::Module {
 public:
  ScaledStdConv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t groups = 1,
                      double gainInit = 1.0)
      : stride_(stride), padding_(nf::padding(kernel, stride)), groups_(groups) {
    weight = register_parameter("weight", torch::empty({out, in / groups, kernel, kernel}));
    bias = register_parameter("bias", torch::zeros({out}));
    gain = register_parameter("gain", torch::full({out, 1, 1, 1}, gainInit));
    const double fanIn = static_cast<double>(weight[0].numel());
    scale_ = nf::kActGamma * std::pow(fanIn, -0.5);
    torch::NoGradGuard noGrad;
    weight.normal_(0.0, 1.0 / std::sqrt(fanIn));  // timm: kaiming_normal_(mode='fan_in', nonlinearity='linear')
  }

  torch::Tensor standardisedWeight() const {
    const int64_t out = weight.size(0);
    return torch::batch_norm(weight.reshape({1, out, -1}), (gain * scale_).view(-1), {}, {}, {}, /*training=*/true,
                             /*momentum=*/0.0, nf::kStdConvEps, /*cudnn_enabled=*/false)
        .reshape_as(weight);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    return F::conv2d(x, standardisedWeight(),
                     F::Conv2dFuncOptions().bias(bias).stride(stride_).padding(padding_).groups(groups_));
  }

  torch::Tensor weight, bias, gain;

 private:
  int64_t stride_, padding_, groups_;
  double scale_;
};
TORCH_MODULE(ScaledStdConv2d);

// timm's EcaModule: channel attention from a 1-d convolution over the channels' global means.
class EcaImpl : public nn::Module {
 public:
  // The Conv1d keeps PyTorch's default init, as in timm.
  explicit EcaImpl(int64_t channels) : kernel_(nf::ecaKernel(channels)) {
    conv = register_module("conv", nn::Conv1d(nn::Conv1dOptions(1, 1, kernel_).padding((kernel_ - 1) / 2).bias(false)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto y = conv(x.mean({2, 3}).view({x.size(0), 1, -1}));
    y = torch::sigmoid(y).view({x.size(0), -1, 1, 1});
    return x * y.expand_as(x);
  }
  nn::Conv1d conv{nullptr};

 private:
  int64_t kernel_;
};
TORCH_MODULE(Eca);

// timm's DownsampleAvg: 2×2 average pooling (ceil mode, padding not counted) where the block
// strides, then a 1×1 convolution.
class DownsampleAvgImpl : public nn::Module {
 public:
  DownsampleAvgImpl(int64_t in, int64_t out, int64_t stride)
      : stride_(stride), conv(register_module("conv", ScaledStdConv2d(in, out, 1))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    if (stride_ == 1) return conv(x);
    return conv(F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).stride(stride_).ceil_mode(true).count_include_pad(false)));
  }

 private:
  int64_t stride_;

 public:
  ScaledStdConv2d conv;
};
TORCH_MODULE(DownsampleAvg);

// timm's NormFreeBlock (reg=False, extra_conv=True, skipinit=False, ECA after conv3).
class NormFreeBlockImpl : public nn::Module {
 public:
  NormFreeBlockImpl(int64_t in, int64_t out, int64_t stride, double beta, double dropPathRate_)
      : dropPathRate(dropPathRate_), beta_(beta) {
    const int64_t mid = nf::midChannels(out), groups = nf::groups(out);
    if (in != out || stride != 1) downsample = register_module("downsample", DownsampleAvg(in, out, stride));
    conv1 = register_module("conv1", ScaledStdConv2d(in, mid, 1));
    conv2 = register_module("conv2", ScaledStdConv2d(mid, mid, 3, stride, groups));
    conv2b = register_module("conv2b", ScaledStdConv2d(mid, mid, 3, 1, groups));
    conv3 = register_module("conv3", ScaledStdConv2d(mid, out, 1, 1, 1, /*gainInit=*/0.0));  // timm: skipinit off
    attn_last = register_module("attn_last", Eca(out));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    auto out = torch::silu(x) * beta_;
    const auto shortcut = downsample ? downsample(out) : x;
    out = conv1(out);
    out = conv2(torch::silu(out));
    out = conv2b(torch::silu(out));
    out = conv3(torch::silu(out));
    out = nf::kAttnGain * attn_last(out);
    out = dropPath(out, dropPathRate, is_training());
    return out * nf::kAlpha + shortcut;
  }

  double dropPathRate;
  DownsampleAvg downsample{nullptr};
  ScaledStdConv2d conv1{nullptr}, conv2{nullptr}, conv2b{nullptr}, conv3{nullptr};
  Eca attn_last{nullptr};

 private:
  double beta_;
};
TORCH_MODULE(NormFreeBlock);

class EcaNfnetL0 : public Backbone {
 public:
  EcaNfnetL0(int64_t inChannels, double dropPathRate) {
    auto stem = register_module("stem", std::make_shared<nn::Module>());
    int64_t in = inChannels;
    for (int i = 0; i < 4; ++i) {
      stem_.push_back(ScaledStdConv2d(in, nf::kStemChannels[i], 3, nf::kStemStrides[i]));
      stem->register_module("conv" + std::to_string(i + 1), stem_.back());
      in = nf::kStemChannels[i];
    }
    auto stages = register_module("stages", nn::ModuleList());
    for (int s = 0; s < 4; ++s) {
      auto stage = nn::ModuleList();
      for (int b = 0; b < nf::kDepths[s]; ++b) {
        NormFreeBlock block(in, nf::kChannels[s], b == 0 ? nf::stageStride(s) : 1, nf::beta(s, b),
                            nf::dropPath(dropPathRate, static_cast<int>(blocks_.size())));
        stage->push_back(block);
        blocks_.push_back(block);
        in = nf::kChannels[s];
      }
      stages->push_back(stage);
    }
    final_conv = register_module("final_conv", ScaledStdConv2d(in, nf::kFeatures, 1));
  }

  torch::Tensor forward(const torch::Tensor& mel) override {
    auto x = mel;
    for (size_t i = 0; i < stem_.size(); ++i) x = i == 0 ? stem_[i](x) : stem_[i](torch::silu(x));
    for (auto& block : blocks_) x = block(x);
    return torch::silu(final_conv(x));
  }

  int64_t numFeatures() const override { return nf::kFeatures; }

  std::vector<double> dropPathRates() const override {
    std::vector<double> rates;
    for (const auto& b : blocks_) rates.push_back(b->dropPathRate);
    return rates;
  }

  ScaledStdConv2d final_conv{nullptr};

 private:
  std::vector<ScaledStdConv2d> stem_;
  std::vector<NormFreeBlock> blocks_;
};

}  // namespace

std::shared_ptr<Backbone> makeEcaNfnetL0(int64_t inChannels, double dropPathRate) {
  return std::make_shared<EcaNfnetL0>(inChannels, dropPathRate);
}

}  // namespace chorus::model
