// Layer-wise learning-rate decay (BEiT, timm's param_groups_layer_decay): parameters are grouped
// by depth, lr_scale = decay^(num_blocks - layer), so the stem (layer 0) learns slowest and the
// last block and the head (layer num_blocks) at the full rate. Blocks are found by timm's names:
//   stem:   conv_stem.*, bn1.* (EfficientNet), stem.* (ConvNeXt)
//   blocks: blocks.S.B.* (EfficientNet), stages.S.blocks.B.* (ConvNeXt; stages.S.downsample.*
//           joins block 0 of its stage), numbered 1..num_blocks in (S, B) order
//   head:   everything else (conv_head, bn2, norm_pre, our heads, a TorchScript classifier)
// so TorchScript timm models group like our own. As in timm, 1-D parameters (biases, norms,
// layer scales) get no weight decay; parameters that do not require grad are left out.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

namespace chorus::model {

struct ParamGroup {
  int layer = 0;  // 0 = stem ... numBlocks = last block and head
  double lrScale = 1.0;
  double weightDecay = 0.0;
  std::vector<std::string> names;
  std::vector<torch::Tensor> params;
};

// model: a Classifier (its "backbone." prefix is looked through) or a bare backbone. Groups come
// ordered by layer, then with weight decay before without; every trainable parameter is in
// exactly one group.
std::vector<ParamGroup> layerDecayGroups(const torch::nn::Module& model, double layerDecay, double weightDecay);

// The groups as AdamW parameter groups: lr = base.lr() * lrScale, weight_decay per group, the
// rest of base (betas, eps) as given. Same order as `groups`, so a learning-rate schedule sets
// group i's lr to schedule(step) * groups[i].lrScale.
std::vector<torch::optim::OptimizerParamGroup> adamwParamGroups(const std::vector<ParamGroup>& groups,
                                                                const torch::optim::AdamWOptions& base);

}  // namespace chorus::model
