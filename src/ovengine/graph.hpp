// Our models as OpenVINO graphs, built from our own architecture tables (model/arch.hpp) and a
// checkpoint's weights (model.safetensors: the backbone under timm's names, the head under
// `chorus_head.`), with every BatchNorm folded into its convolution. No torch, no Python: opset
// operations only. Input "mel" [N, 1, mels, frames] (the normalised log-mel windows; N, mels and
// frames left dynamic), output "logits" [N, K] (the clip logits, what Classifier::forward gives).
#pragma once
#include <openvino/core/model.hpp>

#include <memory>
#include <string>

#include "model/arch.hpp"
#include "ovengine/graph_spec.hpp"
#include "weights/safetensors.hpp"

namespace chorus::openvino {

// UsageError for a backbone or head it does not know; InputError naming the file and tensor when a weight is missing, of another shape, or left over.
std::shared_ptr<ov::Model> buildGraph(const GraphSpec& spec, const weights::SafeTensorsFile& weights);

// The backbones (graph.cpp's dispatch): feature map N×D×F'×T', D returned in `features`.
class GraphBuilder;
ov::Output<ov::Node> efficientNetGraph(GraphBuilder& b, const ov::Output<ov::Node>& mel,
                                       const model::arch::EfficientNetArch& arch, int64_t& features);
ov::Output<ov::Node> convNextGraph(GraphBuilder& b, const ov::Output<ov::Node>& mel, int64_t& features);
ov::Output<ov::Node> ecaNfnetGraph(GraphBuilder& b, const ov::Output<ov::Node>& mel, int64_t& features);
// The heads (heads.hpp's definitions): clip logits N×K.
ov::Output<ov::Node> sedHeadGraph(GraphBuilder& b, const ov::Output<ov::Node>& features, int64_t in, int64_t classes);
ov::Output<ov::Node> pooledHeadGraph(GraphBuilder& b, const ov::Output<ov::Node>& features, int64_t in, int64_t classes);

}  // namespace chorus::openvino
