#include "model/classifier.hpp"

#include "core/error.hpp"
#include "model/arch.hpp"
#include "model/checkpoint.hpp"

namespace chorus::model {

ClassifierImpl::ClassifierImpl(std::shared_ptr<Backbone> backbone, std::shared_ptr<Head> head)
    : backbone_(register_module("backbone", std::move(backbone))), head_(register_module("head", std::move(head))) {}

HeadOutput ClassifierImpl::forwardAll(const torch::Tensor& mel) {
  if (mel.dim() != 4)
    throw Error("model input must be N×C×mels×frames, got shape " + c10::str(mel.sizes()));
  return head_->forward(backbone_->forward(mel));
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& mel) { return forwardAll(mel).clip; }

torch::Tensor ClassifierImpl::frameLogits(const torch::Tensor& mel) {
  auto out = forwardAll(mel);
  if (!out.frames.defined()) throw Error("this model (a whole TorchScript model) gives no frame logits");
  return out.frames;
}

std::shared_ptr<Backbone> makeNativeBackbone(const std::string& name, int64_t inChannels, double dropPathRate,
                                             double layerScaleInit) {
  if (arch::efficientNetArch(name)) return makeEfficientNet(name, inChannels, dropPathRate);
  if (name == "convnext_atto") return makeConvNextAtto(inChannels, dropPathRate, layerScaleInit);
  if (name == "eca_nfnet_l0") return makeEcaNfnetL0(inChannels, dropPathRate);
  throw UsageError("model: no builder for backbone \"" + name + "\"");
}

namespace {

std::shared_ptr<Backbone> makeBackbone(const ModelOptions& o) {
  if (o.isTorchScript()) {
    const auto role = o.head == "none" ? ScriptRole::WholeModel : ScriptRole::Features;
    return makeTorchScriptBackbone(o.torchScriptPath(), role, o.inChannels);
  }
  auto backbone = makeNativeBackbone(o.backbone, o.inChannels, o.dropPathRate, o.layerScaleInit);
  if (!o.backboneWeights.empty()) loadBackboneWeights(*backbone, o.backboneWeights);
  return backbone;
}

std::shared_ptr<Head> makeHead(const ModelOptions& o, int64_t features) {
  if (o.head == "sed") return makeSedHead(features, o.numClasses, o.dropRate);
  if (o.head == "pooled") return makePooledHead(features, o.numClasses, o.dropRate);
  return makeLogitsHead(o.numClasses);
}

}  // namespace

Classifier makeModel(const ModelOptions& options) {
  options.validate();
  auto backbone = makeBackbone(options);
  auto head = makeHead(options, backbone->numFeatures());
  return Classifier(std::move(backbone), std::move(head));
}

}  // namespace chorus::model
