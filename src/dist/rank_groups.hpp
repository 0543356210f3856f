// Rank groups: the world of `mpirun -np N` split into data-parallel groups, one job at a time per
// group. With N >= jobs, jobs groups of N / jobs ranks run side by side (ranks beyond
// jobs * (N / jobs) stay idle); with fewer ranks, N groups of one take the jobs in turn (job j goes
// to group j % groups). Ranks of a group are consecutive world ranks, so a group stays on one
// node where it can. Pure arithmetic first (every rank computes the same layout, no messages),
// then the MPI communicators built from it.
#pragma once
#include <mpi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "dist/group.hpp"

namespace chorus::dist {

class MpiContext;

struct GroupLayout {
  int groups = 1, groupSize = 1;
  int group = 0;        // this rank's group; -1: idle (more ranks than groups can use)
  int rankInGroup = 0;  // 0: the group root
  std::vector<size_t> jobs;  // indices of the jobs this rank's group runs, in order
};
GroupLayout layoutGroups(int worldSize, int worldRank, size_t jobs);

// This rank's group as an MPI communicator (collective over the world: idle ranks take part and
// get MPI_COMM_NULL). Freed by the destructor.
class GroupComm {
 public:
  GroupComm(const MpiContext& world, const GroupLayout& layout);
  ~GroupComm();
  GroupComm(const GroupComm&) = delete;
  GroupComm& operator=(const GroupComm&) = delete;
  MPI_Comm comm() const { return comm_; }
  Group group() const;  // of this process alone on an idle rank

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

// The ranks sharing this node's memory (MPI_Comm_split_type SHARED): this rank's place among them.
struct NodeRank {
  int localRank = 0, localSize = 1;
};
NodeRank nodeRank(const MpiContext& world);

// The GPU of a node-local rank: round robin over the node's devices (consecutive ranks, i.e. the
// ranks of one group, land on different GPUs; NCCL refuses two ranks of a clique on one GPU).
// UsageError when more than jobsPerGpu ranks would share a device.
int deviceFor(const NodeRank& node, int devices, int jobsPerGpu);

}  // namespace chorus::dist
