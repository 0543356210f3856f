// Backbones: log-mel spectrogram N×C×F×T in, feature map N×D×F'×T' out (F' frequency, T' time).
// Parameter names follow timm, so a timm state_dict loads by name (checkpoint.hpp):
//
//   efficientnet_b0  timm tf_efficientnet_b0(in_chans, num_classes=0): conv_stem, bn1,
//                    blocks.S.B.{conv_pw,bn1,conv_dw,bn2,se.conv_reduce,se.conv_expand,conv_pwl,bn3},
//                    conv_head, bn2. Names identical; timm's classifier.* is not part of a backbone.
//   convnext_atto    timm convnext_atto(in_chans, num_classes=0, head_norm_first=True): stem.0/1,
//                    stages.S.downsample.0/1, stages.S.blocks.B.{conv_dw,norm,mlp.fc1,mlp.fc2,gamma},
//                    norm_pre. Names identical. Plain convnext_atto (head_norm_first=False) norms
//                    after pooling in head.norm; loadBackboneWeights maps head.norm.* -> norm_pre.*
//                    (per-position LayerNorm, then pooling: our heads need the map, not a vector).
//
// Why ConvNeXt-Atto as the second family: a different inductive bias from EfficientNet's
// (4×4 patchify stem, 7×7 depthwise kernels, LayerNorm + GELU, layer scale, no squeeze-excitation,
// no BatchNorm), 3.4 M parameters, and on CPU it runs a 1×1×128×313 window faster than B0
// (numbers in the model layer's report; tests/model/bench_model_test.cpp measures them).
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

std::shared_ptr<Backbone> makeEfficientNetB0(int64_t inChannels, double dropPathRate);
std::shared_ptr<Backbone> makeConvNextAtto(int64_t inChannels, double dropPathRate, double layerScaleInit = 1e-6);  // timm: 1e-6

// A TorchScript module as a backbone. Features: forward_features(x) if the module has it (timm
// models scripted whole do), else forward(x), must give N×D×F'×T'. WholeModel: forward(x) gives
// clip logits N×K. Its parameters and buffers are registered under their own names (shared, not
// copied), so optimizers, checkpoints, train()/eval() and to(device) reach them.
enum class ScriptRole { Features, WholeModel };
std::shared_ptr<Backbone> makeTorchScriptBackbone(const std::string& path, ScriptRole role, int64_t inChannels);

}  // namespace chorus::model
