// The native backbones' architectures as plain tables, no torch: the libtorch modules
// (efficientnet.cpp, convnext.cpp) and the OpenVINO graph builder (src/openvino) both build from
// these, so the two engines cannot drift apart in structure.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

namespace chorus::model::arch {

// One stage of timm's arch_def string, e.g. ir_r2_k3_s2_e6_c24: kind, repeats, kernel, stride,
// expansion, output channels (depth and width multipliers 1.0). Squeeze-excitation (se0.25) comes
// with the ds and ir kinds in both models and with no other.
enum class Kind { ConvBnAct, DepthwiseSeparable, EdgeResidual, InvertedResidual };
struct StageSpec {
  Kind kind;
  int repeats, kernel, stride, expand, channels;
};
using StageList = std::vector<StageSpec>;

// tf_efficientnet_b0: ds_r1_k3_s1_e1_c16, ir_r2_k3_s2_e6_c24, ir_r2_k5_s2_e6_c40, ir_r3_k3_s2_e6_c80,
// ir_r3_k5_s1_e6_c112, ir_r4_k5_s2_e6_c192, ir_r1_k3_s1_e6_c320.
inline const StageList& b0Stages() {
  static const StageList s = {{Kind::DepthwiseSeparable, 1, 3, 1, 1, 16}, {Kind::InvertedResidual, 2, 3, 2, 6, 24},
                              {Kind::InvertedResidual, 2, 5, 2, 6, 40},   {Kind::InvertedResidual, 3, 3, 2, 6, 80},
                              {Kind::InvertedResidual, 3, 5, 1, 6, 112},  {Kind::InvertedResidual, 4, 5, 2, 6, 192},
                              {Kind::InvertedResidual, 1, 3, 1, 6, 320}};
  return s;
}

// tf_efficientnetv2_b0 (efficientnetv2_base): cn_r1_k3_s1_e1_c16_skip, er_r2_k3_s2_e4_c32,
// er_r2_k3_s2_e4_c48, ir_r3_k3_s2_e4_c96_se0.25, ir_r5_k3_s1_e6_c112_se0.25, ir_r8_k3_s2_e6_c192_se0.25.
inline const StageList& v2b0Stages() {
  static const StageList s = {{Kind::ConvBnAct, 1, 3, 1, 1, 16},         {Kind::EdgeResidual, 2, 3, 2, 4, 32},
                              {Kind::EdgeResidual, 2, 3, 2, 4, 48},      {Kind::InvertedResidual, 3, 3, 2, 4, 96},
                              {Kind::InvertedResidual, 5, 3, 1, 6, 112}, {Kind::InvertedResidual, 8, 3, 2, 6, 192}};
  return s;
}

// The stem (3×3 stride 2) and head (1×1) convolutions' widths of both EfficientNets.
constexpr int64_t kEfficientNetStem = 32, kEfficientNetHead = 1280;

// Squeeze-excitation sized from the block's input channels (timm's se_from_exp=False rule for
// these models): reduced = round(in * 0.25).
inline int64_t seChannels(int64_t in) { return std::lround(static_cast<double>(in) * 0.25); }

// The residual connection exists only where a block keeps the shape.
inline bool hasSkip(int64_t in, int64_t out, int64_t stride) { return stride == 1 && in == out; }

// convnext_atto: dims 40-80-160-320, depths 2-2-6-2, 4×4 stride-4 patchify stem, 2×2 stride-2
// downsampling, 7×7 depthwise convolutions, MLP ratio 4, LayerNorm eps 1e-6.
constexpr int64_t kConvNextDims[] = {40, 80, 160, 320};
constexpr int kConvNextDepths[] = {2, 2, 6, 2};
constexpr double kConvNextNormEps = 1e-6;

// timm's tf_ BatchNorm eps (TensorFlow's).
constexpr double kTfBatchNormEps = 1e-3;

}  // namespace chorus::model::arch
