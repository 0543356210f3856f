// The torch side of an Ensemble (predict.hpp keeps it behind a pimpl). Private to src/infer.
#pragma once
#include <torch/torch.h>

#include "audio/mel_options.hpp"
#include "dataset/normalisation.hpp"
#include "infer/predict.hpp"
#include "model/classifier.hpp"

namespace chorus::infer {

struct Ensemble::Impl {
  std::vector<ModelInfo> infos;
  mutable std::vector<model::Classifier> nets;     // eval mode, on `device` (forward is not const)
  std::vector<dataset::Normalisation> norms;       // per model
  std::vector<std::string> classes;
  std::vector<size_t> group;                       // per model: its feature group
  std::vector<std::map<std::string, std::string>> groupFeatures;  // per group: mel keys (MelOptions::describe)
  std::vector<audio::MelOptions> groupMel;
  torch::Device device{torch::kCPU};
  int threads = 1;
  bool channelsLast = false;  // inputs go in as NHWC too (EnsembleOptions::channelsLast)
};

// Moves each eval-mode BatchNorm (model::TfBatchNorm2d) into the convolution that feeds it, which
// gains a bias; the BatchNorm then passes its input through. Inference only (Ensemble::load).
// Returns how many were folded.
int foldBatchNorms(torch::nn::Module& module);

}  // namespace chorus::infer
