// The training losses on clip logits: AsymmetricLoss (ASL) or BCE-with-logits, as LossOptions
// (options.hpp) chooses and documents.
#pragma once
#include "model/options.hpp"

#include <torch/torch.h>

namespace chorus::model {

// logits and targets of the same shape (N×K); targets in [0, 1], soft targets allowed.
torch::Tensor multiLabelLoss(const torch::Tensor& logits, const torch::Tensor& targets, const LossOptions& options);

torch::Tensor asymmetricLoss(const torch::Tensor& logits, const torch::Tensor& targets, const LossOptions& options);

}  // namespace chorus::model
