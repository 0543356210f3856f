// ConvNeXt-Atto (model/convnext.cpp, head_norm_first) as opset operations: patchify stem, stages of
// 7×7 depthwise blocks with LayerNorm, a 4× GELU MLP and layer scale, the final LayerNorm on the map.
#include <openvino/op/add.hpp>
#include <openvino/op/gelu.hpp>
#include <openvino/op/multiply.hpp>

#include "model/arch.hpp"
#include "ovengine/graph.hpp"
#include "ovengine/graph_builder.hpp"

namespace chorus::openvino {
namespace {

constexpr double kEps = model::arch::kConvNextNormEps;

Out convNextBlock(GraphBuilder& b, const Out& input, const std::string& n, int64_t dim) {
  Out x = b.convBias(input, n + ".conv_dw", 1, dim, 3);
  x = layerNorm2d(b, x, n + ".norm", dim, kEps);
  x = std::make_shared<ov::op::v7::Gelu>(b.convBias(x, n + ".mlp.fc1", 1, 1, 0), ov::op::GeluApproximationMode::ERF);
  x = b.convBias(x, n + ".mlp.fc2", 1, 1, 0);
  x = std::make_shared<ov::op::v1::Multiply>(x, GraphBuilder::constant(b.take(n + ".gamma", {dim}), {1, size_t(dim), 1, 1}));
  return std::make_shared<ov::op::v1::Add>(x, input);  // stochastic depth: the identity in eval mode
}

}  // namespace

Out convNextGraph(GraphBuilder& b, const Out& mel, int64_t& features) {
  const auto& dims = model::arch::kConvNextDims;
  Out x = layerNorm2d(b, b.convBias(mel, "stem.0", 4, 1, 0), "stem.1", dims[0], kEps);
  int64_t in = dims[0];
  for (int s = 0; s < 4; ++s) {
    const std::string stage = "stages." + std::to_string(s);
    if (in != dims[s]) {
      x = layerNorm2d(b, x, stage + ".downsample.0", in, kEps);
      x = b.convBias(x, stage + ".downsample.1", 2, 1, 0);
    }
    for (int k = 0; k < model::arch::kConvNextDepths[s]; ++k)
      x = convNextBlock(b, x, stage + ".blocks." + std::to_string(k), dims[s]);
    in = dims[s];
  }
  features = dims[3];
  return layerNorm2d(b, x, "norm_pre", dims[3], kEps);
}

}  // namespace chorus::openvino
