#include "dist/sharding.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace chorus::dist {

std::vector<int> assignByCost(const std::vector<double>& costs, int ranks) {
  if (ranks < 1) throw UsageError("cannot share work among " + std::to_string(ranks) + " ranks");
  std::vector<size_t> order(costs.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return costs[a] > costs[b]; });
  std::vector<double> load(size_t(ranks), 0.0);
  std::vector<int> owner(costs.size(), 0);
  for (size_t item : order) {
    int least = int(std::min_element(load.begin(), load.end()) - load.begin());  // first minimum: lowest rank
    owner[item] = least;
    load[size_t(least)] += costs[item];
  }
  return owner;
}

std::vector<double> rankLoads(const std::vector<double>& costs, const std::vector<int>& owner, int ranks) {
  std::vector<double> load(size_t(ranks), 0.0);
  for (size_t i = 0; i < costs.size(); ++i) load[size_t(owner[i])] += costs[i];
  return load;
}

std::vector<size_t> itemsOfRank(const std::vector<int>& owner, int rank) {
  std::vector<size_t> mine;
  for (size_t i = 0; i < owner.size(); ++i)
    if (owner[i] == rank) mine.push_back(i);
  return mine;
}

std::vector<Chunk> contiguousChunks(const std::vector<double>& costs, double maxCost, size_t maxItems) {
  if (maxItems < 1) throw UsageError("a chunk must be allowed at least one item");
  std::vector<Chunk> chunks;
  Chunk current;
  for (size_t i = 0; i < costs.size(); ++i) {
    bool full = current.end > current.begin &&
                (current.end - current.begin >= maxItems || current.cost + costs[i] > maxCost);
    if (full) {
      chunks.push_back(current);
      current = Chunk{i, i, 0.0};
    }
    current.end = i + 1;
    current.cost += costs[i];
  }
  if (current.end > current.begin) chunks.push_back(current);
  return chunks;
}

}  // namespace chorus::dist
