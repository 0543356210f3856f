// The fold split and targets, on stores written by the store layer and tables in prep's layout.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "dataset/examples.hpp"
#include "dataset_fixture.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
namespace fs = std::filesystem;

namespace {

struct Loaded {
  Species species;
  std::unique_ptr<store::FeatureStore> clips, scapes;
  Split split;
};

Loaded load(const fs::path& work, int fold, bool soundscapes = true) {
  Loaded l;
  const auto meta = MetaFiles::inWork(work);
  l.species = readSpecies(meta.species, meta.rareSpecies);
  l.clips = std::make_unique<store::FeatureStore>(work / "features/train_audio.h5");
  l.scapes = std::make_unique<store::FeatureStore>(work / "features/train_soundscapes.h5");
  SplitOptions o;
  o.fold = fold;
  o.soundscapes = soundscapes;
  l.split = loadSplit(meta, l.species, *l.clips, l.scapes.get(), o);
  return l;
}

std::vector<std::string> ids(const ExampleSet& set, Source source) {
  std::vector<std::string> out;
  for (const auto& e : set.examples)
    if (e.source == source) out.push_back(e.id + (source == Source::Soundscape ? "@" + std::to_string(e.frameStart) : ""));
  return out;
}

std::vector<float> dense(const Example& e) {
  std::vector<float> t(4);
  denseTargets(e, 4, t.data());
  return t;
}

}  // namespace

TEST(Species, OrderAndRareFromPrepTables) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  const auto meta = MetaFiles::inWork(work);
  const Species s = readSpecies(meta.species, meta.rareSpecies);
  EXPECT_EQ(s.labels, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(s.rare, (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(s.index("c"), 2);
  EXPECT_EQ(s.index("zz"), -1);
  EXPECT_EQ(readSpecies(meta.species, {}).rare, std::vector<bool>(4, false));
}

TEST(Split, FoldKValidatesOtherFoldsTrainClipsAndSoundscapeWindows) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  const Loaded f0 = load(work, 0), f1 = load(work, 1);
  // Fold 0 validates its clips and s1's windows; fold 1 the others. a/gone.ogg is in neither.
  EXPECT_EQ(ids(f0.split.valid, Source::Clip), (std::vector<std::string>{"a/long.ogg", "c/lead.ogg", "a/nopeak.ogg"}));
  EXPECT_EQ(ids(f0.split.train, Source::Clip), (std::vector<std::string>{"b/short.ogg", "d/rare.ogg"}));
  EXPECT_EQ(ids(f1.split.train, Source::Clip), ids(f0.split.valid, Source::Clip));
  // Soundscape windows on the store's frame grid: 5 s = 312.5 frames, rounded.
  EXPECT_EQ(ids(f0.split.valid, Source::Soundscape), (std::vector<std::string>{"s1.ogg@313", "s1.ogg@625"}));
  EXPECT_EQ(ids(f0.split.train, Source::Soundscape), (std::vector<std::string>{"s2.ogg@0"}));
  EXPECT_EQ(ids(f1.split.valid, Source::Soundscape), (std::vector<std::string>{"s2.ogg@0"}));
  EXPECT_EQ(ids(f1.split.train, Source::Soundscape), ids(f0.split.valid, Source::Soundscape));
  // Without soundscapes, only clips.
  const Loaded clipsOnly = load(work, 0, false);
  EXPECT_TRUE(ids(clipsOnly.split.train, Source::Soundscape).empty());
  EXPECT_TRUE(ids(clipsOnly.split.valid, Source::Soundscape).empty());
  // Items point at the right store rows.
  for (const auto* set : {&f0.split.train, &f0.split.valid})
    for (const auto& e : set->examples) {
      const auto& store = e.source == Source::Clip ? *f0.clips : *f0.scapes;
      EXPECT_EQ(store.items()[e.item].id, e.id);
    }
}

TEST(Split, TargetsPrimaryOneSecondaryHalfSoundscapeOne) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  const Loaded f0 = load(work, 0);
  const auto& valid = f0.split.valid.examples;
  EXPECT_EQ(dense(valid[0]), (std::vector<float>{1, 0.5f, 0, 0}));  // a with secondary b
  EXPECT_EQ(dense(valid[1]), (std::vector<float>{0.5f, 0, 1, 0}));  // c with secondary a (zz dropped)
  EXPECT_EQ(dense(valid[3]), (std::vector<float>{1, 1, 0, 0}));     // s1 5-10 s: a;b
  EXPECT_EQ(valid[3].endSeconds, 10);
  EXPECT_EQ(dense(f0.split.train.examples[0]), (std::vector<float>{0, 1, 0, 0}));
  EXPECT_TRUE(f0.split.train.examples[1].rare);  // d
  EXPECT_FALSE(f0.split.train.examples[0].rare);
  // The secondary value is an option.
  const auto meta = MetaFiles::inWork(work);
  SplitOptions o;
  o.targets.secondary = 0.3f;
  const Split s = loadSplit(meta, f0.species, *f0.clips, f0.scapes.get(), o);
  EXPECT_EQ(dense(s.valid.examples[0]), (std::vector<float>{1, 0.3f, 0, 0}));
}

TEST(Split, RowsThatCannotBeUsedAreNamedWithFileAndLine) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  const Loaded f0 = load(work, 0);
  ASSERT_EQ(f0.split.issues.size(), 2u);
  const auto& unknown = f0.split.issues[0];
  EXPECT_EQ(unknown.line, 4);
  EXPECT_EQ(unknown.kind, "unknown_label");
  EXPECT_NE(unknown.reason.find("zz"), std::string::npos);
  const auto& missing = f0.split.issues[1];
  EXPECT_EQ(missing.line, 6);
  EXPECT_EQ(missing.kind, "missing_item");
  EXPECT_NE(missing.reason.find("a/gone.ogg"), std::string::npos);
  EXPECT_NE(missing.file.find("train_cleaned_stratified.csv"), std::string::npos);
}

TEST(Split, BadFoldAndBadWindowRowsAreIssuesNotErrors) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  chorus::testing::writeText(work / "meta/soundscape_labels_with_folds.csv",
                             "filename,start,end,primary_label,start_s,end_s,fold\n"
                             "s1.ogg,00:00:05,00:00:10,a,5,10,x\n"
                             "s1.ogg,00:10:00,00:10:05,a,600,605,0\n"
                             "s2.ogg,00:00:00,00:00:05,d,0,5,1\n");
  const Loaded f0 = load(work, 0);
  std::vector<std::pair<long, std::string>> got;
  for (const auto& i : f0.split.issues)
    if (i.file.find("soundscape_labels") != std::string::npos) got.push_back({i.line, i.kind});
  EXPECT_EQ(got, (std::vector<std::pair<long, std::string>>{{2, "bad_fold"}, {3, "bad_window"}}));
  EXPECT_EQ(ids(f0.split.train, Source::Soundscape), (std::vector<std::string>{"s2.ogg@0"}));
}

TEST(Split, MissingTableIsAnInputErrorNamingIt) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  fs::remove(work / "meta/train_cleaned_stratified.csv");
  try {
    load(work, 0);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("train_cleaned_stratified.csv"), std::string::npos) << e.what();
  }
}
