#include "model/options.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace chorus::model {
namespace {

constexpr const char* kTorchScriptPrefix = "torchscript:";

void requireRate(double value, const char* name) {
  if (!(value >= 0.0 && value < 1.0))
    throw UsageError(std::string("model: ") + name + " must lie in [0, 1), got " + std::to_string(value));
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const std::vector<std::string>& nativeBackbones() {
  static const std::vector<std::string> names = {"efficientnet_b0",  "efficientnetv2_b0", "convnext_atto",
                                                 "efficientnet_b3",  "efficientnetv2_s",  "eca_nfnet_l0"};
  return names;
}

bool ModelOptions::isTorchScript() const { return backbone.rfind(kTorchScriptPrefix, 0) == 0; }

std::string ModelOptions::torchScriptPath() const {
  return isTorchScript() ? backbone.substr(std::string(kTorchScriptPrefix).size()) : std::string();
}

void ModelOptions::validate() const {
  const auto& known = nativeBackbones();
  if (isTorchScript()) {
    if (torchScriptPath().empty()) throw UsageError("model: backbone \"torchscript:\" needs a file path");
  } else if (std::find(known.begin(), known.end(), backbone) == known.end()) {
    throw UsageError("model: unknown backbone \"" + backbone + "\" (known: " + joined(known) + ", torchscript:PATH)");
  }
  if (head != "sed" && head != "pooled" && head != "none")
    throw UsageError("model: unknown head \"" + head + "\" (known: sed, pooled, none)");
  if (head == "none" && !isTorchScript())
    throw UsageError("model: head \"none\" means a whole TorchScript model; backbone \"" + backbone + "\" needs a head");
  if (numClasses <= 0) throw UsageError("model: num_classes must be positive, got " + std::to_string(numClasses));
  if (inChannels <= 0) throw UsageError("model: in_channels must be positive, got " + std::to_string(inChannels));
  requireRate(dropRate, "drop_rate");
  requireRate(dropPathRate, "drop_path_rate");
  if (!(layerScaleInit > 0)) throw UsageError("model: layer_scale_init must be positive, got " + std::to_string(layerScaleInit));
  if (!backboneWeights.empty() && isTorchScript())
    throw UsageError("model: backbone_weights is for native backbones; a TorchScript file carries its own");
}

void LossOptions::validate() const {
  if (gammaNeg < 0 || gammaPos < 0) throw UsageError("loss: gamma_neg and gamma_pos must be >= 0");
  if (!(clip >= 0 && clip < 1)) throw UsageError("loss: clip must lie in [0, 1), got " + std::to_string(clip));
  if (!(eps > 0 && eps < 1)) throw UsageError("loss: eps must lie in (0, 1), got " + std::to_string(eps));
}

LossKind parseLossKind(const std::string& name) {
  if (name == "asl" || name == "asymmetric") return LossKind::Asymmetric;
  if (name == "bce") return LossKind::Bce;
  throw UsageError("loss: unknown kind \"" + name + "\" (known: asl, bce)");
}

}  // namespace chorus::model
