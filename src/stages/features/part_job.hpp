// One part of a feature set, computed by one rank: each item is decoded, turned into log-mel
// frames, energy peak and leading voice/silence segments, and appended to the part file at once,
// so memory holds one file's audio and frames, never the part's.
#pragma once
#include <filesystem>
#include <functional>
#include <vector>

#include "audio/energy.hpp"
#include "audio/logmel.hpp"
#include "stages/features/items.hpp"
#include "stages/features/plan.hpp"
#include "store/part_writer.hpp"

namespace chorus::stages::features {

struct PartJob {
  std::filesystem::path data;
  const audio::LogMel* logmel = nullptr;
  audio::EnergyOptions energy;
  bool clipAnalysis = false;  // energy peak and leading segments (train_audio)
  store::PartOptions store;  // n_mels, dtype, the set's attributes (the part adds its own)
};

struct PartResult {
  size_t items = 0, failed = 0;
  double audioSeconds = 0;
  int64_t frames = 0;
};

// An item's features; throws InputError (naming the file) when it cannot be decoded.
struct ItemFeatures {
  store::StoreItem item;
  std::vector<float> mel;  // frames x nMels
  int64_t frames = 0;
};
ItemFeatures computeItem(const SetItem& item, size_t index, const PartJob& job);

// Computes the part's items and publishes its file. A bad item is recorded in the part and the
// next one goes on; an error writing the part itself throws (and leaves no part file).
// itemDone(audio seconds) is called after each stored item (progress).
PartResult writePart(const PartPlan& part, const std::vector<SetItem>& items, const PartJob& job,
                     const std::function<void(double)>& itemDone);

// Decodes the part's items and drops them: the floor that the benchmark compares against.
PartResult decodePart(const PartPlan& part, const std::vector<SetItem>& items, const PartJob& job);

}  // namespace chorus::stages::features
