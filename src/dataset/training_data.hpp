// One fold's training data, ready for the training loop: the stores opened, the meta tables read,
// the examples split, the background pool built. What the train stage holds for a (backbone, fold).
//
//   TrainingData data(options);
//   for epoch: EpochPlan plan = data.plan(epoch);  auto mine = plan.share(rank, world, true);
//     for each batch of `mine`: data.batch(slots, Mode::Train, epoch, inputs, targets);
//   validation: auto slots = inOrder(data.split().valid.examples.size()); data.batch(..., Mode::Validate, ...)
#pragma once
#include <filesystem>
#include <memory>
#include <vector>

#include "dataset/batch.hpp"
#include "dataset/examples.hpp"
#include "dataset/pseudo_labels.hpp"

namespace chorus::dataset {

struct DataOptions {
  std::filesystem::path work;             // WORK: meta/ and features/
  std::filesystem::path clipStore;        // empty: WORK/features/train_audio.h5
  std::filesystem::path soundscapeStore;  // empty: WORK/features/train_soundscapes.h5 (skipped if absent)
  int fold = 0;
  bool soundscapes = true;  // labelled soundscape windows as examples
  CropOptions crop;
  TargetOptions targets;
  AugmentOptions augment;
  SamplerOptions sampler;
  Normalisation normalisation;  // fixed constants, or measured once and carried by the checkpoint
  PseudoOptions pseudo;         // pseudo-labelled soundscape windows joining the training examples
  int threads = 1;              // batch assembly threads
};

class TrainingData {
 public:
  explicit TrainingData(const DataOptions& options);  // InputError naming a file that cannot be read
  ~TrainingData();

  const Species& species() const { return species_; }
  const Split& split() const { return split_; }  // split().issues: for the train stage's report
  // Counts of the pseudo-label file (its examples are the `pseudo` ones at the end of split().train).
  const PseudoSet& pseudo() const { return pseudo_; }
  const BatchSource& source() const { return source_; }
  const BackgroundPool& background() const { return *background_; }
  int mels() const { return source_.mels; }
  int frames() const { return source_.frames; }
  size_t inputValues() const { return size_t(source_.mels) * size_t(source_.frames); }  // per example

  EpochPlan plan(int64_t epoch) const { return EpochPlan(split_.train, options_.sampler, epoch); }
  // Mode::Train reads split().train, Mode::Validate split().valid.
  void batch(const std::vector<Slot>& slots, Mode mode, int64_t epoch, float* inputs, float* targets) const;

 private:
  DataOptions options_;
  std::unique_ptr<store::FeatureStore> clips_, soundscapes_;
  std::unique_ptr<BackgroundPool> background_;
  Species species_;
  void addPseudo(const std::vector<const Example*>& labelled);
  Split split_;
  PseudoSet pseudo_;  // counts and issues only: the examples moved into split_.train
  BatchSource source_;
};

}  // namespace chorus::dataset
