// The blocks of timm's EfficientNet family (efficientnet_blocks.py), tf_ flavour: TF "same"
// padding, BatchNorm eps 1e-3, SiLU. Module names mirror timm's, so timm weights load by name.
// Used by efficientnet.cpp for both EfficientNet-B0 and EfficientNetV2-B0.
#pragma once
#include "model/arch.hpp"
#include "model/layers.hpp"

namespace chorus::model::mbconv {

// timm's SqueezeExcite: global mean, 1×1 reduce, SiLU, 1×1 expand, sigmoid gate.
class SqueezeExciteImpl : public torch::nn::Module {
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

using arch::seChannels;

class Block : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  double dropPathRate = 0.0;

 protected:
  Block(int64_t in, int64_t out, int64_t stride) : hasSkip_(arch::hasSkip(in, out, stride)) {}
  torch::Tensor residual(const torch::Tensor& x, const torch::Tensor& input) const {
    return hasSkip_ ? dropPath(x, dropPathRate, is_training()) + input : x;
  }

 private:
  const bool hasSkip_;
};

// ConvBnAct (EfficientNetV2's first stage, "cn"): a full k×k convolution, BN+SiLU.
class ConvBnAct : public Block {
 public:
  ConvBnAct(int64_t in, int64_t out, int64_t kernel, int64_t stride)
      : Block(in, out, stride),
        conv(register_module("conv", SameConv2d(in, out, kernel, stride))),
        bn1(register_module("bn1", TfBatchNorm2d(out))) {}
  torch::Tensor forward(const torch::Tensor& input) override { return residual(siluInPlace(bn1(conv(input))), input); }

  SameConv2d conv;
  TfBatchNorm2d bn1;
};

// B0's first stage ("ds"): dw conv, BN+SiLU, SE, pointwise projection, BN.
class DepthwiseSeparable : public Block {
 public:
  DepthwiseSeparable(int64_t in, int64_t out, int64_t kernel, int64_t stride)
      : Block(in, out, stride),
        conv_dw(register_module("conv_dw", SameConv2d(in, in, kernel, stride, in))),
        bn1(register_module("bn1", TfBatchNorm2d(in))),
        se(register_module("se", SqueezeExcite(in, seChannels(in)))),
        conv_pw(register_module("conv_pw", SameConv2d(in, out, 1))),
        bn2(register_module("bn2", TfBatchNorm2d(out))) {}
  torch::Tensor forward(const torch::Tensor& input) override {
    auto x = siluInPlace(bn1(conv_dw(input)));
    return residual(bn2(conv_pw(se(x))), input);
  }

  SameConv2d conv_dw;
  TfBatchNorm2d bn1;
  SqueezeExcite se;
  SameConv2d conv_pw;
  TfBatchNorm2d bn2;
};

// Fused-MBConv (EdgeResidual, "er"): a full k×k expansion convolution, BN+SiLU, pointwise
// projection, BN. No squeeze-excitation in EfficientNetV2-B0's fused stages.
class EdgeResidual : public Block {
 public:
  EdgeResidual(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t expand)
      : Block(in, out, stride),
        conv_exp(register_module("conv_exp", SameConv2d(in, in * expand, kernel, stride))),
        bn1(register_module("bn1", TfBatchNorm2d(in * expand))),
        conv_pwl(register_module("conv_pwl", SameConv2d(in * expand, out, 1))),
        bn2(register_module("bn2", TfBatchNorm2d(out))) {}
  torch::Tensor forward(const torch::Tensor& input) override {
    auto x = siluInPlace(bn1(conv_exp(input)));
    return residual(bn2(conv_pwl(x)), input);
  }

  SameConv2d conv_exp;
  TfBatchNorm2d bn1;
  SameConv2d conv_pwl;
  TfBatchNorm2d bn2;
};

// MBConv (InvertedResidual, "ir"): pointwise expansion, BN+SiLU, dw conv, BN+SiLU, SE, pointwise
// projection, BN.
class InvertedResidual : public Block {
 public:
  InvertedResidual(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t expand)
      : Block(in, out, stride),
        conv_pw(register_module("conv_pw", SameConv2d(in, in * expand, 1))),
        bn1(register_module("bn1", TfBatchNorm2d(in * expand))),
        conv_dw(register_module("conv_dw", SameConv2d(in * expand, in * expand, kernel, stride, in * expand))),
        bn2(register_module("bn2", TfBatchNorm2d(in * expand))),
        se(register_module("se", SqueezeExcite(in * expand, seChannels(in)))),
        conv_pwl(register_module("conv_pwl", SameConv2d(in * expand, out, 1))),
        bn3(register_module("bn3", TfBatchNorm2d(out))) {}
  torch::Tensor forward(const torch::Tensor& input) override {
    auto x = siluInPlace(bn1(conv_pw(input)));
    x = siluInPlace(bn2(conv_dw(x)));
    return residual(bn3(conv_pwl(se(x))), input);
  }

  SameConv2d conv_pw;
  TfBatchNorm2d bn1;
  SameConv2d conv_dw;
  TfBatchNorm2d bn2;
  SqueezeExcite se;
  SameConv2d conv_pwl;
  TfBatchNorm2d bn3;
};

}  // namespace chorus::model::mbconv
