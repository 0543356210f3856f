// What a model and its loss are made of, as plain structs: no torch here, so that cli, config
// files and the stages' option structs can carry them without compiling torch headers.
#pragma once
#include <string>
#include <vector>

namespace chorus::model {

// backbone:
//   "efficientnet_b0"  timm's tf_efficientnet_b0 block structure (state_dict names identical)
//   "efficientnetv2_b0" timm's tf_efficientnetv2_b0 block structure (state_dict names identical)
//   "convnext_atto"    timm's convnext_atto with head_norm_first (see backbone.hpp)
//   "efficientnet_b3"  timm's tf_efficientnet_b3 (state_dict names identical)
//   "efficientnetv2_s" timm's tf_efficientnetv2_s (state_dict names identical)
//   "eca_nfnet_l0"     timm's eca_nfnet_l0 (state_dict names identical)
//   "torchscript:PATH" any TorchScript module: its forward_features (else forward) gives the
//                      N×C×F×T feature map; with head "none" its forward gives the clip logits.
// head:
//   "sed"    attention head over time (frame logits + attention-pooled clip logits)
//   "pooled" global average pool + dropout + linear
//   "none"   the TorchScript module is the whole model (only with "torchscript:")
struct ModelOptions {
  std::string backbone = "efficientnet_b0";
  std::string head = "sed";
  int numClasses = 234;
  int inChannels = 1;           // log-mel input: N×1×n_mels×T
  // Head dropout and stochastic depth of the last block (linear over blocks). PANNs-style SED models
  // use 0.5 and 0.2 for long runs; on the small synthetic set (tools/learning_check.sh, 4 epochs,
  // no augmentation) EfficientNetV2-B0 reached clip AUC 0.84 with 0.1/0.05 against 0.75 with 0.5/0.2.
  double dropRate = 0.1;
  double dropPathRate = 0.05;
  // ConvNeXt's initial layer scale (gamma of every block). timm's 1e-6 suits 300 ImageNet epochs;
  // trained from scratch for a few hundred steps, gamma grows by about lr per Adam step (less under
  // layer decay), so the blocks stay identities and the backbone is little more than its patchify
  // convolutions: on the small synthetic set it never left the all-negative prior (see convnext.cpp).
  double layerScaleInit = 0.1;
  std::string backboneWeights;  // optional torch.save'd timm state_dict loaded into the backbone

  // Throws UsageError naming the offending field (unknown backbone, rates out of [0, 1), ...).
  void validate() const;
  bool isTorchScript() const;
  std::string torchScriptPath() const;  // the PATH of "torchscript:PATH"
};

// The backbone names makeModel builds itself (torchscript: aside).
const std::vector<std::string>& nativeBackbones();

enum class LossKind { Asymmetric, Bce };
enum class Reduction { Mean, Sum };

// Multi-label loss on logits. Asymmetric is ASL (arXiv 2009.14119):
//   p = sigmoid(x), p_m = max(p - clip, 0)
//   loss = -[ y (1-p)^gammaPos log p + (1-y) p_m^gammaNeg log(1-p_m) ], logs floored at eps.
// For 0/1 targets this is exactly the authors' AsymmetricLoss; for soft targets (pseudo-labels)
// it is the expectation over y of the hard-label loss (the authors' code instead mixes the two
// focusing weights into one). Reduction Sum is the authors' (-loss.sum()); Mean divides by the
// number of elements N×K, which keeps the scale independent of batch size and class count.
struct LossOptions {
  LossKind kind = LossKind::Asymmetric;
  double gammaNeg = 4.0, gammaPos = 0.0, clip = 0.05, eps = 1e-8;
  Reduction reduction = Reduction::Mean;
  // The authors' default: no gradient flows through the focusing weights (they act as constants).
  bool detachFocalWeight = true;

  void validate() const;
};

LossKind parseLossKind(const std::string& name);  // "asl" | "bce"; UsageError otherwise

}  // namespace chorus::model
