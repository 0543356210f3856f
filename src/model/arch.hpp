// The native backbones' architectures as plain tables, no torch: the libtorch modules
// (efficientnet.cpp, convnext.cpp, nfnet.cpp) and the OpenVINO graph builder (src/openvino) both build from
// these, so the two engines cannot drift apart in structure.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::model::arch {

// One stage of timm's arch_def string, e.g. ir_r2_k3_s2_e6_c24: kind, repeats, kernel, stride,
// expansion, output channels (depth and width multipliers 1.0). Squeeze-excitation (se0.25) comes
// with the ds and ir kinds in every model here and with no other.
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

// tf_efficientnetv2_s (_gen_efficientnetv2_s): cn_r2_k3_s1_e1_c24_skip, er_r4_k3_s2_e4_c48,
// er_r4_k3_s2_e4_c64, ir_r6_k3_s2_e4_c128_se0.25, ir_r9_k3_s1_e6_c160_se0.25, ir_r15_k3_s2_e6_c256_se0.25.
inline const StageList& v2sStages() {
  static const StageList s = {{Kind::ConvBnAct, 2, 3, 1, 1, 24},         {Kind::EdgeResidual, 4, 3, 2, 4, 48},
                              {Kind::EdgeResidual, 4, 3, 2, 4, 64},      {Kind::InvertedResidual, 6, 3, 2, 4, 128},
                              {Kind::InvertedResidual, 9, 3, 1, 6, 160}, {Kind::InvertedResidual, 15, 3, 2, 6, 256}};
  return s;
}

// timm's make_divisible(v, divisor 8, round_limit 0.9): the nearest multiple of 8 (halves up), at
// least 8, and one step up where rounding down lost more than 10%.
inline int64_t makeDivisible(double v, int64_t divisor = 8) {
  int64_t out = std::max<int64_t>(divisor, static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(out) < 0.9 * v) out += divisor;
  return out;
}

// One EfficientNet: the arch_def at multipliers 1.0, timm's width (channel) and depth multipliers,
// and the stem and head widths before the width multiplier.
struct EfficientNetArch {
  const StageList* stages;
  double width, depth;
  int64_t stem, head;

  // timm's round_channels: every block's output, the stem and the head scale with the width.
  int64_t channels(int64_t c) const { return makeDivisible(static_cast<double>(c) * width); }
  // timm's _scale_stage_depth (depth_trunc 'ceil', one block kind per stage): ceil(repeats × depth).
  int repeats(int r) const { return static_cast<int>(std::ceil(static_cast<double>(r) * depth)); }
  int64_t stemChannels() const { return channels(stem); }
  int64_t headChannels() const { return channels(head); }
  // The stages as built: channels and repeats scaled.
  StageList scaledStages() const {
    StageList out = *stages;
    for (auto& s : out) {
      s.channels = static_cast<int>(channels(s.channels));
      s.repeats = repeats(s.repeats);
    }
    return out;
  }
};

// The EfficientNets chorus builds, by backbone name (options.hpp), or nullptr for another name.
//   efficientnet_b0    tf_efficientnet_b0    width 1.0, depth 1.0, stem 32, head 1280
//   efficientnet_b3    tf_efficientnet_b3    width 1.2, depth 1.4 (stem 40, head 1536 after rounding)
//   efficientnetv2_b0  tf_efficientnetv2_b0  stem 32, head 1280
//   efficientnetv2_s   tf_efficientnetv2_s   stem 24, head 1280
inline const EfficientNetArch* efficientNetArch(const std::string& backbone) {
  static const EfficientNetArch b0{&b0Stages(), 1.0, 1.0, 32, 1280}, b3{&b0Stages(), 1.2, 1.4, 32, 1280},
      v2b0{&v2b0Stages(), 1.0, 1.0, 32, 1280}, v2s{&v2sStages(), 1.0, 1.0, 24, 1280};
  if (backbone == "efficientnet_b0") return &b0;
  if (backbone == "efficientnet_b3") return &b3;
  if (backbone == "efficientnetv2_b0") return &v2b0;
  if (backbone == "efficientnetv2_s") return &v2s;
  return nullptr;
}

// Squeeze-excitation sized from the block's input channels (timm's se_from_exp=False rule for
// these models): reduced = round(in * 0.25). Every width here is a multiple of 8, so no half ever
// meets Python's round-half-even.
inline int64_t seChannels(int64_t in) { return std::lround(static_cast<double>(in) * 0.25); }

