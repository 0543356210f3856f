// Real soundscape windows to mix under a training example ("background noise"). The pool is the
// 5 s grid of every train_soundscapes item; windows that overlap no labelled window (of any fold)
// are preferred: they are background by construction and never validation data. Only when there
// are none does the pool fall back to the labelled windows of the training folds (never fold k's).
#pragma once
#include <cstdint>
#include <vector>

#include "dataset/examples.hpp"
#include "dataset/window.hpp"

namespace chorus::dataset {

class BackgroundPool {
 public:
  BackgroundPool() = default;
  // `labelled`: every labelled soundscape window of every fold (Split::train and valid soundscape
  // examples); `validationFold`: the fold whose windows must not be used.
  BackgroundPool(const store::FeatureStore& store, const std::vector<const Example*>& labelled, int validationFold,
                 int frames = kWindowFrames);

  struct Entry {
    size_t item = 0;
    int64_t start = 0;
  };
  const std::vector<Entry>& entries() const { return entries_; }
  bool unlabelledOnly() const { return unlabelledOnly_; }
  bool empty() const { return entries_.empty(); }
  Window read(size_t entry) const;

 private:
  const store::FeatureStore* store_ = nullptr;
  std::vector<Entry> entries_;
  int frames_ = kWindowFrames;
  bool unlabelledOnly_ = true;
};

}  // namespace chorus::dataset
