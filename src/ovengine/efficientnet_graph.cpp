// The EfficientNets (model/efficientnet.cpp, model/mbconv_blocks.hpp) as opset operations: the same
// stage tables and multipliers (model/arch.hpp), each convolution with its BatchNorm folded.
#include <openvino/op/add.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/sigmoid.hpp>

#include "model/arch.hpp"
#include "ovengine/graph.hpp"
#include "ovengine/graph_builder.hpp"

namespace chorus::openvino {
namespace {

using model::arch::Kind;
constexpr double kEps = model::arch::kTfBatchNormEps;

// timm's SqueezeExcite: global mean, 1×1 reduce, SiLU, 1×1 expand, sigmoid gate.
Out squeezeExcite(GraphBuilder& b, const Out& x, const std::string& name) {
  Out s = reduceMean(x, {2, 3}, true);
  s = silu(b.convBias(s, name + ".conv_reduce", 1, 1, 0));
  s = std::make_shared<ov::op::v0::Sigmoid>(b.convBias(s, name + ".conv_expand", 1, 1, 0));
  return std::make_shared<ov::op::v1::Multiply>(x, s);
}

Out block(GraphBuilder& b, const Out& input, const std::string& n, Kind kind, int64_t stride, int64_t width) {
  Out x;
  switch (kind) {
    case Kind::ConvBnAct: x = silu(b.convBn(input, n + ".conv", n + ".bn1", kEps, stride, 1)); break;
    case Kind::DepthwiseSeparable:
      x = silu(b.convBn(input, n + ".conv_dw", n + ".bn1", kEps, stride, width));
      x = b.convBn(squeezeExcite(b, x, n + ".se"), n + ".conv_pw", n + ".bn2", kEps, 1, 1);
      break;
    case Kind::EdgeResidual:
      x = silu(b.convBn(input, n + ".conv_exp", n + ".bn1", kEps, stride, 1));
      x = b.convBn(x, n + ".conv_pwl", n + ".bn2", kEps, 1, 1);
      break;
    case Kind::InvertedResidual: {
      x = silu(b.convBn(input, n + ".conv_pw", n + ".bn1", kEps, 1, 1));
      const int64_t expanded = b.shapeOf(n + ".conv_dw.weight")[0];
      x = silu(b.convBn(x, n + ".conv_dw", n + ".bn2", kEps, stride, expanded));
      x = b.convBn(squeezeExcite(b, x, n + ".se"), n + ".conv_pwl", n + ".bn3", kEps, 1, 1);
      break;
    }
  }
  return x;
}

}  // namespace

Out efficientNetGraph(GraphBuilder& b, const Out& mel, const model::arch::EfficientNetArch& arch, int64_t& features) {
  const auto stages = arch.scaledStages();
  Out x = silu(b.convBn(mel, "conv_stem", "bn1", kEps, 2, 1));
  int64_t channels = arch.stemChannels();
  for (size_t s = 0; s < stages.size(); ++s) {
    const auto& spec = stages[s];
    for (int r = 0; r < spec.repeats; ++r) {
      const int64_t stride = r == 0 ? spec.stride : 1;
      const std::string name = "blocks." + std::to_string(s) + "." + std::to_string(r);
      Out y = block(b, x, name, spec.kind, stride, channels);
      // Stochastic depth is the identity in eval mode: the residual is a plain sum.
      x = model::arch::hasSkip(channels, spec.channels, stride) ? Out(std::make_shared<ov::op::v1::Add>(y, x)) : y;
      channels = spec.channels;
    }
  }
  features = arch.headChannels();
  return silu(b.convBn(x, "conv_head", "bn2", kEps, 1, 1));
}

}  // namespace chorus::openvino
