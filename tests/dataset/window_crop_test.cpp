// Windows read from a real store (the right item, offset and layout; short clips repeated) and
// where crops fall: on the energy peak, after the leading voice, jittered only when training.
#include <gtest/gtest.h>

#include <set>

#include "core/error.hpp"
#include "dataset/batch.hpp"
#include "dataset/crop.hpp"
#include "dataset/window.hpp"
#include "dataset_fixture.hpp"
#include "store/layout.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
using chorus::testing::ItemSpec;
namespace fs = std::filesystem;

namespace {

constexpr double kFps = 32000.0 / 512;

// Clip store: 0 a 20 s clip with a call at frame 900; 1 a 2.4 s clip; 2 a clip whose first 4 s
// are a louder announcement (VAD voice segment) and whose call is at frame 700; 3 the same without
// any energy index in the store.
std::vector<ItemSpec> clips() {
  return {{"long", 1250, 900, 900, 0, {}, 900},
          {"short", 150},
          {"lead", 1000, 40, 700, 4.0, {{0, 4.0, 0}}, 700, 250},
          {"noindex", 1000, -1, -1, 4.0, {{0, 4.0, 0}}, 700, 250}};
}

Example clipExample(const store::FeatureStore& s, size_t item) {
  Example e;
  e.item = item;
  e.id = s.items()[item].id;
  e.frameCount = s.items()[item].frameCount;
  return e;
}

}  // namespace

TEST(Window, IsTheStoreFramesTransposedToMelsByFrames) {
  const fs::path dir = chorus::testing::scratchDir();
  const store::FeatureStore s(chorus::testing::writeStore(dir / "c.h5", clips()));
  const Window w = readWindow(s, 2, 123, kWindowFrames);
  ASSERT_EQ(w.mels, 128);
  ASSERT_EQ(w.frames, 313);
  ASSERT_EQ(w.db.size(), 128u * 313u);
  const auto spec = clips()[2];
  for (int m : {0, 1, 77, 127})
    for (int t : {0, 1, 200, 312}) EXPECT_EQ(w.at(m, t), chorus::testing::specDb(spec, 2, 123 + t, m)) << m << "," << t;
  EXPECT_THROW(readWindow(s, 2, 800, kWindowFrames), Error);  // past the item's end
}

TEST(Window, ShortClipRepeatsCyclically) {
  const fs::path dir = chorus::testing::scratchDir();
  const store::FeatureStore s(chorus::testing::writeStore(dir / "c.h5", clips()));
  const Window w = readWindow(s, 1, 0, kWindowFrames);  // 150 frames
  for (int m : {0, 64, 127})
    for (int t : {0, 149, 150, 151, 299, 300, 312}) EXPECT_EQ(w.at(m, t), chorus::testing::cellDb(1, t % 150, m)) << t;
}

TEST(Crop, EnergyCropIsCentredOnThePeakWithinTheJitter) {
  const fs::path dir = chorus::testing::scratchDir();
  const store::FeatureStore s(chorus::testing::writeStore(dir / "c.h5", clips()));
  const ClipTiming t = clipTiming(s.items()[0], kFps);
  EXPECT_EQ(t.peakFrame, 900);
  CropOptions o;  // energy, jitter 1 s
  // Validation: the peak at the window's centre.
  EXPECT_EQ(cropStart(t, kWindowFrames, o, kFps, nullptr), 900 - kWindowFrames / 2);
  std::set<int64_t> starts;
  for (uint64_t slot = 0; slot < 400; ++slot) {
    ExampleRng rng(7, 0, slot, Stream::Crop);
    const int64_t start = cropStart(t, kWindowFrames, o, kFps, &rng);
    const int64_t offset = 900 - (start + kWindowFrames / 2);  // peak relative to the centre
    EXPECT_LE(std::llabs(offset), 63) << slot;  // 1 s = 62.5 frames
    starts.insert(start);
  }
  EXPECT_GT(starts.size(), 60u);  // the jitter does spread the crops
  EXPECT_LT(*starts.begin(), 900 - kWindowFrames / 2 - 50);
  EXPECT_GT(*starts.rbegin(), 900 - kWindowFrames / 2 + 50);
  // And the window read there holds the call (a +40 dB burst).
  const Window w = readWindow(s, 0, cropStart(t, kWindowFrames, o, kFps, nullptr), kWindowFrames);
  EXPECT_GT(w.at(10, kWindowFrames / 2), chorus::testing::cellDb(0, 900, 10) + 39);
}

