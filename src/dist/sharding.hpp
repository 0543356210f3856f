// Sharing work among ranks by estimated cost (audio seconds), not by count: one 10-minute
// recording costs as much as a hundred 6 s clips. Deterministic: every rank computes the same
// assignment from the same costs, so no communication is needed to agree on it.
#pragma once
#include <cstddef>
#include <vector>

namespace chorus::dist {

// Greedy LPT (longest processing time first): items by cost, largest first (ties: lower index
// first), each to the rank with the least load so far (ties: lower rank). Graham's bound: the
// busiest rank carries at most (4/3 - 1/(3 ranks)) times the optimum. Returns the rank of each item.
std::vector<int> assignByCost(const std::vector<double>& costs, int ranks);

// Total cost per rank for an assignment.
std::vector<double> rankLoads(const std::vector<double>& costs, const std::vector<int>& owner, int ranks);

// The items of one rank, in ascending item order.
std::vector<size_t> itemsOfRank(const std::vector<int>& owner, int rank);

// Consecutive items grouped into chunks of at most maxCost total cost and maxItems items (a chunk
// always takes at least one item, however costly). Depends only on the costs, never on the number
// of ranks, so chunks (and the part files made from them) survive a rerun with another -np.
struct Chunk {
  size_t begin = 0, end = 0;  // items [begin, end)
  double cost = 0;
};
std::vector<Chunk> contiguousChunks(const std::vector<double>& costs, double maxCost, size_t maxItems);

}  // namespace chorus::dist
