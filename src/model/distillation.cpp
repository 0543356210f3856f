#include "model/distillation.hpp"

#include <cmath>

#include "core/error.hpp"

namespace chorus::model {

void DistillOptions::validate() const {
  if (!(weight >= 0) || !std::isfinite(weight)) throw UsageError("train: --distil-weight must be finite and >= 0");
  if (!(temperature > 0) || !std::isfinite(temperature)) throw UsageError("train: --distil-temperature must be > 0");
  if (!(embeddingWeight >= 0) || !std::isfinite(embeddingWeight))
    throw UsageError("train: the distillation embedding weight must be finite and >= 0");
}

torch::Tensor softTargetLoss(const torch::Tensor& z, const torch::Tensor& p, double T) {
  if (z.sizes() != p.sizes())
    throw Error("distillation: student logits " + c10::str(z.sizes()) + " and teacher " + c10::str(p.sizes()) +
                " differ in shape");
  const auto mask = torch::logical_not(torch::isnan(p));
  // NaN never enters the arithmetic (NaN * 0 is NaN, and would reach the gradient): 0.5 stands in, masked.
  const auto clamped = torch::where(mask, p, torch::full_like(p, 0.5)).clamp(kDistillEps, 1.0 - kDistillEps);
  const auto t = torch::log(clamped) - torch::log1p(-clamped);  // the teacher's logit
  const auto zt = z / T, tt = t / T;
  const auto q = torch::sigmoid(tt);
  // KL(q || s) per element = q (log q - log s) + (1 - q) (log(1 - q) - log(1 - s)), all through logsigmoid.
  const auto kl = q * (torch::log_sigmoid(tt) - torch::log_sigmoid(zt)) +
                  (1 - q) * (torch::log_sigmoid(-tt) - torch::log_sigmoid(-zt));
  const auto m = mask.to(z.scalar_type());
  return (kl * m).sum() / m.sum().clamp_min(1.0) * (T * T);
}

torch::Tensor embeddingLoss(const torch::Tensor& projected, const torch::Tensor& teacher, const torch::Tensor& has) {
  if (projected.sizes() != teacher.sizes() || has.dim() != 1 || has.size(0) != projected.size(0))
    throw Error("distillation: projected " + c10::str(projected.sizes()) + ", teacher embeddings " +
                c10::str(teacher.sizes()) + " and their mask " + c10::str(has.sizes()) + " do not fit");
  const auto cosine = torch::nn::functional::cosine_similarity(
      projected, teacher, torch::nn::functional::CosineSimilarityFuncOptions().dim(1).eps(1e-8));
  const auto m = has.to(projected.scalar_type());
  return ((1 - cosine) * m).sum() / m.sum().clamp_min(1.0);
}

torch::Tensor pooledFeatures(const torch::Tensor& features) {
  if (features.dim() != 4) throw Error("distillation: features must be N x C x F x T, got " + c10::str(features.sizes()));
  return features.mean({2, 3});
}

ProjectionHeadImpl::ProjectionHeadImpl(int64_t studentChannels, int64_t teacherDim)
    : fc(register_module("fc", torch::nn::Linear(studentChannels, teacherDim))) {}

torch::Tensor ProjectionHeadImpl::forward(const torch::Tensor& pooled) { return fc->forward(pooled); }

DistillTerms distillationLoss(const torch::Tensor& supervised, const torch::Tensor& studentLogits,
                              const torch::Tensor& teacherProbs, const DistillOptions& o, ProjectionHead head,
                              const torch::Tensor& studentFeatures, const torch::Tensor& teacherEmbeddings,
                              const torch::Tensor& hasEmbedding) {
  DistillTerms terms;
  terms.soft = softTargetLoss(studentLogits, teacherProbs, o.temperature);
  if (head && teacherEmbeddings.defined() && teacherEmbeddings.numel() > 0) {
    terms.cosine = embeddingLoss(head->forward(pooledFeatures(studentFeatures)), teacherEmbeddings, hasEmbedding);
  } else {
    terms.cosine = torch::zeros({}, studentLogits.options());
  }
  terms.total = supervised + o.weight * (terms.soft + o.embeddingWeight * terms.cosine);
  return terms;
}

}  // namespace chorus::model
