// Pseudo labels in the training data: the file format round trip, the leakage rule (no window of
// a soundscape labelled in the validation fold), the count of examples per epoch, the soft targets
// and the stronger noise of the pseudo examples, and bad files named with file and row.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/error.hpp"
#include "dataset/pseudo_labels.hpp"
#include "dataset/training_data.hpp"
#include "dataset_fixture.hpp"
#include "store/feature_store.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
namespace fs = std::filesystem;

namespace {

// The fixture's soundscapes: s1 (60 s, labelled, fold 0: 5-10 and 10-15 s), s2 (30 s, labelled,
// fold 1: 0-5 s), s3 (20 s, never labelled). Classes a, b, c, d.
std::vector<PseudoRow> fixtureRows() {
  return {{"s1.ogg", 0, 5, {0.9f, 0, 0, 0}},       // fold-0 soundscape, window without expert labels
          {"s1.ogg", 5, 10, {0, 0.8f, 0, 0}},      // fold-0 soundscape, an expert-labelled window
          {"s2.ogg", 5, 10, {0, 0, 0.7f, 0.25f}},  // fold-1 soundscape
          {"s3.ogg", 0, 5, {0.6f, 0, 0, 0}},       // unlabelled soundscape
          {"s3.ogg", 10, 15, {0, 0, 0, 0.55f}}};
}

fs::path makeWork(const std::vector<PseudoRow>& rows = fixtureRows()) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  chorus::testing::writeText(work / "pseudo/r1" / kPseudoCsvName, pseudoCsvText({"a", "b", "c", "d"}, rows));
  return work;
}

DataOptions optionsFor(const fs::path& work, int fold, double p = 1.0) {
  DataOptions o;
  o.work = work;
  o.fold = fold;
  o.pseudo.dir = work / "pseudo/r1";
  o.pseudo.p = p;
  return o;
}

std::vector<const Example*> pseudoExamples(const TrainingData& data) {
  std::vector<const Example*> out;
  for (const auto& e : data.split().train.examples)
    if (e.pseudo) out.push_back(&e);
  return out;
}

}  // namespace

TEST(PseudoLabels, RoundComesFromTheFolderName) {
  EXPECT_EQ(pseudoRound("WORK/pseudo/r1"), 1);
  EXPECT_EQ(pseudoRound("WORK/pseudo/r12/"), 12);
  EXPECT_THROW(pseudoRound("WORK/pseudo/round1"), UsageError);
  EXPECT_THROW(pseudoRound("WORK/pseudo/r0"), UsageError);
  EXPECT_THROW(pseudoRound("WORK/pseudo/r1x"), UsageError);
}

TEST(PseudoLabels, CsvHasRowIdsWindowsAndOneColumnPerClass) {
  const std::string text = pseudoCsvText({"a", "b"}, {{"X_1.ogg", 55, 60, {0.5f, 0}}});
  EXPECT_EQ(text, "row_id,filename,start_s,end_s,a,b\nX_1_60,X_1.ogg,55,60,0.5,0\n");
}

TEST(PseudoLabels, LeakageRuleDropsTheValidationFoldsSoundscapes) {
  const fs::path work = makeWork();
  // Fold 0 validates on s1: none of s1's windows may train, whatever their label.
  const TrainingData fold0(optionsFor(work, 0));
  std::vector<std::string> seen;
  for (const Example* e : pseudoExamples(fold0)) seen.push_back(e->id + "@" + std::to_string(e->frameStart));
  EXPECT_EQ(seen, (std::vector<std::string>{"s2.ogg@313", "s3.ogg@0", "s3.ogg@625"}));
  EXPECT_EQ(fold0.pseudo().validationFold, 2u);
  EXPECT_EQ(fold0.pseudo().labelledWindow, 0u);
  for (const auto& e : fold0.split().valid.examples) EXPECT_FALSE(e.pseudo);
  // Fold 1 validates on s2; s1's expert-labelled window keeps its expert labels only.
  const TrainingData fold1(optionsFor(work, 1));
  seen.clear();
  for (const Example* e : pseudoExamples(fold1)) seen.push_back(e->id + "@" + std::to_string(e->frameStart));
  EXPECT_EQ(seen, (std::vector<std::string>{"s1.ogg@0", "s3.ogg@0", "s3.ogg@625"}));
  EXPECT_EQ(fold1.pseudo().validationFold, 1u);
  EXPECT_EQ(fold1.pseudo().labelledWindow, 1u);
  EXPECT_TRUE(fold1.pseudo().issues.empty());
}

