#include "dataset/batch.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>

#include "audio/logmel.hpp"
#include "audio/mel_options.hpp"
#include "core/error.hpp"
#include "core/parse_number.hpp"
#include "core/thread_pool.hpp"
#include "dataset/crop.hpp"
#include "store/feature_store.hpp"

namespace chorus::dataset {

namespace {

int64_t clipStart(const BatchSource& s, const Example& e, const Slot& slot, Mode mode, int64_t epoch) {
  const auto& item = s.clips->items().at(e.item);
  ClipTiming timing = clipTiming(item, s.framesPerSecond, s.energyHopRatio);
  if (timing.frames > s.frames && timing.peakFrame < 0 && s.crop.mode == CropMode::Energy)
    timing.peakFrame = peakFromMel(s.clips->readItem(e.item), s.mels, s.crop.avoidLead ? timing.leadEndFrame : 0);
  if (mode == Mode::Validate) return cropStart(timing, s.frames, s.crop, s.framesPerSecond, nullptr);
  ExampleRng rng(s.seed, epoch, slot.slot, Stream::Crop);
  return cropStart(timing, s.frames, s.crop, s.framesPerSecond, &rng);
}

}  // namespace

BatchSource BatchSource::forStores(const store::FeatureStore& clips, const store::FeatureStore* soundscapes,
                                   const BackgroundPool* background, size_t speciesCount) {
  BatchSource s;
  s.clips = &clips;
  s.soundscapes = soundscapes;
  s.background = background;
  s.speciesCount = speciesCount;
  audio::MelOptions mel = melOptionsOf(clips, /*absentMeansDefaults=*/true);
  mel.nMels = clips.nMels();
  s.filterbank = audio::melFilterbank(mel);
  s.sampleRate = mel.sampleRate;
  s.framesPerSecond = dataset::framesPerSecond(clips);
  s.mels = clips.nMels();
  if (auto it = clips.attributes().find("energy_hop"); it != clips.attributes().end()) {
    const double energyHop = toDouble(it->second).value_or(0.0);
    if (!(energyHop > 0)) throw InputError(clips.path().string() + ": attribute energy_hop is not a positive number");
    s.energyHopRatio = energyHop / mel.hop;
  }
  return s;
}

int64_t exampleStartFrame(const BatchSource& s, const Example& e, const Slot& slot, Mode mode, int64_t epoch) {
  if (e.source == Source::Clip) return clipStart(s, e, slot, mode, epoch);
  if (!s.soundscapes) throw Error("soundscape example " + e.id + " but no soundscape store");
  const int64_t itemFrames = s.soundscapes->items().at(e.item).frameCount;
  // The labelled window itself; one at the end of a recording shorter than its grid is moved in.
  return itemFrames >= s.frames ? std::clamp<int64_t>(e.frameStart, 0, itemFrames - s.frames) : 0;
}

Window exampleWindow(const BatchSource& s, const Example& e, const Slot& slot, Mode mode, int64_t epoch) {
  const int64_t start = exampleStartFrame(s, e, slot, mode, epoch);  // checks the soundscape store is there
  Window w = readWindow(e.source == Source::Clip ? *s.clips : *s.soundscapes, e.item, start, s.frames);
  if (mode == Mode::Train) {
    AugmentContext context;
    context.filterbank = &s.filterbank;
    context.sampleRate = s.sampleRate;
    context.background = s.background;
    context.maskValueDb = float(s.normalisation.meanDb);
    augment(w, e.pseudo ? s.pseudoAugment : s.augment, context, s.seed, epoch, slot.slot);
  }
  return w;
}

void assembleBatch(const BatchSource& s, const ExampleSet& examples, const std::vector<Slot>& slots, Mode mode,
                   int64_t epoch, float* inputs, float* targets, int threads) {
  const size_t perExample = size_t(s.mels) * size_t(s.frames);
  auto one = [&](size_t i) {
    const Example& e = examples.examples.at(slots[i].example);
    Window w = exampleWindow(s, e, slots[i], mode, epoch);
    float* out = inputs + i * perExample;
    std::copy(w.db.begin(), w.db.end(), out);
    s.normalisation.apply(out, perExample);
    if (targets) denseTargets(e, s.speciesCount, targets + i * s.speciesCount);
  };
  sharedPool(threads).parallelFor(slots.size(), one);  // the same workers every step
}

}  // namespace chorus::dataset
