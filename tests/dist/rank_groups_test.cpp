// Rank groups and GPU mapping: the arithmetic every rank does alone, checked over whole worlds.
#include <gtest/gtest.h>

#include <set>

#include "core/error.hpp"
#include "dist/rank_groups.hpp"

using namespace chorus::dist;

namespace {

// Every job run exactly once over the world, by exactly one group.
void expectEveryJobOnce(int world, size_t jobs) {
  std::multiset<size_t> run;
  std::set<int> roots;
  for (int r = 0; r < world; ++r) {
    GroupLayout l = layoutGroups(world, r, jobs);
    if (l.rankInGroup != 0) continue;  // count each group once, at its root
    roots.insert(l.group);
    run.insert(l.jobs.begin(), l.jobs.end());
  }
  EXPECT_EQ(run.size(), jobs) << world << " ranks, " << jobs << " jobs";
  for (size_t j = 0; j < jobs; ++j) EXPECT_EQ(run.count(j), 1u) << "job " << j;
}

}  // namespace

TEST(RankGroups, MoreRanksThanJobsMakeGroupsSideBySide) {
  // 20 ranks, 10 jobs: groups of 2 consecutive ranks, one job each.
  for (int r = 0; r < 20; ++r) {
    GroupLayout l = layoutGroups(20, r, 10);
    EXPECT_EQ(l.groups, 10);
    EXPECT_EQ(l.groupSize, 2);
    EXPECT_EQ(l.group, r / 2);
    EXPECT_EQ(l.rankInGroup, r % 2);
    EXPECT_EQ(l.jobs, std::vector<size_t>{size_t(r / 2)});
  }
  // 3 ranks, 2 jobs: two groups of one; the third rank has nothing to do.
  EXPECT_EQ(layoutGroups(3, 2, 2).group, -1);
  EXPECT_TRUE(layoutGroups(3, 2, 2).jobs.empty());
  for (int world : {1, 2, 3, 4, 7, 10, 11, 20, 25}) expectEveryJobOnce(world, 10);
}

TEST(RankGroups, FewerRanksThanJobsTakeJobsInTurn) {
  GroupLayout l = layoutGroups(2, 1, 10);
  EXPECT_EQ(l.groups, 2);
  EXPECT_EQ(l.groupSize, 1);
  EXPECT_EQ(l.rankInGroup, 0);
  EXPECT_EQ(l.jobs, (std::vector<size_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(layoutGroups(1, 0, 10).jobs.size(), 10u);
  EXPECT_THROW(layoutGroups(2, 2, 10), chorus::UsageError);
}

TEST(RankGroups, DevicesRoundRobinWithinTheJobsPerGpuLimit) {
  // 4 ranks on a node with 2 GPUs, 2 jobs per GPU: ranks 0,1 (one group of two) on different GPUs.
  for (int l = 0; l < 4; ++l) EXPECT_EQ(deviceFor(NodeRank{l, 4}, 2, 2), l % 2);
  // 10 single-rank jobs sharing one GPU.
  for (int l = 0; l < 10; ++l) EXPECT_EQ(deviceFor(NodeRank{l, 10}, 1, 10), 0);
  try {
    deviceFor(NodeRank{0, 3}, 1, 2);
    FAIL() << "3 ranks on one GPU with --jobs-per-gpu 2 were accepted";
  } catch (const chorus::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--jobs-per-gpu 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(deviceFor(NodeRank{0, 1}, 0, 1), chorus::UsageError);
}
