// Distillation from a teacher store (store/teacher_store.hpp) into our student, added to the
// supervised loss, as the 2026 BirdCLEF winners distilled Perch:
//
//   soft    per (window, class) where the teacher has a value: the binary KL divergence between
//           the teacher's tempered probability q = sigmoid(logit(p) / T) and the student's
//           s = sigmoid(z / T), times T^2 (Hinton's scaling: the gradient, T (s - q), keeps its size
//           as T changes); the mean over those elements. Our outputs are independent sigmoids
//           (multi-label), so each class is its own two-way distribution; a class the teacher lacks
//           (NaN) adds nothing, nor does a window it did not score. p is clamped to [1e-6, 1 - 1e-6].
//   cosine  where the store has embeddings: 1 - cos(projection(pooled student features), teacher
//           embedding), the mean over the windows that have one; the projection is a small head of
//           our own (one linear layer, trained with the student, not part of the inference model).
//   total   supervised + weight * (soft + embeddingWeight * cosine).
// Tested against the same formulas written independently in PyTorch (tools/make_distillation_fixture.py).
#pragma once
#include <torch/torch.h>

#include "model/distillation_options.hpp"

namespace chorus::model {

inline constexpr double kDistillEps = 1e-6;

// studentLogits N x K; teacherProbs N x K in [0, 1], NaN where the teacher has no value.
torch::Tensor softTargetLoss(const torch::Tensor& studentLogits, const torch::Tensor& teacherProbs, double temperature);

// projected, teacherEmbeddings N x D; hasEmbedding N (1: the window has a teacher embedding).
torch::Tensor embeddingLoss(const torch::Tensor& projected, const torch::Tensor& teacherEmbeddings,
                            const torch::Tensor& hasEmbedding);

// The student's embedding: backbone features N x C x F' x T' averaged over frequency and time (N x C).
torch::Tensor pooledFeatures(const torch::Tensor& features);

// Student embedding (C) -> the teacher's embedding space (D).
class ProjectionHeadImpl : public torch::nn::Module {
 public:
  ProjectionHeadImpl(int64_t studentChannels, int64_t teacherDim);
  torch::Tensor forward(const torch::Tensor& pooled);
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(ProjectionHead);

struct DistillTerms {
  torch::Tensor total, soft, cosine;  // cosine: 0 without embeddings
};

// The batch's terms. Without a head or teacher embeddings (undefined tensors), no cosine term.
DistillTerms distillationLoss(const torch::Tensor& supervised, const torch::Tensor& studentLogits,
                              const torch::Tensor& teacherProbs, const DistillOptions& options,
                              ProjectionHead head = nullptr, const torch::Tensor& studentFeatures = {},
                              const torch::Tensor& teacherEmbeddings = {}, const torch::Tensor& hasEmbedding = {});

}  // namespace chorus::model
