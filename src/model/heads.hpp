// Heads turn a backbone's feature map N×D×F×T into logits for K classes.
//
// SED (the attention head of the BirdCLEF sound-event-detection models, PANNs' AttBlockV2):
//   x = mean over frequency                 N×D×T
//   x = max_pool1d(x, 3) + avg_pool1d(x, 3)   (stride 1, padding 1: smooths over neighbour frames)
//   x = dropout(x); x = relu(fc1(x)) per frame; x = dropout(x)
//   frames    = att_block.cla(x)               N×K×T  (1×1 Conv1d: per-frame logits)
//   attention = softmax_T(tanh(att_block.att(x)))
//   clip      = sum_T(attention * frames)      N×K
// Pooled: clip = fc(dropout(mean over F and T)); frames = fc(mean over F) per frame (no dropout),
// whose mean over time is the clip logit in eval mode.
#pragma once
#include <torch/torch.h>

#include <memory>

namespace chorus::model {

struct HeadOutput {
  torch::Tensor clip;       // N×K clip logits
  torch::Tensor frames;     // N×K×T frame logits; undefined when the head has none
  torch::Tensor attention;  // N×K×T attention weights (SED only)
};

class Head : public torch::nn::Module {
 public:
  virtual HeadOutput forward(const torch::Tensor& features) = 0;
};

// hidden = 0: fc1 keeps the feature width, as in the reference SED models.
std::shared_ptr<Head> makeSedHead(int64_t inFeatures, int64_t numClasses, double dropRate, int64_t hidden = 0);
std::shared_ptr<Head> makePooledHead(int64_t inFeatures, int64_t numClasses, double dropRate);
// For a whole TorchScript model: its output already is N×K clip logits; checked, passed through.
std::shared_ptr<Head> makeLogitsHead(int64_t numClasses);

}  // namespace chorus::model
