// Cross-validation folds. The stratified split is scikit-learn's, reproduced exactly, so that a
// model trained here and one trained by the Python pipeline see the same held-out clips.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::meta {

// StratifiedKFold(n_splits, shuffle=True, random_state=seed)'s test fold of every row, as
// sklearn's _make_test_folds computes it: classes encoded in order of first appearance; per-class
// fold counts by dealing the class-sorted rows round-robin over the folds; each class's block of
// fold numbers shuffled with one RandomState(seed), class by class, then handed to the class's
// rows in row order. Classes smaller than n_splits are allowed (sklearn warns; see
// smallestClass()). Throws UsageError for n_splits < 2 and InputError where sklearn raises
// ValueError (more folds than rows, or than the members of every class).
std::vector<int> stratifiedKFold(const std::vector<std::string>& labels, int nSplits, uint32_t seed);

// Members of the least populated class (sklearn warns when it is below n_splits); 0 if empty.
std::size_t smallestClass(const std::vector<std::string>& labels);

// Folds for items that must stay together (windows of one soundscape file): the distinct groups
// in byte order (np.unique), visited in RandomState(seed).permutation order, each given to the
// fold with the fewest items so far (lowest fold on ties). No group spans two folds, and the
// fold sizes differ by at most the largest group. Folds stay empty when there are fewer groups.
std::vector<int> groupedFolds(const std::vector<std::string>& groups, int nSplits, uint32_t seed);

}  // namespace chorus::meta
