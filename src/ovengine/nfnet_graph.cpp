// ECA-NFNet-L0 (model/nfnet.cpp) as opset operations, from the same table (model/arch.hpp,
// namespace nfnet). The weights are fixed at inference, so each ScaledStdConv2d's standardisation is
// done once while building (GraphBuilder::scaledStdConv) and the graph holds plain convolutions.
#include <openvino/op/add.hpp>
#include <openvino/op/avg_pool.hpp>
#include <openvino/op/convolution.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/reshape.hpp>
#include <openvino/op/sigmoid.hpp>

#include "model/arch.hpp"
#include "ovengine/graph.hpp"
#include "ovengine/graph_builder.hpp"

namespace chorus::openvino {
namespace {

namespace nf = model::arch::nfnet;

Out conv(GraphBuilder& b, const Out& x, const std::string& name, int64_t stride, int64_t groups) {
  const int64_t kernel = b.shapeOf(name + ".weight")[2];
  return b.scaledStdConv(x, name, stride, groups, nf::padding(kernel, stride), nf::kActGamma, nf::kStdConvEps);
}

Out scaled(const Out& x, double factor) {
  return std::make_shared<ov::op::v1::Multiply>(x, GraphBuilder::constant({float(factor)}, {1}));
}

Out reshaped(const Out& x, const std::vector<int64_t>& pattern) {
  auto p = std::make_shared<ov::op::v0::Constant>(ov::element::i64, ov::Shape{pattern.size()}, pattern);
  return std::make_shared<ov::op::v1::Reshape>(x, p, /*special_zero=*/true);
}

// timm's EcaModule: the channels' means [N, 1, C] through a 1-d convolution, a sigmoid gate.
Out eca(GraphBuilder& b, const Out& x, const std::string& name, int64_t channels) {
  const int64_t k = nf::ecaKernel(channels);
  Out y = reshaped(reduceMean(x, {2, 3}, false), {0, 1, -1});
  const auto w = GraphBuilder::constant(b.take(name + ".conv.weight", {1, 1, k}), {1, 1, size_t(k)});
  const ov::CoordinateDiff pad{(k - 1) / 2};
  y = std::make_shared<ov::op::v1::Convolution>(y, w, ov::Strides{1}, pad, pad, ov::Strides{1});
  y = reshaped(std::make_shared<ov::op::v0::Sigmoid>(y), {0, -1, 1, 1});
  return std::make_shared<ov::op::v1::Multiply>(x, y);
}

Out block(GraphBuilder& b, const Out& x, const std::string& n, int64_t in, int64_t out, int64_t stride, double beta) {
  const int64_t groups = nf::groups(out);
  Out pre = scaled(silu(x), beta);
  Out shortcut = x;
  if (in != out || stride != 1) {
    Out pooled = pre;
    if (stride != 1)  // 2×2, ceil mode, padding not counted (torch's AvgPool2d(ceil_mode, count_include_pad=False))
      pooled = std::make_shared<ov::op::v14::AvgPool>(pre, ov::Strides{size_t(stride), size_t(stride)}, ov::Shape{0, 0},
                                                      ov::Shape{0, 0}, ov::Shape{2, 2}, /*exclude_pad=*/true,
                                                      ov::op::RoundingType::CEIL_TORCH);
    shortcut = conv(b, pooled, n + ".downsample.conv", 1, 1);
  }
  Out y = conv(b, pre, n + ".conv1", 1, 1);
  y = conv(b, silu(y), n + ".conv2", stride, groups);
  y = conv(b, silu(y), n + ".conv2b", 1, groups);
  y = conv(b, silu(y), n + ".conv3", 1, 1);
  y = scaled(eca(b, y, n + ".attn_last", out), nf::kAttnGain * nf::kAlpha);  // stochastic depth: identity in eval
  return std::make_shared<ov::op::v1::Add>(y, shortcut);
}

}  // namespace

Out ecaNfnetGraph(GraphBuilder& b, const Out& mel, int64_t& features) {
  Out x = mel;
  for (int i = 0; i < 4; ++i) x = conv(b, i == 0 ? x : silu(x), "stem.conv" + std::to_string(i + 1), nf::kStemStrides[i], 1);
  int64_t in = nf::kStemChannels[3];
  for (int s = 0; s < 4; ++s) {
    for (int k = 0; k < nf::kDepths[s]; ++k) {
      const std::string name = "stages." + std::to_string(s) + "." + std::to_string(k);
      x = block(b, x, name, in, nf::kChannels[s], k == 0 ? nf::stageStride(s) : 1, nf::beta(s, k));
      in = nf::kChannels[s];
    }
  }
  features = nf::kFeatures;
  return silu(conv(b, x, "final_conv", 1, 1));
}

}  // namespace chorus::openvino
