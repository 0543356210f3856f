#include "ovengine/graph_builder.hpp"

#include <openvino/op/add.hpp>
#include <openvino/op/convolution.hpp>
#include <openvino/op/group_conv.hpp>
#include <openvino/op/matmul.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/mvn.hpp>
#include <openvino/op/reduce_mean.hpp>
#include <openvino/op/swish.hpp>

#include <cmath>

#include "core/error.hpp"

namespace chorus::openvino {
namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<size_t> sizes(const std::vector<int64_t>& shape) { return {shape.begin(), shape.end()}; }

}  // namespace

std::vector<int64_t> GraphBuilder::shapeOf(const std::string& name) const {
  const auto* t = file_.find(name);
  if (!t) throw InputError(file_.origin(), 0, "tensor " + name + " is missing (the model needs it)");
  return t->shape;
}

std::vector<float> GraphBuilder::take(const std::string& name, const std::vector<int64_t>& shape) {
  const auto have = shapeOf(name);
  if (have != shape)
    throw InputError(file_.origin(), 0, "tensor " + name + " has shape " + shapeText(have) + ", the model needs " + shapeText(shape));
  used_.insert(name);
  return file_.floats(*file_.find(name));
}

std::vector<std::string> GraphBuilder::unused() const {
  std::vector<std::string> out;
  for (const auto& t : file_.tensors()) {
    if (used_.count(t.name) || endsWith(t.name, "num_batches_tracked") || startsWith(t.name, "chorus_distil.")) continue;
    out.push_back(t.name);
  }
  return out;
}

Out GraphBuilder::constant(const std::vector<float>& values, const std::vector<size_t>& shape) {
  return std::make_shared<ov::op::v0::Constant>(ov::element::f32, ov::Shape(shape), values);
}

Out GraphBuilder::convolution(const Out& x, std::vector<float> weight, const std::vector<int64_t>& shape,
                              int64_t stride, int64_t groups, bool samePadding, int64_t pad) {
  const ov::Strides strides{size_t(stride), size_t(stride)}, dilations{1, 1};
  const ov::CoordinateDiff pads{pad, pad};
  // TF "same" = SAME_UPPER: output ceil(in / stride), the odd padding row/column at the end (layers.hpp).
  const auto padType = samePadding ? ov::op::PadType::SAME_UPPER : ov::op::PadType::EXPLICIT;
  if (groups == 1) {
    return std::make_shared<ov::op::v1::Convolution>(x, constant(weight, sizes(shape)), strides, pads, pads, dilations, padType);
  }
  // Grouped weights [groups, out/groups, in/groups, kh, kw].
  const std::vector<size_t> grouped{size_t(groups), size_t(shape[0] / groups), size_t(shape[1]), size_t(shape[2]),
                                    size_t(shape[3])};
  return std::make_shared<ov::op::v1::GroupConvolution>(x, constant(weight, grouped), strides, pads, pads, dilations,
                                                        padType);
}

Out GraphBuilder::convBn(const Out& x, const std::string& conv, const std::string& bn, double eps, int64_t stride,
                         int64_t groups) {
  const auto shape = shapeOf(conv + ".weight");
  if (shape.size() != 4) throw InputError(file_.origin(), 0, "tensor " + conv + ".weight is not a 2-d convolution's");
  const int64_t out = shape[0];
  std::vector<float> w = take(conv + ".weight", shape);
  const auto gamma = take(bn + ".weight", {out}), beta = take(bn + ".bias", {out});
  const auto mean = take(bn + ".running_mean", {out}), var = take(bn + ".running_var", {out});
  std::vector<float> bias = has(conv + ".bias") ? take(conv + ".bias", {out}) : std::vector<float>(size_t(out), 0.f);
  const size_t per = w.size() / size_t(out);
  for (int64_t o = 0; o < out; ++o) {
    // In double, as the torch fold (ensemble.cpp) computes in float: both round once at the end.
    const double scale = double(gamma[o]) / std::sqrt(double(var[o]) + eps);
    for (size_t i = 0; i < per; ++i) w[size_t(o) * per + i] = float(double(w[size_t(o) * per + i]) * scale);
    bias[o] = float((double(bias[o]) - double(mean[o])) * scale + double(beta[o]));
  }
  return addBias(convolution(x, std::move(w), shape, stride, groups, /*samePadding=*/true, 0), bias, 4);
}