TEST(PseudoLabels, PseudoWindowsJoinTheEpochWithProbabilityP) {
  const fs::path work = makeWork();
  DataOptions plain;
  plain.work = work;
  plain.fold = 0;
  const size_t labelled = TrainingData(plain).plan(1).size();
  EXPECT_EQ(labelled, 3u);  // b/short, d/rare (fold 1 clips) and s2's window
  EXPECT_EQ(TrainingData(optionsFor(work, 0, 1.0)).plan(1).size(), labelled + 3);
  EXPECT_EQ(TrainingData(optionsFor(work, 0, 0.0)).plan(1).size(), labelled);
  // p = 0.5 of 3 windows: 2 per epoch (rounded), a different choice in different epochs.
  const TrainingData half(optionsFor(work, 0, 0.5));
  std::set<std::vector<size_t>> chosen;
  for (int epoch = 1; epoch <= 8; ++epoch) {
    const EpochPlan plan = half.plan(epoch);
    EXPECT_EQ(plan.size(), labelled + 2);
    std::vector<size_t> pseudo;
    for (size_t i : plan.order())
      if (half.split().train.examples[i].pseudo) pseudo.push_back(i);
    std::sort(pseudo.begin(), pseudo.end());
    chosen.insert(pseudo);
  }
  EXPECT_GT(chosen.size(), 1u);
}

TEST(PseudoLabels, TargetsAreTheSoftLabelsAndTheNoiseIsStronger) {
  const fs::path work = makeWork();
  DataOptions o = optionsFor(work, 0);
  o.augment = AugmentOptions::none();
  o.augment.gain = {true, 0.5};
  o.pseudo.noiseScale = 2;  // gain with probability 1 for the pseudo windows
  const TrainingData noisy(o);
  o.augment = AugmentOptions::none();
  const TrainingData quiet(o);
  std::vector<Slot> slots;
  const auto& train = noisy.split().train.examples;
  for (size_t i = 0; i < train.size(); ++i)
    if (train[i].pseudo) slots.push_back({uint64_t(i), i});
  ASSERT_EQ(slots.size(), 3u);
  std::vector<float> a(slots.size() * noisy.inputValues()), b(a.size()), y(slots.size() * 4);
  noisy.batch(slots, Mode::Train, 1, a.data(), y.data());
  quiet.batch(slots, Mode::Train, 1, b.data(), nullptr);
  for (size_t e = 0; e < slots.size(); ++e) EXPECT_NE(a[e * noisy.inputValues()], b[e * noisy.inputValues()]) << e;
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0.7f, 0.25f, 0.6f, 0, 0, 0, 0, 0, 0, 0.55f}));
  // The pseudo window's input is the store's window (s3 is soundscape store item 2, 10-15 s).
  const float* w = b.data() + 2 * quiet.inputValues();
  EXPECT_FLOAT_EQ(w[7 * 313 + 3], (chorus::testing::cellDb(2, 625 + 3, 7) + 20) / 20);
  const AugmentOptions scaled = noisyStudent(AugmentOptions{}, 2);
  EXPECT_DOUBLE_EQ(scaled.colouredNoise.p, 0.6);
  EXPECT_DOUBLE_EQ(scaled.background.p, 1.0);
  EXPECT_DOUBLE_EQ(scaled.timeMask.p, 1.0);
}

TEST(PseudoLabels, MissingColumnOrUnknownClassIsAnErrorNamingTheFile) {
  const fs::path work = makeWork();
  const fs::path csv = work / "pseudo/r1" / kPseudoCsvName;
  chorus::testing::writeText(csv, "row_id,filename,start_s,a,b\ns3_5,s3.ogg,0,1,0\n");
  try {
    TrainingData data(optionsFor(work, 0));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(csv.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("end_s"), std::string::npos) << e.what();
  }
  chorus::testing::writeText(csv, "row_id,filename,start_s,end_s,a,zz\ns3_5,s3.ogg,0,5,1,0\n");
  try {
    TrainingData data(optionsFor(work, 0));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(csv.string() + ":1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'zz'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(TrainingData(optionsFor(work / "nothing", 0)), InputError);
}

TEST(PseudoLabels, BadRowsAreIssuesNamingFileAndLineAndTheRestCarriesOn) {
  const fs::path work = makeWork({{"s3.ogg", 0, 5, {0.6f, 0, 0, 0}},
                                  {"s9.ogg", 0, 5, {0.6f, 0, 0, 0}},     // line 3: no such soundscape
                                  {"s3.ogg", 40, 45, {0.6f, 0, 0, 0}},   // line 4: s3 is 20 s long
                                  {"s3.ogg", 5, 10, {1.5f, 0, 0, 0}}});  // line 5: not a probability
  const TrainingData data(optionsFor(work, 0));
  EXPECT_EQ(pseudoExamples(data).size(), 1u);
  const auto& issues = data.pseudo().issues;  // also in split().issues, for the job's report.json
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(std::count_if(data.split().issues.begin(), data.split().issues.end(),
                          [&](const meta::RowIssue& i) { return i.file == issues[0].file; }),
            3);
  const std::string file = (work / "pseudo/r1" / kPseudoCsvName).string();
  EXPECT_EQ(issues[0].file, file);
  EXPECT_EQ(issues[0].line, 3);
  EXPECT_EQ(issues[0].kind, "missing_item");
  EXPECT_NE(issues[0].reason.find("s9.ogg"), std::string::npos);
  EXPECT_EQ(issues[1].line, 4);
  EXPECT_EQ(issues[1].kind, "bad_window");
  EXPECT_EQ(issues[2].line, 5);
  EXPECT_EQ(issues[2].kind, "bad_value");
}
