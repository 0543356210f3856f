#include "train/weight_average.hpp"

#include "core/error.hpp"
#include "model/checkpoint.hpp"

namespace chorus::train {
namespace {

// The model's tensors by name, one for each of the average's (the same structure, or an Error).
template <class Apply>
void pairwise(torch::nn::Module& average, const torch::nn::Module& model, Apply apply) {
  const model::NamedTensors from = model::namedState(model), to = model::namedState(average);
  if (from.size() != to.size()) throw Error("weight average: the average and the model differ in structure");
  torch::NoGradGuard noGrad;
  for (const auto& [name, target] : to) {
    auto it = from.find(name);
    if (it == from.end()) throw Error("weight average: the model has no " + name);
    torch::Tensor t = target;  // a handle on the module's own storage
    apply(t, it->second);
  }
}

}  // namespace

void copyWeights(torch::nn::Module& average, const torch::nn::Module& model) {
  pairwise(average, model, [](torch::Tensor& a, const torch::Tensor& m) { a.copy_(m); });
}

void updateAverage(torch::nn::Module& average, const torch::nn::Module& model, double decay) {
  pairwise(average, model, [decay](torch::Tensor& a, const torch::Tensor& m) {
    if (a.is_floating_point()) a.mul_(decay).add_(m, 1 - decay);
    else a.copy_(m);
  });
}

}  // namespace chorus::train
