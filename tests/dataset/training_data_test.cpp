// One fold's data from WORK as prep and features leave it: the batch buffers' layout, targets,
// normalisation, validation windows, and the background pool.
#include <gtest/gtest.h>

#include "dataset/training_data.hpp"
#include "dataset_fixture.hpp"
#include "store/feature_store.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
namespace fs = std::filesystem;

namespace {

fs::path makeWork() {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  return work;
}

}  // namespace

TEST(TrainingData, ValidationBatchHoldsTheNormalisedCropsAndTargets) {
  DataOptions o;
  o.work = makeWork();
  o.fold = 0;
  const TrainingData data(o);
  ASSERT_EQ(data.mels(), 128);
  ASSERT_EQ(data.frames(), 313);
  const auto& valid = data.split().valid.examples;
  ASSERT_EQ(valid.size(), 5u);  // a/long, c/lead, a/nopeak, s1 5-10 s, s1 10-15 s
  const auto slots = inOrder(valid.size());
  std::vector<float> x(valid.size() * data.inputValues()), y(valid.size() * 4);
  data.batch(slots, Mode::Validate, 0, x.data(), y.data());
  const store::FeatureStore clips(o.work / "features/train_audio.h5"), scapes(o.work / "features/train_soundscapes.h5");
  const auto spec = chorus::testing::ItemSpec{"a/long.ogg", 1250, 900, 900, 0, {}, 900};
  // Example 0 (a/long.ogg, store item 0): the peak-centred crop, (dB + 20) / 20, mels x frames.
  const int64_t start = 900 - 313 / 2;
  for (int m : {0, 127})
    for (int t : {0, 156, 312})
      EXPECT_FLOAT_EQ(x[size_t(m) * 313 + size_t(t)], (chorus::testing::specDb(spec, 0, start + t, m) + 20) / 20);
  EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 4), (std::vector<float>{1, 0.5f, 0, 0}));
  // Example 3: soundscape s1, frames from 313 (5 s), store item 0 of the soundscape store.
  const float* w3 = x.data() + 3 * data.inputValues();
  EXPECT_FLOAT_EQ(w3[5 * 313 + 10], (chorus::testing::cellDb(0, 313 + 10, 5) + 20) / 20);
  EXPECT_EQ(std::vector<float>(y.begin() + 12, y.begin() + 16), (std::vector<float>{1, 1, 0, 0}));
}

TEST(TrainingData, TrainingBatchIsAugmentedAndGainMovesTheInput) {
  DataOptions o;
  o.work = makeWork();
  o.fold = 1;
  o.augment = AugmentOptions::none();
  const TrainingData plain(o);
  o.augment.gain = {true, 1.0};
  const TrainingData gained(o);
  const auto slots = plain.plan(0).share(0, 1);
  std::vector<float> a(slots.size() * plain.inputValues()), b(a.size());
  plain.batch(slots, Mode::Train, 0, a.data(), nullptr);
  gained.batch(slots, Mode::Train, 0, b.data(), nullptr);
  for (size_t e = 0; e < slots.size(); ++e) {
    const size_t at = e * plain.inputValues();
    const float d = b[at] - a[at];
    EXPECT_NE(d, 0.0f);
    EXPECT_LE(std::fabs(d), 12.0f / 20 + 1e-5f);
    for (size_t i = at; i < at + plain.inputValues(); i += 211) ASSERT_NEAR(b[i] - a[i], d, 1e-5);
  }
}

TEST(Background, PoolPrefersUnlabelledWindowsAndNeverTakesTheValidationFold) {
  const fs::path work = makeWork();
  DataOptions o;
  o.work = work;
  o.fold = 0;
  const TrainingData data(o);
  const BackgroundPool& pool = data.background();
  EXPECT_TRUE(pool.unlabelledOnly());
  // s1 (60 s): 12 grid windows less the two labelled (5-10, 10-15 s); s2 (30 s): 6 less one; s3: 4.
  EXPECT_EQ(pool.entries().size(), 10u + 5u + 4u);
  for (const auto& e : pool.entries()) {
    if (e.item == 0) {
      EXPECT_TRUE(e.start + 313 <= 313 || e.start >= 938) << e.start;  // outside 313..938
    } else if (e.item == 1) {
      EXPECT_GE(e.start, 313);
    }
  }
  // The window read is the store's.
  const Window w = pool.read(0);
  EXPECT_EQ(w.at(3, 4), chorus::testing::cellDb(pool.entries()[0].item, pool.entries()[0].start + 4, 3));
}

TEST(Background, WithEveryWindowLabelledFallsBackToTrainingFoldsOnly) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStore(work / "features/train_audio.h5", {{"a/long.ogg", 1250}, {"b/short.ogg", 150},
                                                                 {"c/lead.ogg", 1000}, {"d/rare.ogg", 400},
                                                                 {"a/nopeak.ogg", 800}});
  chorus::testing::writeStore(work / "features/train_soundscapes.h5", {{"s1.ogg", 940}, {"s2.ogg", 313}});
  // s1's 3 grid windows: 0-5 s unlabelled... make every window labelled:
  chorus::testing::writeText(work / "meta/soundscape_labels_with_folds.csv",
                             "filename,start,end,primary_label,start_s,end_s,fold\n"
                             "s1.ogg,00:00:00,00:00:05,a,0,5,0\n"
                             "s1.ogg,00:00:05,00:00:10,a;b,5,10,0\n"
                             "s1.ogg,00:00:10,00:00:15,c,10,15,0\n"
                             "s2.ogg,00:00:00,00:00:05,d,0,5,1\n");
  DataOptions o;
  o.work = work;
  o.fold = 0;
  const TrainingData data(o);
  const BackgroundPool& pool = data.background();
  EXPECT_FALSE(pool.unlabelledOnly());
  ASSERT_EQ(pool.entries().size(), 1u);  // s2's window (fold 1); none of fold 0's
  EXPECT_EQ(pool.entries()[0].item, 1u);
}

TEST(Background, AugmentMixesARealSoundscapeWindowInPower) {
  DataOptions o;
  o.work = makeWork();
  o.fold = 1;
  o.augment = AugmentOptions::none();
  const TrainingData plain(o);
  o.augment.background = {true, 1.0};
  const TrainingData mixed(o);
  const auto slots = plain.plan(0).share(0, 1);
  for (const auto& slot : slots) {
    const Example& e = plain.split().train.examples[slot.example];
    const Window a = exampleWindow(plain.source(), e, slot, Mode::Train, 0);
    const Window b = exampleWindow(mixed.source(), e, slot, Mode::Train, 0);
    double pa = 0, pb = 0;
    for (size_t i = 0; i < a.db.size(); ++i) {
      ASSERT_GE(b.db[i], a.db[i] - 1e-4);
      pa += std::pow(10.0, a.db[i] / 10.0);
      pb += std::pow(10.0, b.db[i] / 10.0);
    }
    const double snr = 10 * std::log10(pa / (pb - pa));
    EXPECT_GE(snr, 3 - 1e-2);
    EXPECT_LE(snr, 30 + 1e-2);
  }
}

TEST(Background, LabelledWindowsStayOutOfThePoolWhenTheyAreNotExamples) {
  DataOptions o;
  o.work = makeWork();
  o.fold = 0;
  o.soundscapes = false;
  const TrainingData data(o);
  for (const auto* set : {&data.split().train, &data.split().valid})
    for (const auto& e : set->examples) EXPECT_EQ(e.source, Source::Clip);
  EXPECT_TRUE(data.background().unlabelledOnly());
  EXPECT_EQ(data.background().entries().size(), 19u);  // as with soundscape examples: 3 labelled left out
}
