// Folds against scikit-learn: every row's StratifiedKFold fold equals the one sklearn gave
// (tools/make_fold_fixture.py -> tests/fixtures/folds_stratified.csv), and the grouped soundscape
// folds follow their documented rule (the same rule in numpy -> folds_grouped.csv).
#include "meta/folds.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "meta/csv.hpp"
#include "test_util.hpp"

namespace chorus::meta {
namespace {

std::vector<std::string> column(const CsvTable& t, const std::string& name) {
  std::vector<std::string> out;
  for (std::size_t r = 0; r < t.size(); ++r) out.push_back(t.at(r, name));
  return out;
}

std::vector<int> intColumn(const CsvTable& t, const std::string& name) {
  std::vector<int> out;
  for (const auto& v : column(t, name)) out.push_back(std::stoi(v));
  return out;
}

struct Split {
  int nSplits;
  uint32_t seed;
  std::string column;
};
const Split kSplits[] = {{5, 42, "fold_k5_s42"}, {3, 7, "fold_k3_s7"}};

TEST(StratifiedKFold, EveryRowGetsSklearnsFold) {
  const auto table = CsvTable::read(testing::fixture("folds_stratified.csv"));
  const auto labels = column(table, "primary_label");
  ASSERT_GT(labels.size(), 250u);
  std::map<std::string, int> members;
  for (const auto& l : labels) ++members[l];
  for (int n : {1, 2, 3, 4}) {
    EXPECT_TRUE(std::any_of(members.begin(), members.end(), [n](const auto& m) { return m.second == n; }))
        << "the fixture should hold a class of " << n;
  }
  EXPECT_EQ(members.count("comma,label"), 1u);  // the CSV round trip kept the awkward labels
  EXPECT_EQ(members.count("quote\"label"), 1u);
  EXPECT_EQ(members.count(" spaced label "), 1u);

  for (const auto& split : kSplits) {
    const auto expected = intColumn(table, split.column);
    const auto folds = stratifiedKFold(labels, split.nSplits, split.seed);
    ASSERT_EQ(folds.size(), expected.size());
    int mismatches = 0;
    for (std::size_t r = 0; r < folds.size(); ++r) {
      if (folds[r] != expected[r] && ++mismatches <= 5)
        ADD_FAILURE() << split.column << ": row " << r << " ('" << labels[r] << "') fold " << folds[r]
                      << ", sklearn " << expected[r];
    }
    EXPECT_EQ(mismatches, 0) << split.column;
  }
}

TEST(StratifiedKFold, SmallestClassIsReportedForTheWarning) {
  EXPECT_EQ(smallestClass({"a", "b", "a", "c", "c", "a"}), 1u);
  EXPECT_EQ(smallestClass({}), 0u);
}

TEST(StratifiedKFold, RaisesWhereSklearnRaises) {
  EXPECT_THROW(stratifiedKFold({"a", "a", "b"}, 1, 42), UsageError);
  // "Cannot have number of splits n_splits=5 greater than the number of samples: n_samples=4."
  EXPECT_THROW(stratifiedKFold({"a", "a", "b", "b"}, 5, 42), InputError);
  // "n_splits=5 cannot be greater than the number of members in each class."
  EXPECT_THROW(stratifiedKFold({"a", "a", "b", "b", "c", "c"}, 5, 42), InputError);
  EXPECT_NO_THROW(stratifiedKFold({"a", "a", "a", "a", "a", "c"}, 5, 42));
}

TEST(GroupedFolds, FollowTheDocumentedRuleAsNumpyComputesIt) {
  const auto table = CsvTable::read(testing::fixture("folds_grouped.csv"));
  const auto files = column(table, "filename");
  for (const auto& split : kSplits)
    EXPECT_EQ(groupedFolds(files, split.nSplits, split.seed), intColumn(table, split.column)) << split.column;
}

TEST(GroupedFolds, NoFileSpansFoldsAndFoldSizesAreBalanced) {
  const auto files = column(CsvTable::read(testing::fixture("folds_grouped.csv")), "filename");
  std::map<std::string, std::size_t> windows;
  for (const auto& f : files) ++windows[f];
  std::size_t largest = 0;
  for (const auto& w : windows) largest = std::max(largest, w.second);

  for (uint32_t seed : {0u, 1u, 42u, 2026u}) {
    const auto folds = groupedFolds(files, 5, seed);
    std::map<std::string, std::set<int>> foldsOfFile;
    std::vector<std::size_t> perFold(5, 0);
    for (std::size_t i = 0; i < files.size(); ++i) {
      foldsOfFile[files[i]].insert(folds[i]);
      ASSERT_GE(folds[i], 0);
      ASSERT_LT(folds[i], 5);
      ++perFold[folds[i]];
    }
    for (const auto& [file, set] : foldsOfFile) EXPECT_EQ(set.size(), 1u) << file << " spans folds";
    auto [lo, hi] = std::minmax_element(perFold.begin(), perFold.end());
    EXPECT_GT(*lo, 0u) << "seed " << seed;
    EXPECT_LE(*hi - *lo, largest) << "seed " << seed;  // greedy lightest-fold bound
  }
}

TEST(GroupedFolds, FewerFilesThanFoldsLeavesFoldsEmptyButAssignsEveryWindow) {
  const auto folds = groupedFolds({"b.ogg", "a.ogg", "b.ogg"}, 5, 42);
  ASSERT_EQ(folds.size(), 3u);
  EXPECT_EQ(folds[0], folds[2]);
  EXPECT_NE(folds[0], folds[1]);
}

}  // namespace
}  // namespace chorus::meta
