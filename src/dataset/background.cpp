#include "dataset/background.hpp"

#include <algorithm>
#include <cmath>

#include "meta/soundscape_window.hpp"
#include "store/feature_store.hpp"

namespace chorus::dataset {

namespace {

bool overlaps(int64_t aStart, int64_t aCount, int64_t bStart, int64_t bCount) {
  return aStart < bStart + bCount && bStart < aStart + aCount;
}

}  // namespace

BackgroundPool::BackgroundPool(const store::FeatureStore& store, const std::vector<const Example*>& labelled,
                               int validationFold, int frames)
    : store_(&store), frames_(frames) {
  const double fps = framesPerSecond(store);
  for (size_t i = 0; i < store.items().size(); ++i) {
    const int64_t itemFrames = store.items()[i].frameCount;
    for (int64_t j = 0;; ++j) {
      const int64_t start = std::llround(double(j) * meta::kWindowSeconds * fps);  // the scored 5 s grid
      if (start + frames > itemFrames) break;
      const bool isLabelled = std::any_of(labelled.begin(), labelled.end(), [&](const Example* e) {
        return e->item == i && overlaps(start, frames, e->frameStart, std::max<int64_t>(e->frameCount, 1));
      });
      if (!isLabelled) entries_.push_back({i, start});
    }
  }
  if (!entries_.empty()) return;
  unlabelledOnly_ = false;
  for (const Example* e : labelled)
    if (e->fold != validationFold && store.items()[e->item].frameCount >= frames)
      entries_.push_back({e->item, std::min(e->frameStart, store.items()[e->item].frameCount - frames)});
}

Window BackgroundPool::read(size_t entry) const {
  const Entry& e = entries_.at(entry);
  return readWindow(*store_, e.item, e.start, frames_);
}

}  // namespace chorus::dataset
