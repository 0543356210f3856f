// A Classifier is a backbone plus a head; makeModel builds one from ModelOptions. Parameter names
// are "backbone.<timm name>" and "head.<head name>". Models are built on the CPU with the global
// torch generator (seed it for reproducible weights); move them with ->to(device).
#pragma once
#include "model/backbone.hpp"
#include "model/heads.hpp"
#include "model/options.hpp"

#include <torch/torch.h>

namespace chorus::model {

class ClassifierImpl : public torch::nn::Module {
 public:
  ClassifierImpl(std::shared_ptr<Backbone> backbone, std::shared_ptr<Head> head);

  torch::Tensor forward(const torch::Tensor& mel);  // N×K clip logits
  HeadOutput forwardAll(const torch::Tensor& mel);  // clip, frame logits, attention
  torch::Tensor frameLogits(const torch::Tensor& mel);  // N×K×T'; Error for a head without frames

  Backbone& backbone() { return *backbone_; }
  Head& head() { return *head_; }

 private:
  std::shared_ptr<Backbone> backbone_;
  std::shared_ptr<Head> head_;
};
TORCH_MODULE(Classifier);

// Validates the options (UsageError), builds the backbone (and loads options.backboneWeights
// into it when given) and the head.
Classifier makeModel(const ModelOptions& options);

}  // namespace chorus::model
