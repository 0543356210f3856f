// Assembles batches: for each slot, the example's window (crop, augmentations in training),
// normalised, into a contiguous B x 1 x mels x frames float buffer, and its targets into B x K.
// The buffers are the caller's (the train stage wraps them with torch::from_blob). A few worker
// threads may share the slots: each slot's result depends only on (seed, epoch, slot), not on them.
#pragma once
#include <cstdint>
#include <vector>

#include "dataset/augment.hpp"
#include "dataset/background.hpp"
#include "dataset/examples.hpp"
#include "dataset/normalisation.hpp"
#include "dataset/options.hpp"
#include "dataset/sampler.hpp"
#include "dataset/window.hpp"

namespace chorus::dataset {

enum class Mode { Train, Validate };  // Validate: deterministic crop, no augmentation

struct BatchSource {
  const store::FeatureStore* clips = nullptr;
  const store::FeatureStore* soundscapes = nullptr;  // needed for soundscape examples
  const BackgroundPool* background = nullptr;        // null: no background augmentation
  std::vector<float> filterbank;                     // bins x mels of the clip store's parameters
  double sampleRate = 32000, framesPerSecond = 32000.0 / 512;
  double energyHopRatio = 1;  // the store's energy_hop / hop: energy-profile frames -> mel frames
  int mels = 128, frames = kWindowFrames;
  size_t speciesCount = 0;
  CropOptions crop;
  AugmentOptions augment;
  AugmentOptions pseudoAugment;  // pseudo-labelled examples: the noisy student's stronger noise
  Normalisation normalisation;
  uint64_t seed = 42;

  // Fills filterbank, sampleRate, framesPerSecond, energyHopRatio and mels from the clip store's
  // attributes.
  static BatchSource forStores(const store::FeatureStore& clips, const store::FeatureStore* soundscapes,
                               const BackgroundPool* background, size_t speciesCount);
};

// The first frame of the example's window in its store item: a clip's crop (random in training,
// keyed by (seed, epoch, slot), so asking again gives the same start), a soundscape window's own
// frames (moved in at the end of a recording shorter than its grid). What the trainer joins a
// teacher's window to (train/distil.hpp).
int64_t exampleStartFrame(const BatchSource& source, const Example& example, const Slot& slot, Mode mode, int64_t epoch);

// The example's window in dB, before normalisation: cropped (and augmented when training).
Window exampleWindow(const BatchSource& source, const Example& example, const Slot& slot, Mode mode, int64_t epoch);

// inputs: slots.size() x mels x frames normalised values; targets: slots.size() x speciesCount
// (may be null). threads <= 1: in the calling thread.
void assembleBatch(const BatchSource& source, const ExampleSet& examples, const std::vector<Slot>& slots, Mode mode,
                   int64_t epoch, float* inputs, float* targets, int threads = 1);

}  // namespace chorus::dataset
