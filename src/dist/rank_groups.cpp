#include "dist/rank_groups.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "dist/mpi_context.hpp"
#include "dist/mpi_group.hpp"

namespace chorus::dist {

GroupLayout layoutGroups(int worldSize, int worldRank, size_t jobs) {
  if (worldSize < 1 || worldRank < 0 || worldRank >= worldSize)
    throw UsageError("rank " + std::to_string(worldRank) + " is not in a world of " + std::to_string(worldSize));
  GroupLayout layout;
  if (jobs == 0) {
    layout.group = -1;
    return layout;
  }
  layout.groups = int(std::min(size_t(worldSize), jobs));
  layout.groupSize = worldSize / layout.groups;
  const int group = worldRank / layout.groupSize;
  if (group >= layout.groups) {
    layout.group = -1;
    layout.rankInGroup = -1;
    return layout;
  }
  layout.group = group;
  layout.rankInGroup = worldRank % layout.groupSize;
  for (size_t j = size_t(group); j < jobs; j += size_t(layout.groups)) layout.jobs.push_back(j);
  return layout;
}

// MPI_Comm_split and MPI_Comm_split_type have no non-blocking form: a barrier with the deadline
// first makes sure every rank is there, so that they return at once.
GroupComm::GroupComm(const MpiContext& world, const GroupLayout& layout) {
  world.barrier();
  const int color = layout.group < 0 ? MPI_UNDEFINED : layout.group;
  checkMpi(MPI_Comm_split(world.comm(), color, world.rank(), &comm_), "MPI_Comm_split");
}

Group GroupComm::group() const { return groupOf(comm_); }

GroupComm::~GroupComm() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (comm_ != MPI_COMM_NULL && !finalised) MPI_Comm_free(&comm_);
}

NodeRank nodeRank(const MpiContext& world) {
  world.barrier();
  MPI_Comm node = MPI_COMM_NULL;
  checkMpi(MPI_Comm_split_type(world.comm(), MPI_COMM_TYPE_SHARED, world.rank(), MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  NodeRank out;
  checkMpi(MPI_Comm_rank(node, &out.localRank), "MPI_Comm_rank");
  checkMpi(MPI_Comm_size(node, &out.localSize), "MPI_Comm_size");
  MPI_Comm_free(&node);
  return out;
}

int deviceFor(const NodeRank& node, int devices, int jobsPerGpu) {
  if (devices < 1) throw UsageError("no CUDA device on this node");
  if (jobsPerGpu < 1) throw UsageError("--jobs-per-gpu must be at least 1");
  if (node.localSize > devices * jobsPerGpu)
    throw UsageError(std::to_string(node.localSize) + " ranks on this node but " + std::to_string(devices) +
                     " GPUs x --jobs-per-gpu " + std::to_string(jobsPerGpu) +
                     ": start fewer ranks per node or allow more jobs per GPU");
  return node.localRank % devices;
}

}  // namespace chorus::dist
