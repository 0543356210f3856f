// A 5 s window of log-mel dB in the model's layout: mels x frames, row-major (one row per mel
// bin), the layout of one B x 1 x mels x frames input slice. The store holds frames x mels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chorus::store {
class FeatureStore;
}

namespace chorus::dataset {

struct Window {
  int mels = 0, frames = 0;
  std::vector<float> db;  // mels * frames
  float& at(int mel, int frame) { return db[size_t(mel) * size_t(frames) + size_t(frame)]; }
  float at(int mel, int frame) const { return db[size_t(mel) * size_t(frames) + size_t(frame)]; }
};

// Frames [start, start + frames) of store item `item`, transposed to mels x frames. An item shorter
// than the window is repeated cyclically (start taken modulo its length): a short clip padded with
// the dB floor would be a silence never heard in a soundscape, which the model could learn to
// recognise as "a train clip"; repeating keeps the call present and the background natural.
// Requires 0 <= start and, for an item at least `frames` long, start + frames <= its length.
Window readWindow(const store::FeatureStore& store, size_t item, int64_t start, int frames);

}  // namespace chorus::dataset
