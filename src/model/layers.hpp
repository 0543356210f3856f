// Building blocks shared by the backbones, each behaving like its timm counterpart so that timm
// weights load by name and give the same numbers.
#pragma once
#include <torch/torch.h>

namespace chorus::model {

// Conv2d with TensorFlow "same" padding (timm's Conv2dSame / create_conv2d(padding='same')):
// output size ceil(in / stride); the padding is computed per input size and, when odd, the extra
// row/column goes to the bottom/right. For stride 1 that is the static symmetric k/2 padding.
// Parameters are named weight (and bias), as in nn.Conv2d.
class SameConv2dImpl : public torch::nn::Module {
 public:
  SameConv2dImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t groups = 1, bool bias = false);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight, bias;
  int64_t kernel, stride, groups;
};
TORCH_MODULE(SameConv2d);

// The padding TF "same" needs along one axis: {before, after}.
std::pair<int64_t, int64_t> samePadding(int64_t size, int64_t kernel, int64_t stride);

// LayerNorm over the channel axis of an N×C×H×W map (timm's LayerNorm2d); weight/bias per channel.
class LayerNorm2dImpl : public torch::nn::Module {
 public:
  explicit LayerNorm2dImpl(int64_t channels, double eps = 1e-6);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight, bias;
  double eps;
};
TORCH_MODULE(LayerNorm2d);

// Stochastic depth (timm's drop_path with scale_by_keep): in training, each sample's residual
// branch is dropped with probability p and kept ones are scaled by 1/(1-p); identity otherwise.
torch::Tensor dropPath(const torch::Tensor& x, double p, bool training);

// SiLU written into its input (timm's SiLU(inplace=True)): after a BatchNorm, whose backward
// does not need its output, this saves one activation-sized allocation per layer.
inline torch::Tensor siluInPlace(torch::Tensor x) { return torch::silu_(x); }

// BatchNorm as timm's tf_ variants build it: eps 1e-3 (TensorFlow's), PyTorch momentum 0.1.
// `folded`: an inference-only model (infer's Ensemble) has moved this normalisation's eval-mode
// affine map into the preceding convolution, so forward passes its input through; never set in
// training. Parameter and buffer names are BatchNorm2d's, so checkpoints load unchanged.
class TfBatchNorm2dImpl : public torch::nn::BatchNorm2dImpl {
 public:
  explicit TfBatchNorm2dImpl(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x);

  bool folded = false;
};
TORCH_MODULE(TfBatchNorm2d);

// timm's _init_weight_goog for a convolution weight: N(0, sqrt(2 / fan_out)),
// fan_out = kh*kw*out_channels / groups.
void initGoogConv(torch::Tensor& weight, int64_t groups);

// timm's trunc_normal_(std) with bounds ±2 (at std 0.02 the truncation never acts).
void initTruncNormal(torch::Tensor& weight, double std);

}  // namespace chorus::model
