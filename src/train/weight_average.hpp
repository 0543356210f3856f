// Exponential moving average of a model's weights (chorus train --ema-decay D): after every
// optimizer step, for every floating-point parameter and buffer,
//   average = D * average + (1 - D) * model,
// started as a copy of the model before the first step. BatchNorm running statistics are averaged
// like the weights (timm's ModelEmaV2 rule, the one most BirdCLEF solutions used): the statistics
// then belong to the averaged trajectory, as the averaged weights do, rather than to the last ~10
// steps of the training weights alone (momentum 0.1). Integer buffers (num_batches_tracked) are
// copied. Under data parallelism every rank holds the same weights, so the average is kept locally;
// its buffers, like the model's, differ between ranks during an epoch and are averaged over the
// group where the model's are (linear: the group mean of the averages is the average of the group
// means).
#pragma once
#include <torch/torch.h>

namespace chorus::train {

// average <- model, every parameter and buffer (the same module structure).
void copyWeights(torch::nn::Module& average, const torch::nn::Module& model);
// One step of the moving average, by the rule above.
void updateAverage(torch::nn::Module& average, const torch::nn::Module& model, double decay);

}  // namespace chorus::train
