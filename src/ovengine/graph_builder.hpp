// The pieces the OpenVINO graphs are made of (graph.cpp, efficientnet_graph.cpp, convnext_graph.cpp,
// heads_graph.cpp): weights taken by name from a checkpoint's model.safetensors, shape-checked and
// marked used, and the layers our torch modules have, as opset operations. Private to src/openvino.
#pragma once
#include <openvino/core/node_output.hpp>
#include <openvino/op/constant.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "weights/safetensors.hpp"

namespace chorus::openvino {

using Out = ov::Output<ov::Node>;

class GraphBuilder {
 public:
  explicit GraphBuilder(const weights::SafeTensorsFile& file) : file_(file) {}

  // A float tensor of exactly `shape` (InputError naming the file and tensor otherwise).
  std::vector<float> take(const std::string& name, const std::vector<int64_t>& shape);
  bool has(const std::string& name) const { return file_.find(name) != nullptr; }
  std::vector<int64_t> shapeOf(const std::string& name) const;  // InputError when absent
  // Tensors of the file no layer took (BatchNorm step counters and other helpers' sections aside).
  std::vector<std::string> unused() const;

  static Out constant(const std::vector<float>& values, const std::vector<size_t>& shape);

  // k×k convolution `conv` (weight [out, in/groups, k, k], optional bias) followed by BatchNorm `bn`
  // (eval mode, eps) folded into it: w' = w * g / sqrt(var + eps), b' = (b - mean) * g / sqrt(var + eps) + beta.
  // "same" padding as TensorFlow's (the extra row/column at the end), or explicit `pad` on every side.
  Out convBn(const Out& x, const std::string& conv, const std::string& bn, double eps, int64_t stride, int64_t groups);
  // A convolution with its own bias and explicit symmetric padding `pad` (ConvNeXt; SE's 1×1s use pad 0).
  Out convBias(const Out& x, const std::string& conv, int64_t stride, int64_t groups, int64_t pad);
  // timm's ScaledStdConv2d (NFNet) with its weight standardised here, once: per output channel
  // w' = (w - mean) / sqrt(var + eps) × gain × gamma / sqrt(fan_in) (biased variance), then + bias.
  Out scaledStdConv(const Out& x, const std::string& conv, int64_t stride, int64_t groups, int64_t pad, double gamma,
                    double eps);

 private:
  Out convolution(const Out& x, std::vector<float> weight, const std::vector<int64_t>& shape, int64_t stride,
                  int64_t groups, bool samePadding, int64_t pad);
  const weights::SafeTensorsFile& file_;
  std::set<std::string> used_;
};

Out silu(const Out& x);
Out addBias(const Out& x, const std::vector<float>& bias, size_t rank);  // bias over axis 1 of a rank-`rank` tensor
Out reduceMean(const Out& x, const std::vector<int64_t>& axes, bool keepDims);
// x [N, C, T] -> W x with W [out, C] (a Conv1d of kernel 1 / a Linear per frame): [N, out, T].
Out channelMatMul(const Out& x, const std::vector<float>& weight, int64_t out, int64_t in);
// LayerNorm over the channel axis of N×C×H×W (timm's LayerNorm2d) with weight/bias per channel.
Out layerNorm2d(GraphBuilder& b, const Out& x, const std::string& name, int64_t channels, double eps);

}  // namespace chorus::openvino