Out GraphBuilder::convBias(const Out& x, const std::string& conv, int64_t stride, int64_t groups, int64_t pad) {
  const auto shape = shapeOf(conv + ".weight");
  if (shape.size() != 4) throw InputError(file_.origin(), 0, "tensor " + conv + ".weight is not a 2-d convolution's");
  auto w = take(conv + ".weight", shape);
  const auto bias = take(conv + ".bias", {shape[0]});
  return addBias(convolution(x, std::move(w), shape, stride, groups, /*samePadding=*/false, pad), bias, 4);
}

Out GraphBuilder::scaledStdConv(const Out& x, const std::string& conv, int64_t stride, int64_t groups, int64_t pad,
                                double gamma, double eps) {
  const auto shape = shapeOf(conv + ".weight");
  if (shape.size() != 4) throw InputError(file_.origin(), 0, "tensor " + conv + ".weight is not a 2-d convolution's");
  const int64_t out = shape[0];
  auto w = take(conv + ".weight", shape);
  const auto gain = take(conv + ".gain", {out, 1, 1, 1});
  const auto bias = take(conv + ".bias", {out});
  const size_t per = w.size() / size_t(out);
  const double scale = gamma / std::sqrt(double(per));
  for (int64_t o = 0; o < out; ++o) {
    float* row = w.data() + size_t(o) * per;
    double sum = 0, squares = 0;
    for (size_t i = 0; i < per; ++i) sum += row[i];
    const double mean = sum / double(per);
    for (size_t i = 0; i < per; ++i) squares += (row[i] - mean) * (row[i] - mean);
    const double factor = double(gain[o]) * scale / std::sqrt(squares / double(per) + eps);
    for (size_t i = 0; i < per; ++i) row[i] = float((row[i] - mean) * factor);
  }
  return addBias(convolution(x, std::move(w), shape, stride, groups, /*samePadding=*/false, pad), bias, 4);
}

Out silu(const Out& x) { return std::make_shared<ov::op::v4::Swish>(x); }  // x * sigmoid(x)

Out addBias(const Out& x, const std::vector<float>& bias, size_t rank) {
  std::vector<size_t> shape(rank, 1);
  shape[1] = bias.size();
  return std::make_shared<ov::op::v1::Add>(x, GraphBuilder::constant(bias, shape));
}

Out reduceMean(const Out& x, const std::vector<int64_t>& axes, bool keepDims) {
  auto a = std::make_shared<ov::op::v0::Constant>(ov::element::i64, ov::Shape{axes.size()}, axes);
  return std::make_shared<ov::op::v1::ReduceMean>(x, a, keepDims);
}

Out channelMatMul(const Out& x, const std::vector<float>& weight, int64_t out, int64_t in) {
  return std::make_shared<ov::op::v0::MatMul>(GraphBuilder::constant(weight, {size_t(out), size_t(in)}), x);
}

Out layerNorm2d(GraphBuilder& b, const Out& x, const std::string& name, int64_t channels, double eps) {
  auto axes = std::make_shared<ov::op::v0::Constant>(ov::element::i64, ov::Shape{1}, std::vector<int64_t>{1});
  // torch::layer_norm: (x - mean) / sqrt(var + eps), the biased variance.
  Out n = std::make_shared<ov::op::v6::MVN>(x, axes, true, float(eps), ov::op::MVNEpsMode::INSIDE_SQRT);
  n = std::make_shared<ov::op::v1::Multiply>(
      n, GraphBuilder::constant(b.take(name + ".weight", {channels}), {1, size_t(channels), 1, 1}));
  return addBias(n, b.take(name + ".bias", {channels}), 4);
}

}  // namespace chorus::openvino
