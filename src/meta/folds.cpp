#include "meta/folds.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/error.hpp"
#include "core/np_random.hpp"

namespace chorus::meta {
namespace {

void checkSplits(int nSplits, std::size_t rows) {
  if (nSplits < 2) throw UsageError("folds: n_splits must be at least 2, got " + std::to_string(nSplits));
  if (static_cast<std::size_t>(nSplits) > rows)
    throw InputError("folds: cannot have n_splits=" + std::to_string(nSplits) +
                     " greater than the number of samples: n_samples=" + std::to_string(rows));
}

// Class code of every row, codes given in order of first appearance (sklearn's y_encoded).
std::vector<int> encodeByFirstAppearance(const std::vector<std::string>& labels, std::vector<std::size_t>& counts) {
  std::unordered_map<std::string, int> code;
  std::vector<int> encoded;
  encoded.reserve(labels.size());
  for (const auto& label : labels) {
    auto it = code.emplace(label, static_cast<int>(code.size())).first;
    if (static_cast<std::size_t>(it->second) == counts.size()) counts.push_back(0);
    ++counts[it->second];
    encoded.push_back(it->second);
  }
  return encoded;
}

}  // namespace

std::size_t smallestClass(const std::vector<std::string>& labels) {
  std::vector<std::size_t> counts;
  encodeByFirstAppearance(labels, counts);
  return counts.empty() ? 0 : *std::min_element(counts.begin(), counts.end());
}

std::vector<int> stratifiedKFold(const std::vector<std::string>& labels, int nSplits, uint32_t seed) {
  checkSplits(nSplits, labels.size());
  std::vector<std::size_t> counts;
  const std::vector<int> encoded = encodeByFirstAppearance(labels, counts);
  const auto n = static_cast<std::size_t>(nSplits);
  if (*std::max_element(counts.begin(), counts.end()) < n)
    throw InputError("folds: n_splits=" + std::to_string(nSplits) +
                     " cannot be greater than the number of members in each class");

  // Rows of y sorted by code sit at positions [start, start + count) for each class; position p
  // is dealt to fold p % n (sklearn's bincount over y_order[i::n_splits]).
  NumpyRandomState rng(seed);
  std::vector<std::vector<int>> foldsOfClass(counts.size());
  std::size_t start = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    std::vector<int>& block = foldsOfClass[k];  // np.arange(n).repeat(allocation[:, k])
    for (std::size_t fold = 0; fold < n; ++fold) {
      std::size_t first = start + (fold + n - start % n) % n;  // first position >= start in this fold
      std::size_t end = start + counts[k];
      std::size_t members = first < end ? (end - first + n - 1) / n : 0;
      block.insert(block.end(), members, static_cast<int>(fold));
    }
    rng.shuffle(block);
    start += counts[k];
  }

  std::vector<int> folds(labels.size());
  std::vector<std::size_t> next(counts.size(), 0);
  for (std::size_t row = 0; row < labels.size(); ++row) folds[row] = foldsOfClass[encoded[row]][next[encoded[row]]++];
  return folds;
}

std::vector<int> groupedFolds(const std::vector<std::string>& groups, int nSplits, uint32_t seed) {
  if (nSplits < 2) throw UsageError("folds: n_splits must be at least 2, got " + std::to_string(nSplits));
  std::map<std::string, std::size_t> size;  // sorted by bytes: np.unique's order for UTF-8 text
  for (const auto& g : groups) ++size[g];
  std::vector<const std::string*> unique;
  for (const auto& entry : size) unique.push_back(&entry.first);

  std::vector<std::size_t> perFold(static_cast<std::size_t>(nSplits), 0);
  std::unordered_map<std::string, int> foldOf;
  NumpyRandomState rng(seed);
  for (int64_t i : rng.permutation(static_cast<int64_t>(unique.size()))) {
    const std::string& g = *unique[static_cast<std::size_t>(i)];
    auto lightest = std::min_element(perFold.begin(), perFold.end());  // first minimum, as np.argmin
    foldOf[g] = static_cast<int>(lightest - perFold.begin());
    *lightest += size[g];
  }
  std::vector<int> folds;
  folds.reserve(groups.size());
  for (const auto& g : groups) folds.push_back(foldOf[g]);
  return folds;
}

}  // namespace chorus::meta