// The residual connection exists only where a block keeps the shape.
inline bool hasSkip(int64_t in, int64_t out, int64_t stride) { return stride == 1 && in == out; }

// convnext_atto: dims 40-80-160-320, depths 2-2-6-2, 4×4 stride-4 patchify stem, 2×2 stride-2
// downsampling, 7×7 depthwise convolutions, MLP ratio 4, LayerNorm eps 1e-6.
constexpr int64_t kConvNextDims[] = {40, 80, 160, 320};
constexpr int kConvNextDepths[] = {2, 2, 6, 2};
constexpr double kConvNextNormEps = 1e-6;

// eca_nfnet_l0 (timm nfnet.py, model_cfgs['eca_nfnet_l0']): a "deep_quad" stem of four 3×3
// convolutions (16 s2, 32, 64, 128 s2), stages of NormFreeBlocks (depths 1-2-6-3, widths
// 256-512-1536-1536, the first stride 1, the rest 2), a 1×1 final convolution to 2304, SiLU. Every
// convolution is a ScaledStdConv2d (weight standardised per output channel, eps 1e-5, times
// gain × gamma / sqrt(fan_in), gamma SiLU's 1.7881293296813965; symmetric padding, bias).
// Blocks: bottleneck 0.25 of the output (groups of 64 channels), an extra 3×3 (conv2b), ECA after
// conv3 with gain 2, residual scaled by alpha 0.2, input by beta = 1/sqrt(expected variance).
namespace nfnet {
constexpr int kDepths[] = {1, 2, 6, 3};
constexpr int64_t kChannels[] = {256, 512, 1536, 1536};
constexpr int64_t kStemChannels[] = {16, 32, 64, 128};
constexpr int64_t kStemStrides[] = {2, 1, 1, 2};
constexpr int64_t kGroupSize = 64, kFeatures = 2304;
constexpr double kAlpha = 0.2, kAttnGain = 2.0, kBottleRatio = 0.25;
constexpr double kActGamma = 1.7881293296813965;  // timm's _nonlin_gamma['silu']
constexpr double kStdConvEps = 1e-5;

inline int totalBlocks() { return kDepths[0] + kDepths[1] + kDepths[2] + kDepths[3]; }
inline int64_t stageStride(int stage) { return stage == 0 ? 1 : 2; }  // the stem already has stride 4
// The bottleneck width: make_divisible(out × 0.25, 8), then a whole number of groups of 64.
inline int64_t midChannels(int64_t out) { return makeDivisible(static_cast<double>(out) * kBottleRatio) / kGroupSize * kGroupSize; }
inline int64_t groups(int64_t out) { return midChannels(out) / kGroupSize; }
// timm's get_padding(kernel, stride): ((stride - 1) + (kernel - 1)) / 2, on every side.
inline int64_t padding(int64_t kernel, int64_t stride) { return ((stride - 1) + (kernel - 1)) / 2; }
// EcaModule's adaptive kernel (gamma 2, beta 1): t = int(|log2(C) + 1| / 2), made odd, at least 3.
inline int64_t ecaKernel(int64_t channels) {
  const auto t = static_cast<int64_t>(std::abs(std::log2(static_cast<double>(channels)) + 1.0) / 2.0);
  return std::max<int64_t>(t % 2 ? t : t + 1, 3);
}
// The beta of block `block` of stage `stage`: 1/sqrt(expected variance), the variance growing by
// alpha² per block and reset to 1 after each stage's first block (NormFreeNet.__init__).
inline double beta(int stage, int block) {
  double expected = 1.0;
  for (int s = 0; s <= stage; ++s)
    for (int b = 0; b < kDepths[s]; ++b) {
      if (s == stage && b == block) return 1.0 / std::pow(expected, 0.5);
      if (b == 0) expected = 1.0;
      expected += kAlpha * kAlpha;
    }
  return 1.0;
}
// Stochastic depth of block `index` (over all stages): linspace(0, rate, blocks), as timm's
// calculate_drop_path_rates (the last block gets the full rate, unlike the EfficientNets').
inline double dropPath(double rate, int index) { return rate * index / (totalBlocks() - 1); }
}  // namespace nfnet

// timm's tf_ BatchNorm eps (TensorFlow's).
constexpr double kTfBatchNormEps = 1e-3;

}  // namespace chorus::model::arch
