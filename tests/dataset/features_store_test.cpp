// The dataset layer on stores made by the features stage itself from real audio files (decoded,
// resampled, log-mel, energy peaks and leading segments as the stage computes them): ids match
// train.csv's filename, failed files are named, crops hold the stage's energy peak, and a full
// training batch with every augmentation on comes out finite and in range.
#include <gtest/gtest.h>

#include <cmath>

#include "dataset/training_data.hpp"
#include "dataset_fixture.hpp"
#include "dist/mpi_context.hpp"
#include "stages/features.hpp"
#include "stages/features_dataset.hpp"
#include "store/feature_store.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
namespace fs = std::filesystem;

namespace {

const dist::MpiContext& world() {
  static dist::MpiContext mpi;
  return mpi;
}

// WORK/meta for the tiny dataset: species sp1..sp3, its clips (and one broken file) in folds 0/1,
// one labelled window in each soundscape.
fs::path prepareWork(const fs::path& root) {
  const auto d = chorus::testing::makeTinyDataset(root);
  const fs::path work = root / "work";
  const std::string header = "index,primary_label,inat_taxon_id,scientific_name,common_name,class_name,train_clips,"
                             "secondary_clips,soundscape_windows\n";
  chorus::testing::writeText(work / "meta/species_list.csv", header + "0,sp1,,,,Aves,2,0,1\n1,sp2,,,,Aves,2,0,0\n"
                                                                      "2,sp3,,,,Aves,2,0,1\n");
  chorus::testing::writeText(work / "meta/rare_species.csv", header);
  chorus::testing::writeText(work / "meta/train_cleaned_stratified.csv",
                             "primary_label,secondary_labels,filename,fold\n"
                             "sp1,[],sp1/a.ogg,0\nsp1,\"['sp3']\",sp1/b.ogg,1\nsp2,[],sp2/c.wav,0\n"
                             "sp2,[],sp2/d.flac,1\nsp3,[],sp3/e.ogg,0\nsp3,[],sp3/f.ogg,1\n"
                             "sp3,[],sp3/bad_garbage.ogg,1\n");
  chorus::testing::writeText(work / "meta/soundscape_labels_with_folds.csv",
                             "filename,start,end,primary_label,start_s,end_s,fold\n"
                             "BC2026_Train_0001_S01_20250101_000000.ogg,00:00:55,00:01:00,sp1,55,60,0\n"
                             "BC2026_Train_0002_S02_20250101_000500.ogg,00:00:10,00:00:15,sp3,10,15,1\n");
  for (const char* set : {"train_audio", "train_soundscapes"}) {
    stages::FeaturesOptions o;
    o.data = d.data;
    o.work = work;
    o.set = set;
    stages::runFeatures(o, world());
  }
  return work;
}

}  // namespace

TEST(FeaturesStore, ExamplesCropsAndBatchesOnAStoreTheFeaturesStageMade) {
  const fs::path work = prepareWork(chorus::testing::scratchDir());
  DataOptions o;
  o.work = work;
  o.fold = 0;
  o.threads = 2;
  const TrainingData data(o);
  const store::FeatureStore clips(work / "features/train_audio.h5");

  // Every decodable clip is an example under its train.csv filename; the broken one is named.
  std::vector<std::string> ids;
  for (const auto* set : {&data.split().valid, &data.split().train})
    for (const auto& e : set->examples)
      if (e.source == Source::Clip) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"sp1/a.ogg", "sp2/c.wav", "sp3/e.ogg", "sp1/b.ogg", "sp2/d.flac", "sp3/f.ogg"}));
  ASSERT_EQ(data.split().issues.size(), 1u);
  EXPECT_EQ(data.split().issues[0].kind, "missing_item");
  EXPECT_EQ(data.split().issues[0].line, 8);
  EXPECT_NE(data.split().issues[0].reason.find("failed in the features stage"), std::string::npos);

  // The 60 s soundscape's last window (55-60 s) fits: the store has 1 + 60 * 62.5 frames.
  const auto& valid = data.split().valid.examples;
  ASSERT_EQ(valid.back().source, Source::Soundscape);
  EXPECT_EQ(valid.back().frameStart, std::llround(55 * 62.5));

  // Validation crops of long clips hold the stage's energy peak, at the centre unless at an edge.
  int checked = 0;
  for (const auto& e : valid) {
    if (e.source != Source::Clip) continue;
    const auto& item = clips.items()[e.item];
    if (item.frameCount <= 313) continue;
    const Window w = exampleWindow(data.source(), e, {0, 0}, Mode::Validate, 0);
    const int64_t peak = item.energyPeakAfterLead >= 0 ? item.energyPeakAfterLead : item.energyPeakFrame;
    ASSERT_GE(peak, 0) << e.id;
    const std::vector<float> frames = clips.readItem(e.item);
    int64_t start = -1;  // find where the window came from
    for (int64_t s = 0; s + 313 <= item.frameCount && start < 0; ++s)
      if (frames[size_t(s) * 128] == w.at(0, 0) && frames[size_t(s + 100) * 128 + 7] == w.at(7, 100)) start = s;
    ASSERT_GE(start, 0) << e.id;
    EXPECT_TRUE(peak >= start && peak < start + 313) << e.id << " peak " << peak << " start " << start;
    if (peak >= 156 && peak + 157 <= item.frameCount) {
      EXPECT_EQ(start, peak - 156) << e.id;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);  // sp2/c.wav (12 s), sp3/e.ogg (20 s)

  // A training epoch with every augmentation on: finite values, targets 0 / 0.5 / 1.
  const auto slots = data.plan(0).share(0, 1);
  std::vector<float> x(slots.size() * data.inputValues()), y(slots.size() * 3);
  data.batch(slots, Mode::Train, 0, x.data(), y.data());
  for (float v : x) ASSERT_TRUE(std::isfinite(v));
  for (float v : y) ASSERT_TRUE(v == 0 || v == 0.5f || v == 1) << v;
  EXPECT_FALSE(data.background().empty());
}
