// The torch side of an Ensemble (predict.hpp keeps it behind a pimpl). Private to src/infer.
#pragma once
#include <torch/torch.h>

#include <memory>

#include "audio/mel_options.hpp"
#include "dataset/normalisation.hpp"
#include "infer/engine.hpp"
#include "infer/predict.hpp"
#include "model/classifier.hpp"
#include "train/checkpoint_dir.hpp"

namespace chorus::infer {

struct Ensemble::Impl {
  std::vector<ModelInfo> infos;
  // Per model: the Classifier, eval mode, on `device`, for the torch engine (null for openvino).
  mutable std::vector<model::Classifier> nets;
  mutable std::vector<std::unique_ptr<Engine>> engines;  // per model: what runs it (forward is not const)
  std::string engine = "torch", precision = "f32";   // as resolved (EnsembleOptions::engine)
  std::vector<dataset::Normalisation> norms;       // per model
  std::vector<std::string> classes;
  std::vector<size_t> group;                       // per model: its feature group
  std::vector<std::map<std::string, std::string>> groupFeatures;  // per group: mel keys (MelOptions::describe)
  std::vector<audio::MelOptions> groupMel;
  torch::Device device{torch::kCPU};
  int threads = 1;
  bool channelsLast = false;  // inputs go in as NHWC too (EnsembleOptions::channelsLast)
};

// A job folder's checkpoint (through `pointer`, else last.json) or a checkpoint directory itself;
// InputError naming the folder when there is none.
std::filesystem::path resolveCheckpoint(const std::filesystem::path& dir, const std::string& pointer);
// The model's name: the job folder's ("efficientnet_b0-f0"), for `given` a job or a checkpoint folder.
std::string modelName(const std::filesystem::path& given, const std::filesystem::path& checkpoint);

// What a checkpoint's state.json says the model is (its config), with K = numClasses outputs.
model::ModelOptions modelOptionsOf(const train::TrainState& state, int numClasses);

// The libtorch engine: the Classifier's forward on `device` (channels-last input when asked).
std::unique_ptr<Engine> makeTorchEngine(model::Classifier net, torch::Device device, bool channelsLast);

// The OpenVINO IR of checkpoint `dir`: model.xml/.bin beside it, exported first (from
// model.safetensors, itself exported from weights.pt under the contract's names when missing)
// when absent or older than the weights. A read-only checkpoint folder (a Kaggle dataset) gets its
// IR in a cache folder under the temporary directory instead. Returns the .xml.
std::filesystem::path openVinoIr(const std::filesystem::path& dir, const model::ModelOptions& mo);

// The OpenVINO engine on the CPU (UsageError in a build without OpenVINO, or bf16 on a CPU without it).
// The window's shape (mel.nMels x the frames of 5 s) is fixed at compile time, the batch stays free.
// InputError when the IR gives other than `classes` outputs.
std::unique_ptr<Engine> makeOpenVinoEngine(const std::filesystem::path& xml, int threads, bool bf16,
                                           const audio::MelOptions& mel, int64_t classes);

// Moves each eval-mode BatchNorm (model::TfBatchNorm2d) into the convolution that feeds it, which
// gains a bias; the BatchNorm then passes its input through. Inference only (Ensemble::load).
// Returns how many were folded.
int foldBatchNorms(torch::nn::Module& module);

}  // namespace chorus::infer
