// The log-mel of one soundscape for every feature group of an ensemble, and its scored windows
// cut from it. Private to src/infer (predict.cpp's producer thread calls prepare()).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "audio/logmel.hpp"
#include "infer/ensemble_impl.hpp"
#include "store/feature_store.hpp"

namespace chorus::infer {

struct PreparedSoundscape {
  size_t index = 0;                    // into the soundscape list
  std::string failure;                 // non-empty: could not be decoded (the reason, naming the file)
  int windows = 0;
  std::vector<std::vector<float>> mel;  // per feature group: frames x mels dB
  std::vector<int64_t> frames;          // per feature group
  double prepareSeconds = 0;
};

class SoundscapeFeatures {
 public:
  // Decides, per feature group, whether the store (options.store) can serve it (same mel
  // parameters) or the audio must be decoded; throws InputError (train::requireSameFeatures'
  // message) when a group's parameters differ from the store's and there is no audio to recompute.
  SoundscapeFeatures(const Ensemble::Impl& ensemble, const std::vector<Soundscape>& soundscapes,
                     const PredictOptions& options);
  ~SoundscapeFeatures();

  // Never throws for a bad file: the reason goes into `failure`.
  PreparedSoundscape prepare(size_t index) const;

  int windowFrames(size_t group) const { return windowFrames_[group]; }
  int mels(size_t group) const { return mels_[group]; }
  // Window `w` of group `g` of `p` as mels x frames dB into `out` (the dataset::readWindow rule:
  // a window past the end is moved in; a recording shorter than a window is repeated cyclically).
  void window(const PreparedSoundscape& p, size_t g, int w, float* out) const;

 private:
  const Ensemble::Impl& ensemble_;
  const std::vector<Soundscape>& soundscapes_;
  PredictOptions options_;
  std::unique_ptr<store::FeatureStore> store_;
  std::vector<bool> fromStore_;                     // per group
  std::vector<std::unique_ptr<audio::LogMel>> logmel_;  // per group (null when from the store)
  std::vector<int> windowFrames_, mels_;
  std::vector<double> framesPerSecond_;
};

}  // namespace chorus::infer
