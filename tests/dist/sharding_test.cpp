// Cost-balanced sharding: LPT against the brute-force optimum and Graham's bound, a textbook
// instance where LPT is not optimal, and the chunking that part files are made from.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/error.hpp"
#include "dist/sharding.hpp"

using namespace chorus::dist;

namespace {

double makespan(const std::vector<double>& costs, const std::vector<int>& owner, int ranks) {
  auto load = rankLoads(costs, owner, ranks);
  return *std::max_element(load.begin(), load.end());
}

// The optimum by trying every assignment (ranks^n; small n only).
double optimalMakespan(const std::vector<double>& costs, int ranks) {
  size_t n = costs.size(), total = 1;
  for (size_t i = 0; i < n; ++i) total *= size_t(ranks);
  double best = 1e300;
  std::vector<int> owner(n);
  for (size_t code = 0; code < total; ++code) {
    size_t c = code;
    for (size_t i = 0; i < n; ++i, c /= size_t(ranks)) owner[i] = int(c % size_t(ranks));
    best = std::min(best, makespan(costs, owner, ranks));
  }
  return best;
}

}  // namespace

TEST(Sharding, LptWithinGrahamsBoundOfTheOptimum) {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> seconds(3.0, 1.0);  // clip lengths are long-tailed
  double worstRatio = 1;
  for (int trial = 0; trial < 200; ++trial) {
    int ranks = 2 + trial % 2;
    std::vector<double> costs(size_t(5 + trial % 5));
    for (auto& c : costs) c = seconds(rng);
    auto owner = assignByCost(costs, ranks);
    ASSERT_EQ(owner.size(), costs.size());
    for (int r : owner) ASSERT_TRUE(r >= 0 && r < ranks);
    double ratio = makespan(costs, owner, ranks) / optimalMakespan(costs, ranks);
    ASSERT_LE(ratio, 4.0 / 3.0 - 1.0 / (3.0 * ranks) + 1e-12) << "trial " << trial;
    worstRatio = std::max(worstRatio, ratio);
  }
  EXPECT_GT(worstRatio, 1.0);  // LPT is a heuristic: some instances are not optimal
}

TEST(Sharding, GrahamsTightInstance) {
  // Two machines, jobs 3,3,2,2,2: LPT puts 3+2+2 on one (7), optimum is 3+3 | 2+2+2 (6).
  std::vector<double> costs = {3, 3, 2, 2, 2};
  auto owner = assignByCost(costs, 2);
  EXPECT_EQ(owner, (std::vector<int>{0, 1, 0, 1, 0}));
  EXPECT_EQ(makespan(costs, owner, 2), 7);
  EXPECT_EQ(optimalMakespan(costs, 2), 6);
}

TEST(Sharding, BalancesCostNotCount) {
  // One 10-minute soundscape and a hundred 6 s clips: by count each rank would get 50.5 files and
  // one rank 10 extra minutes; by cost the long file is alone.
  std::vector<double> costs(101, 6.0);
  costs[40] = 600.0;
  auto owner = assignByCost(costs, 2);
  auto load = rankLoads(costs, owner, 2);
  EXPECT_EQ(load[0], 600.0);
  EXPECT_EQ(load[1], 600.0);
  EXPECT_EQ(itemsOfRank(owner, 0), (std::vector<size_t>{40}));
  EXPECT_EQ(itemsOfRank(owner, 1).size(), 100u);
}

TEST(Sharding, DeterministicAndEveryItemOnce) {
  std::vector<double> costs;
  for (int i = 0; i < 1000; ++i) costs.push_back(double((i * 7919) % 97 + 1));
  auto a = assignByCost(costs, 7), b = assignByCost(costs, 7);
  EXPECT_EQ(a, b);
  size_t seen = 0;
  for (int r = 0; r < 7; ++r) seen += itemsOfRank(a, r).size();
  EXPECT_EQ(seen, costs.size());
  auto load = rankLoads(costs, a, 7);
  double total = 0, largest = 0;
  for (double c : costs) total += c, largest = std::max(largest, c);
  // List-scheduling bound: no rank exceeds the mean by more than the largest item.
  EXPECT_LE(*std::max_element(load.begin(), load.end()), total / 7 + largest);
  EXPECT_THROW(assignByCost(costs, 0), chorus::UsageError);
  EXPECT_TRUE(assignByCost({}, 3).empty());
}

TEST(Sharding, ContiguousChunksByCostAndCount) {
  std::vector<double> costs = {5, 5, 5, 20, 1, 1, 1, 1};
  auto chunks = contiguousChunks(costs, 10, 3);
  ASSERT_EQ(chunks.size(), 5u);
  const size_t bounds[][2] = {{0, 2}, {2, 3}, {3, 4}, {4, 7}, {7, 8}};
  const double cost[] = {10, 5, 20, 3, 1};
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].begin, bounds[i][0]);
    EXPECT_EQ(chunks[i].end, bounds[i][1]);
    EXPECT_EQ(chunks[i].cost, cost[i]);
  }
  EXPECT_TRUE(contiguousChunks({}, 10, 3).empty());
  EXPECT_THROW(contiguousChunks(costs, 10, 0), chorus::UsageError);
}
