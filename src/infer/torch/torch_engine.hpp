// The libtorch engine's torch side, for the tests that look inside it. Built only with
// CHORUS_WITH_TORCH; nothing else in src/infer includes torch headers.
#pragma once
#include <torch/torch.h>

#include "infer/engine.hpp"
#include "model/classifier.hpp"

namespace chorus::infer {

// The Classifier a torch engine runs (folded, channels-last as loaded); null for another engine.
const model::Classifier* torchNetOf(const Engine& engine);

// Moves each eval-mode BatchNorm (model::TfBatchNorm2d) into the convolution that feeds it, which
// gains a bias; the BatchNorm then passes its input through. Inference only (loadTorchEngine).
// Returns how many were folded.
int foldBatchNorms(torch::nn::Module& module);

}  // namespace chorus::infer
