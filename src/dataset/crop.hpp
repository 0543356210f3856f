// Where a training window starts in a clip longer than the window. The energy crop centres the
// window on the clip's loudest stretch (the store's energy peak after the leading voice/silence,
// or recomputed from the mel frames when the store has none), with jitter; the random crop takes
// any start. Both start after the recorded leading segments when the clip is long enough.
// Validation: the energy peak without jitter (deterministic).
#pragma once
#include <cstdint>
#include <vector>

#include "dataset/example_rng.hpp"
#include "dataset/options.hpp"

namespace chorus::store {
struct StoreItem;
class FeatureStore;
}

namespace chorus::dataset {

struct ClipTiming {
  int64_t frames = 0;        // the clip's length in frames
  int64_t peakFrame = -1;    // energy peak (after the lead where known), -1: unknown
  int64_t leadEndFrame = 0;  // first frame after the leading voice/silence segments
};

// From the store's index; framesPerSecond converts leadEnd, energyHopRatio (energy_hop / hop, the
// store's attributes) the energy profile's frames to mel frames (both are centred on frame * hop).
// peakFrame is -1 when the store has none.
ClipTiming clipTiming(const store::StoreItem& item, double framesPerSecond, double energyHopRatio = 1.0);

// The first maximum of the frames' energy (sum over mels of dB -> power), smoothed by a centred
// moving average of smoothFrames, among frames >= fromFrame (the whole clip if none; earlier frames
// count as silent so the lead does not leak in through the smoothing). `mel` is
// frames x mels, as the store holds it.
int64_t peakFromMel(const std::vector<float>& mel, int mels, int64_t fromFrame, int smoothFrames = 5);

// Start frame of the window. rng == nullptr: deterministic (validation: peak, no jitter; for the
// random crop, the centre of the usable part). Clips not longer than the window start at 0.
int64_t cropStart(const ClipTiming& clip, int window, const CropOptions& options, double framesPerSecond,
                  ExampleRng* rng);

}  // namespace chorus::dataset
