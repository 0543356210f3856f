// The MPI communicator on 2 real ranks (mpirun -np 2): sums, means, broadcasts in the world and in
// groups split from it, chunking of large buffers, the node-local rank.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "dist/communicator.hpp"
#include "dist/mpi_context.hpp"
#include "dist/rank_groups.hpp"

using namespace chorus::dist;

namespace {

const MpiContext& world() {
  static MpiContext mpi;  // MPI is already up (mpi_main.cpp): this only reads rank and size
  return mpi;
}

CommOptions testOptions() {
  CommOptions o;
  o.timeoutSeconds = 60;
  o.name = "test";
  return o;
}

}  // namespace

TEST(MpiCommunicator, SumMeanAndBroadcastOverTwoRanks) {
  ASSERT_EQ(world().size(), 2) << "run under mpirun -np 2";
  auto comm = makeMpiCommunicator(world().group(), testOptions());
  const int r = comm->rank();
  EXPECT_EQ(comm->size(), 2);
  EXPECT_EQ(comm->backend(), Backend::Mpi);

  // Rank r holds i + 1000 r; the sum is 2i + 1000, the mean i + 500 (exact in float).
  std::vector<float> f(3000);
  for (size_t i = 0; i < f.size(); ++i) f[i] = float(i) + 1000.f * float(r);
  std::vector<float> mean = f;
  comm->allReduceSum(f.data(), f.size(), DType::Float32);
  comm->allReduceMean(mean.data(), mean.size(), DType::Float32);
  for (size_t i = 0; i < f.size(); ++i) {
    ASSERT_EQ(f[i], 2.f * float(i) + 1000.f) << i;
    ASSERT_EQ(mean[i], float(i) + 500.f) << i;
  }
  std::vector<double> d = {0.25 * (r + 1), -1.5};
  comm->allReduceSum(d.data(), d.size(), DType::Float64);
  EXPECT_EQ(d[0], 0.75);
  EXPECT_EQ(d[1], -3.0);
  std::vector<int64_t> n = {int64_t(1) << 40, r};
  comm->allReduceSum(n.data(), n.size(), DType::Int64);
  EXPECT_EQ(n[0], int64_t(1) << 41);
  EXPECT_EQ(n[1], 1);
  EXPECT_THROW(comm->allReduceMean(n.data(), n.size(), DType::Int64), chorus::Error);

  // Broadcast from either root overwrites the other rank's buffer.
  for (int root : {0, 1}) {
    std::vector<float> b(5, float(r + 1));
    comm->broadcast(b.data(), b.size(), DType::Float32, root);
    for (float v : b) EXPECT_EQ(v, float(root + 1)) << "root " << root;
  }
  comm->barrier();
}

TEST(MpiCommunicator, GroupsOfOneAreIndependent) {
  // 2 ranks and 2 jobs: two groups of one rank; their collectives involve nobody else.
  GroupLayout layout = layoutGroups(world().size(), world().rank(), 2);
  ASSERT_EQ(layout.groupSize, 1);
  GroupComm group(world(), layout);
  auto comm = makeMpiCommunicator(group.group(), testOptions());
  EXPECT_EQ(comm->size(), 1);
  EXPECT_EQ(comm->rank(), 0);
  std::vector<float> v = {float(world().rank()) + 0.5f};
  comm->allReduceSum(v.data(), 1, DType::Float32);
  EXPECT_EQ(v[0], float(world().rank()) + 0.5f);
  // One job for two ranks: a single group of two, rank 1 is not its root.
  GroupLayout one = layoutGroups(world().size(), world().rank(), 1);
  GroupComm pair(world(), one);
  auto both = makeMpiCommunicator(pair.group(), testOptions());
  EXPECT_EQ(both->size(), 2);
  EXPECT_EQ(both->isRoot(), world().rank() == 0);
}

TEST(MpiCommunicator, NodeRankOnOneMachine) {
  NodeRank node = nodeRank(world());
  EXPECT_EQ(node.localSize, 2);  // both ranks share this machine's memory
  EXPECT_EQ(node.localRank, world().rank());
}

TEST(MpiCommunicator, LocalStandInIsTheIdentity) {
  auto local = makeLocalCommunicator();
  std::vector<float> v = {1.f, 2.f};
  local->allReduceMean(v.data(), 2, DType::Float32);
  local->broadcast(v.data(), 2, DType::Float32);
  local->barrier();
  EXPECT_EQ(v, (std::vector<float>{1.f, 2.f}));
  EXPECT_EQ(local->size(), 1);
}
