#include "model/loss.hpp"

#include "core/error.hpp"

namespace chorus::model {
namespace {

torch::Tensor reduce(const torch::Tensor& perElement, Reduction reduction) {
  return reduction == Reduction::Sum ? perElement.sum() : perElement.mean();
}

// base^gamma as a focusing weight; gamma 0 is the constant 1 (no pow, no 0^0 gradient question).
torch::Tensor focus(const torch::Tensor& base, double gamma, bool detach) {
  if (gamma == 0.0) return torch::ones_like(base);
  auto w = base.pow(gamma);
  return detach ? w.detach() : w;
}

}  // namespace

torch::Tensor asymmetricLoss(const torch::Tensor& logits, const torch::Tensor& targets, const LossOptions& o) {
  const auto p = torch::sigmoid(logits);
  // Probability shifting: easy negatives (p <= clip) contribute nothing.
  const auto pm = o.clip > 0 ? (p - o.clip).clamp_min(0.0) : p;
  const auto logPos = p.clamp_min(o.eps).log();
  const auto logNeg = (1.0 - pm).clamp_min(o.eps).log();
  const auto pos = targets * focus(1.0 - p, o.gammaPos, o.detachFocalWeight) * logPos;
  const auto neg = (1.0 - targets) * focus(pm, o.gammaNeg, o.detachFocalWeight) * logNeg;
  return reduce(-(pos + neg), o.reduction);
}

torch::Tensor multiLabelLoss(const torch::Tensor& logits, const torch::Tensor& targets, const LossOptions& o) {
  if (logits.sizes() != targets.sizes())
    throw Error("loss: logits " + c10::str(logits.sizes()) + " and targets " + c10::str(targets.sizes()) +
                " differ in shape");
  if (o.kind == LossKind::Bce) {
    const auto perElement = torch::binary_cross_entropy_with_logits(logits, targets, {}, {}, at::Reduction::None);
    return reduce(perElement, o.reduction);
  }
  return asymmetricLoss(logits, targets, o);
}

}  // namespace chorus::model
