#include "model/layers.hpp"

#include "model/arch.hpp"

#include <cmath>

namespace chorus::model {

namespace F = torch::nn::functional;

std::pair<int64_t, int64_t> samePadding(int64_t size, int64_t kernel, int64_t stride) {
  const int64_t out = (size + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - size, 0);
  return {total / 2, total - total / 2};
}

SameConv2dImpl::SameConv2dImpl(int64_t in, int64_t out, int64_t kernel_, int64_t stride_, int64_t groups_, bool withBias)
    : kernel(kernel_), stride(stride_), groups(groups_) {
  weight = register_parameter("weight", torch::empty({out, in / groups, kernel, kernel}));
  initGoogConv(weight, groups);
  if (withBias) bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor SameConv2dImpl::forward(const torch::Tensor& x) {
  if (stride == 1) {
    // Static and symmetric for odd kernels: let the convolution pad, no extra copy.
    return F::conv2d(x, weight, F::Conv2dFuncOptions().bias(bias).padding(kernel / 2).groups(groups));
  }
  const auto [top, bottom] = samePadding(x.size(2), kernel, stride);
  const auto [left, right] = samePadding(x.size(3), kernel, stride);
  const auto padded = (top || bottom || left || right) ? torch::constant_pad_nd(x, {left, right, top, bottom}, 0) : x;
  return F::conv2d(padded, weight, F::Conv2dFuncOptions().bias(bias).stride(stride).groups(groups));
}

LayerNorm2dImpl::LayerNorm2dImpl(int64_t channels, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor LayerNorm2dImpl::forward(const torch::Tensor& x) {
  auto channelsLast = x.permute({0, 2, 3, 1});
  return torch::layer_norm(channelsLast, {weight.size(0)}, weight, bias, eps).permute({0, 3, 1, 2});
}

torch::Tensor dropPath(const torch::Tensor& x, double p, bool training) {
  if (p <= 0.0 || !training) return x;
  const double keep = 1.0 - p;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  auto mask = torch::empty(shape, x.options()).bernoulli_(keep);
  if (keep > 0.0) mask.div_(keep);
  return x * mask;
}

TfBatchNorm2dImpl::TfBatchNorm2dImpl(int64_t channels)
    : torch::nn::BatchNorm2dImpl(torch::nn::BatchNorm2dOptions(channels).eps(arch::kTfBatchNormEps).momentum(0.1)) {}

torch::Tensor TfBatchNorm2dImpl::forward(const torch::Tensor& x) {
  return folded ? x : torch::nn::BatchNorm2dImpl::forward(x);
}

void initGoogConv(torch::Tensor& weight, int64_t groups) {
  torch::NoGradGuard noGrad;
  const int64_t fanOut = weight.size(0) * weight.size(2) * weight.size(3) / groups;
  weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(fanOut)));
}

void initTruncNormal(torch::Tensor& weight, double std) {
  torch::NoGradGuard noGrad;
  weight.normal_(0.0, std).clamp_(-2.0, 2.0);
}

}  // namespace chorus::model
