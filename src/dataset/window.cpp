#include "dataset/window.hpp"

#include "core/error.hpp"
#include "store/feature_store.hpp"

namespace chorus::dataset {

Window readWindow(const store::FeatureStore& store, size_t item, int64_t start, int frames) {
  const auto& it = store.items().at(item);
  const int mels = store.nMels();
  if (it.frameCount <= 0) throw InputError(store.path().string() + ": item " + it.id + " has no frames");
  Window w{mels, frames, std::vector<float>(size_t(mels) * size_t(frames))};
  // Long enough: one read. Shorter: the whole item once, repeated from `start` onwards.
  const bool whole = it.frameCount < frames;
  if (!whole && (start < 0 || start + frames > it.frameCount))
    throw Error("window [" + std::to_string(start) + ", +" + std::to_string(frames) + ") outside item " + it.id);
  const int64_t readFrom = whole ? 0 : start, readCount = whole ? it.frameCount : frames;
  const std::vector<float> mel = store.readItem(item, readFrom, readCount);  // frames x mels
  for (int t = 0; t < frames; ++t) {
    const int64_t source = whole ? (start + t) % it.frameCount : t;
    const float* row = mel.data() + size_t(source) * size_t(mels);
    for (int m = 0; m < mels; ++m) w.at(m, t) = row[m];
  }
  return w;
}

}  // namespace chorus::dataset
