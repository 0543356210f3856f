// Distillation while training (chorus train --distil STORE --distil-weight w --distil-temperature T):
// the term of model/distillation.hpp added to the supervised loss, on the training windows a teacher
// store covers.
//
// Which windows: each training example is joined to the store by its audio item and time. A
// soundscape window (labelled, of the training folds, or pseudo-labelled) is the teacher's row of the
// same file ending at the same second; a train_audio clip's crop (random in training) is the
// teacher's row of the same clip (item id = train.csv's filename) whose window contains the crop's
// centre. A window the store lacks, and a class it lacks, add nothing. So a store over
// train_soundscapes distils on soundscape windows, one over train_audio on clips, both when both
// are given as one store.
//
// The projection head (where the store has embeddings) is trained with the student: its parameters
// are one more AdamW group (the same learning rate schedule, weight decay), in the gradient averaging
// and clipping of data-parallel training, and saved in every checkpoint as distil.safetensors under
// `chorus_distil.` (not part of the inference model), so --resume continues exactly.
// Per epoch, WORK/models/<job>/distil.csv: windows seen, windows the teacher had, the mean soft and
// cosine terms.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "dataset/training_data.hpp"
#include "model/classifier.hpp"
#include "model/distillation.hpp"
#include "store/teacher_store.hpp"
#include "train/data_parallel.hpp"
#include "train/options.hpp"

namespace chorus::train {

inline constexpr const char* kDistilWeightsName = "distil.safetensors";
inline constexpr const char* kDistilPrefix = "chorus_distil.";

// The teacher row of each slot's training window (none: the teacher has no such window); the rule
// above. `epoch` keys the crops as in TrainingData::batch.
std::vector<std::optional<size_t>> teacherRowsOf(const dataset::TrainingData& data, const store::TeacherWindows& windows,
                                                 const std::vector<dataset::Slot>& slots, int64_t epoch);

class Distiller {
 public:
  // Reads the store (InputError naming it), aligns its classes to the species list, and (with
  // embeddings) builds the projection head on `device` without touching the global torch generator,
  // so the student's own random numbers are those of a run without distillation.
  Distiller(const TrainOptions& options, const dataset::TrainingData& data, model::Classifier& net, torch::Device device);

  // The head's parameters become one more group of `optimizer` and join `params` (averaged, clipped).
  void join(torch::optim::AdamW& optimizer, std::vector<torch::Tensor>& params);
  void setLr(torch::optim::AdamW& optimizer, double lr) const;  // the head's group follows the schedule
  // The student's logits, and its backbone features where the cosine term needs them (one pass).
  std::pair<torch::Tensor, torch::Tensor> forward(model::Classifier& net, const torch::Tensor& mel) const;
  // supervised + w * (soft + e * cosine) on the batch's windows; the terms are added to this epoch's sums.
  torch::Tensor addTerm(const torch::Tensor& supervised, const torch::Tensor& logits, const torch::Tensor& features,
                        const std::vector<dataset::Slot>& slots, int64_t epoch);

  void broadcastFromRoot(DataParallel& dp);
  void save(const std::filesystem::path& checkpointDir) const;  // distil.safetensors
  void load(const std::filesystem::path& checkpointDir);        // InputError naming the file
  // The epoch's figures over the group, rewritten into jobDir/distil.csv by the root; sums reset.
  void endEpoch(DataParallel& dp, const std::filesystem::path& jobDir, int epoch);

  const store::TeacherStore& store() const { return store_; }

 private:
  model::DistillOptions options_;
  const dataset::TrainingData& data_;
  store::TeacherStore store_;  // classes aligned to the species list
  store::TeacherWindows windows_;
  model::ProjectionHead head_{nullptr};  // null without embeddings
  torch::Device device_;
  double weightDecay_ = 0;  // the head's AdamW weight decay (--weight-decay)
  size_t group_ = 0;        // the head's optimizer group
  double seen_ = 0, covered_ = 0, softSum_ = 0, cosineSum_ = 0, steps_ = 0;  // this epoch's, this rank's
};

// Null when options.distil is empty.
std::unique_ptr<Distiller> makeDistiller(const TrainOptions& options, const dataset::TrainingData& data,
                                         model::Classifier& net, torch::Device device);

}  // namespace chorus::train