TEST(Crop, EnergyCropAvoidsTheLeadingVoiceSegment) {
  const fs::path dir = chorus::testing::scratchDir();
  const store::FeatureStore s(chorus::testing::writeStore(dir / "c.h5", clips()));
  const ClipTiming t = clipTiming(s.items()[2], kFps);
  EXPECT_EQ(t.leadEndFrame, 250);
  EXPECT_EQ(t.peakFrame, 700);  // the peak after the lead, not the announcement's (frame 40)
  CropOptions o;
  o.jitterSeconds = 3;  // a jitter large enough to reach back into the announcement
  for (uint64_t slot = 0; slot < 300; ++slot) {
    ExampleRng rng(1, 2, slot, Stream::Crop);
    EXPECT_GE(cropStart(t, kWindowFrames, o, kFps, &rng), 250) << slot;
  }
  o.mode = CropMode::Random;
  std::set<int64_t> starts;
  for (uint64_t slot = 0; slot < 3000; ++slot) {
    ExampleRng rng(1, 2, slot, Stream::Crop);
    const int64_t start = cropStart(t, kWindowFrames, o, kFps, &rng);
    EXPECT_GE(start, 250);
    EXPECT_LE(start, 1000 - kWindowFrames);
    starts.insert(start);
  }
  EXPECT_EQ(*starts.begin(), 250);  // the whole usable range is reached
  EXPECT_EQ(*starts.rbegin(), 1000 - kWindowFrames);
  // With avoidLead off the random crop may start anywhere.
  o.avoidLead = false;
  int early = 0;
  for (uint64_t slot = 0; slot < 300; ++slot) {
    ExampleRng rng(1, 2, slot, Stream::Crop);
    early += cropStart(t, kWindowFrames, o, kFps, &rng) < 250;
  }
  EXPECT_GT(early, 50);
}

TEST(Crop, PeakRecomputedFromTheMelFramesWhenTheStoreHasNone) {
  const fs::path dir = chorus::testing::scratchDir();
  const store::FeatureStore s(chorus::testing::writeStore(dir / "c.h5", clips()));
  EXPECT_EQ(clipTiming(s.items()[3], kFps).peakFrame, -1);
  const auto mel = s.readItem(3);
  EXPECT_EQ(peakFromMel(mel, 128, 250), 700);  // after the lead: the call
  EXPECT_LT(peakFromMel(mel, 128, 0), 250);    // from the start: inside the louder announcement
  // The batch path uses it: the validation window of "noindex" is centred on frame 700.
  BatchSource source = BatchSource::forStores(s, nullptr, nullptr, 1);
  const Window w = exampleWindow(source, clipExample(s, 3), {0, 0}, Mode::Validate, 0);
  EXPECT_EQ(w.at(5, 0), chorus::testing::specDb(clips()[3], 3, 700 - kWindowFrames / 2, 5));
}

TEST(Crop, ShortClipStartsAtZeroAndTrainingCropIsDeterministicPerSlot) {
  const fs::path dir = chorus::testing::scratchDir();
  const store::FeatureStore s(chorus::testing::writeStore(dir / "c.h5", clips()));
  ExampleRng rng(1, 0, 0, Stream::Crop);
  EXPECT_EQ(cropStart(clipTiming(s.items()[1], kFps), kWindowFrames, CropOptions{}, kFps, &rng), 0);
  BatchSource source = BatchSource::forStores(s, nullptr, nullptr, 1);
  source.augment = AugmentOptions::none();
  const Example e = clipExample(s, 0);
  const Window a = exampleWindow(source, e, {5, 0}, Mode::Train, 3);
  const Window b = exampleWindow(source, e, {5, 0}, Mode::Train, 3);
  EXPECT_EQ(a.db, b.db);
  int differ = 0;  // other slots or epochs: other crops (mostly)
  for (uint64_t slot = 6; slot < 16; ++slot) differ += exampleWindow(source, e, {slot, 0}, Mode::Train, 3).db != a.db;
  EXPECT_GE(differ, 8);
  EXPECT_EQ(exampleWindow(source, e, {5, 0}, Mode::Validate, 3).db, exampleWindow(source, e, {9, 0}, Mode::Validate, 4).db);
}

TEST(Crop, EnergyPeakFramesAreConvertedToMelFramesByTheHops) {
  store::StoreItem item;
  item.frameCount = 2000;
  item.energyPeakFrame = 300;
  item.energyPeakAfterLead = 400;
  item.leadEnd = 2.0;
  EXPECT_EQ(clipTiming(item, kFps).peakFrame, 400);  // same hop: the same frame
  const ClipTiming t = clipTiming(item, 32000.0 / 256, 2.0);  // energy hop 512, mel hop 256
  EXPECT_EQ(t.peakFrame, 800);
  EXPECT_EQ(t.leadEndFrame, 250);
  item.energyPeakAfterLead = -1;
  EXPECT_EQ(clipTiming(item, kFps).peakFrame, 300);
  item.energyPeakFrame = -1;
  EXPECT_EQ(clipTiming(item, kFps).peakFrame, -1);
}
