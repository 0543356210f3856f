// Backbones: log-mel spectrogram N×C×F×T in, feature map N×D×F'×T' out (F' frequency, T' time).
// Parameter names follow timm, so a timm state_dict loads by name (checkpoint.hpp):
//
//   efficientnet_b0  timm tf_efficientnet_b0(in_chans, num_classes=0): conv_stem, bn1,
//                    blocks.S.B.{conv_pw,bn1,conv_dw,bn2,se.conv_reduce,se.conv_expand,conv_pwl,bn3},
//                    conv_head, bn2. Names identical; timm's classifier.* is not part of a backbone.
//   efficientnetv2_b0  timm tf_efficientnetv2_b0(in_chans, num_classes=0): conv_stem, bn1,
//                    blocks.0.0.{conv,bn1} (ConvBnAct), blocks.1-2.B.{conv_exp,bn1,conv_pwl,bn2}
//                    (Fused-MBConv), blocks.3-5.B as B0's MBConv, conv_head, bn2. Names identical.
//   efficientnet_b3, efficientnetv2_s  timm tf_efficientnet_b3 / tf_efficientnetv2_s: the same
//                    modules as B0 / V2-B0, more blocks and wider (arch.hpp). Names identical.
//   eca_nfnet_l0     timm eca_nfnet_l0(in_chans, num_classes=0): stem.conv1-4,
//                    stages.S.B.{downsample.conv,conv1,conv2,conv2b,conv3,attn_last.conv}, final_conv;
//                    each convolution weight, bias, gain (nfnet.cpp). Names identical.
//   convnext_atto    timm convnext_atto(in_chans, num_classes=0, head_norm_first=True): stem.0/1,
//                    stages.S.downsample.0/1, stages.S.blocks.B.{conv_dw,norm,mlp.fc1,mlp.fc2,gamma},
//                    norm_pre. Names identical. Plain convnext_atto (head_norm_first=False) norms
//                    after pooling in head.norm; loadBackboneWeights maps head.norm.* -> norm_pre.*
//                    (per-position LayerNorm, then pooling: our heads need the map, not a vector).
//
// The second family (the default pair is efficientnet_b0 + efficientnetv2_b0): EfficientNetV2-B0.
// Its first three stages are full 3×3 convolutions (ConvBnAct, Fused-MBConv) where B0 has depthwise
// ones with squeeze-excitation, 3×3 kernels only (B0 mixes in 5×5), 5.9 M parameters; on CPU one
// forward of 48 windows takes 1.09 s at one thread against B0's 1.91 s (timm, eager). ConvNeXt-Atto,
// the first choice (patchify stem, 7×7 depthwise, LayerNorm, no BatchNorm: the most different bias),
// does not learn from scratch at the scale of our synthetic data: timm's own convnext_atto in a plain
// PyTorch loop stayed at clip AUC 0.56-0.63 after 5 epochs on the small preset (lr 1e-3 or 2e-4,
// layer scale 1e-6 or 1, overlapping stem, standardised input: all stuck at the class prior), where
// tf_efficientnetv2_b0 reached 0.95 after 2 and tf_efficientnet_b0 0.94 after 3
// (tools/timm_learning_check.py). It stays available for pretrained weights and long runs.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace chorus::model {

class Backbone : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& mel) = 0;
  virtual int64_t numFeatures() const = 0;
  // Stochastic-depth probability of each block, in block order (empty where unknown).
  virtual std::vector<double> dropPathRates() const { return {}; }
};

// Any EfficientNet of arch::efficientNetArch by its backbone name (efficientnet_b0, efficientnet_b3,
// efficientnetv2_b0, efficientnetv2_s); std::invalid_argument for another name.
std::shared_ptr<Backbone> makeEfficientNet(const std::string& name, int64_t inChannels, double dropPathRate);
std::shared_ptr<Backbone> makeEfficientNetB0(int64_t inChannels, double dropPathRate);
std::shared_ptr<Backbone> makeEfficientNetV2B0(int64_t inChannels, double dropPathRate);
std::shared_ptr<Backbone> makeConvNextAtto(int64_t inChannels, double dropPathRate, double layerScaleInit = 1e-6);  // timm: 1e-6
std::shared_ptr<Backbone> makeEcaNfnetL0(int64_t inChannels, double dropPathRate);
// A native backbone (options.hpp's nativeBackbones()) by name; UsageError for another name.
std::shared_ptr<Backbone> makeNativeBackbone(const std::string& name, int64_t inChannels, double dropPathRate,
                                             double layerScaleInit = 1e-6);

// A TorchScript module as a backbone. Features: forward_features(x) if the module has it (timm
// models scripted whole do), else forward(x), must give N×D×F'×T'. WholeModel: forward(x) gives
// clip logits N×K. Its parameters and buffers are registered under their own names (shared, not
// copied), so optimizers, checkpoints, train()/eval() and to(device) reach them.
enum class ScriptRole { Features, WholeModel };
std::shared_ptr<Backbone> makeTorchScriptBackbone(const std::string& path, ScriptRole role, int64_t inChannels);

}  // namespace chorus::model
