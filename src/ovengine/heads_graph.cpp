// The SED and pooled heads (model/heads.hpp, eval mode: dropout is the identity) as opset
// operations on the backbone's N×D×F×T map, giving the clip logits N×K.
#include <openvino/op/add.hpp>
#include <openvino/op/avg_pool.hpp>
#include <openvino/op/max_pool.hpp>
#include <openvino/op/matmul.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/reduce_sum.hpp>
#include <openvino/op/relu.hpp>
#include <openvino/op/softmax.hpp>
#include <openvino/op/tanh.hpp>

#include "ovengine/graph.hpp"
#include "ovengine/graph_builder.hpp"

namespace chorus::openvino {
namespace {

const std::string kHead = "chorus_head.";

// A Conv1d of kernel 1 (weight [out, in, 1]) over N×in×T: N×out×T.
Out conv1x1(GraphBuilder& b, const Out& x, const std::string& name, int64_t out, int64_t in) {
  const auto w = b.take(name + ".weight", {out, in, 1});
  return addBias(channelMatMul(x, w, out, in), b.take(name + ".bias", {out}), 3);
}

}  // namespace

Out sedHeadGraph(GraphBuilder& b, const Out& features, int64_t in, int64_t classes) {
  Out x = reduceMean(features, {2}, false);  // N×D×T
  // max_pool1d(3, 1, 1) + avg_pool1d(3, 1, 1) (count_include_pad, torch's default).
  const ov::Strides one{1};
  const ov::Shape pad{1}, kernel{3};
  Out maxed = std::make_shared<ov::op::v1::MaxPool>(x, one, pad, pad, kernel);
  Out avged = std::make_shared<ov::op::v1::AvgPool>(x, one, pad, pad, kernel, /*exclude_pad=*/false);
  x = std::make_shared<ov::op::v1::Add>(maxed, avged);
  const int64_t hidden = b.shapeOf(kHead + "fc1.weight")[0];
  const auto w1 = b.take(kHead + "fc1.weight", {hidden, in});
  x = std::make_shared<ov::op::v0::Relu>(addBias(channelMatMul(x, w1, hidden, in), b.take(kHead + "fc1.bias", {hidden}), 3));
  Out attention = std::make_shared<ov::op::v8::Softmax>(
      std::make_shared<ov::op::v0::Tanh>(conv1x1(b, x, kHead + "att_block.att", classes, hidden)), -1);
  Out frames = conv1x1(b, x, kHead + "att_block.cla", classes, hidden);
  auto time = std::make_shared<ov::op::v0::Constant>(ov::element::i64, ov::Shape{1}, std::vector<int64_t>{2});
  return std::make_shared<ov::op::v1::ReduceSum>(std::make_shared<ov::op::v1::Multiply>(attention, frames), time, false);
}

Out pooledHeadGraph(GraphBuilder& b, const Out& features, int64_t in, int64_t classes) {
  Out pooled = reduceMean(reduceMean(features, {2}, false), {2}, false);  // N×D, as heads.cpp averages
  const auto w = b.take(kHead + "fc.weight", {classes, in});
  Out logits = std::make_shared<ov::op::v0::MatMul>(pooled, GraphBuilder::constant(w, {size_t(classes), size_t(in)}),
                                                    false, /*transpose_b=*/true);
  return addBias(logits, b.take(kHead + "fc.bias", {classes}), 2);
}

}  // namespace chorus::openvino
