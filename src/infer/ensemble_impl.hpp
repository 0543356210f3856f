// The inside of an Ensemble (predict.hpp keeps it behind a pimpl): its models' engines, mel groups
// and normalisations. Private to src/infer. No torch: the torch engine lives in torch/ (built only
// with CHORUS_WITH_TORCH), so the OpenVINO path compiles and links without libtorch.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audio/mel_options.hpp"
#include "dataset/normalisation.hpp"
#include "infer/engine.hpp"
#include "infer/predict.hpp"
#include "model/options.hpp"
#include "train/checkpoint_state.hpp"

namespace chorus::infer {

struct Ensemble::Impl {
  std::vector<ModelInfo> infos;
  mutable std::vector<std::unique_ptr<Engine>> engines;  // per model: what runs it (forward is not const)
  std::string engine = "torch", precision = "f32";   // as resolved (EnsembleOptions::engine)
  std::vector<dataset::Normalisation> norms;       // per model
  std::vector<std::string> classes;
  std::vector<size_t> group;                       // per model: its feature group
  std::vector<std::map<std::string, std::string>> groupFeatures;  // per group: mel keys (MelOptions::describe)
  std::vector<audio::MelOptions> groupMel;
  bool cuda = false;  // the torch engine's models on CUDA (EnsembleOptions::device)
  int threads = 1;
  bool channelsLast = false;  // inputs go in as NHWC too (EnsembleOptions::channelsLast)
};

// A job folder's checkpoint (through `pointer`, else last.json) or a checkpoint directory itself;
// InputError naming the folder when there is none.
std::filesystem::path resolveCheckpoint(const std::filesystem::path& dir, const std::string& pointer);
// The model's name: the job folder's ("efficientnet_b0-f0"), for `given` a job or a checkpoint folder.
std::string modelName(const std::filesystem::path& given, const std::filesystem::path& checkpoint);

// What a checkpoint's state.json says the model is (its config), with K = numClasses outputs; dir:
// the checkpoint folder, where a relative TorchScript path it names is found.
model::ModelOptions modelOptionsOf(const train::TrainState& state, const std::filesystem::path& dir, int numClasses);

// What the libtorch engine needs to load a checkpoint (EnsembleOptions).
struct TorchEngineOptions {
  bool cuda = false, channelsLast = true, foldBatchNorm = true;
};

// The libtorch engine of checkpoint `dir` (its weights.pt): eval mode, BatchNorms folded and weights
// channels-last as asked (torch/torch_engine.cpp). In a build without torch (no_torch/): UsageError.
std::unique_ptr<Engine> loadTorchEngine(const std::filesystem::path& dir, const model::ModelOptions& mo,
                                        const TorchEngineOptions& options);

// libtorch's intra-op threads (the torch engine's); nothing without torch.
void setTorchThreads(int threads);

// A checkpoint's model.safetensors (the OpenVINO contract) written from its weights.pt, for a
// checkpoint made before every checkpoint carried one. InputError naming the checkpoint without torch.
void writeSafetensorsFromWeightsPt(const model::ModelOptions& mo, const std::filesystem::path& weightsPt,
                                   const std::filesystem::path& safetensors);

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

}  // namespace chorus::infer
