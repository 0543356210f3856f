#include "ovengine/graph.hpp"

#include <openvino/op/parameter.hpp>
#include <openvino/op/result.hpp>

#include "core/error.hpp"
#include "ovengine/graph_builder.hpp"

namespace chorus::openvino {

bool supportsGraph(const std::string& backbone, const std::string& head) {
  const bool knownBackbone =
      model::arch::efficientNetArch(backbone) != nullptr || backbone == "convnext_atto" || backbone == "eca_nfnet_l0";
  return knownBackbone && (head == "sed" || head == "pooled");
}

std::shared_ptr<ov::Model> buildGraph(const GraphSpec& spec, const weights::SafeTensorsFile& weights) {
  if (!supportsGraph(spec.backbone, spec.head))
    throw UsageError("openvino: no graph for backbone \"" + spec.backbone + "\" with head \"" + spec.head +
                     "\" (native backbones with the sed or pooled head only; use --engine torch)");
  GraphBuilder b(weights);
  auto mel = std::make_shared<ov::op::v0::Parameter>(
      ov::element::f32, ov::PartialShape{ov::Dimension::dynamic(), spec.inChannels, ov::Dimension::dynamic(),
                                         ov::Dimension::dynamic()});
  mel->set_friendly_name("mel");
  mel->output(0).get_tensor().set_names({"mel"});
  int64_t features = 0;
  const Out map = spec.backbone == "convnext_atto"  ? convNextGraph(b, mel, features)
                  : spec.backbone == "eca_nfnet_l0" ? ecaNfnetGraph(b, mel, features)
                                                    : efficientNetGraph(b, mel, *model::arch::efficientNetArch(spec.backbone), features);
  Out logits = spec.head == "sed" ? sedHeadGraph(b, map, features, spec.numClasses)
                                  : pooledHeadGraph(b, map, features, spec.numClasses);
  logits.get_node_shared_ptr()->set_friendly_name("logits_node");
  auto result = std::make_shared<ov::op::v0::Result>(logits);
  result->output(0).get_tensor().set_names({"logits"});
  const auto left = b.unused();
  if (!left.empty()) {
    std::string names;
    for (size_t i = 0; i < left.size() && i < 8; ++i) names += (i ? ", " : "") + left[i];
    throw InputError(weights.origin(), 0, std::to_string(left.size()) + " tensors the " + spec.backbone + "/" + spec.head +
                                              " model has no place for: " + names);
  }
  auto model = std::make_shared<ov::Model>(ov::ResultVector{result}, ov::ParameterVector{mel}, "chorus_" + spec.backbone);
  return model;
}

}  // namespace chorus::openvino
