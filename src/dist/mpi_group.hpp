// Inside src/dist only: the MPI communicator behind a dist::Group.
#pragma once
#include <mpi.h>

#include "dist/group.hpp"

namespace chorus::dist {

struct GroupHandle {
  MPI_Comm comm = MPI_COMM_NULL;  // not owned: whoever made the Group keeps it alive
};

// MPI_COMM_NULL gives the group of this process alone.
Group groupOf(MPI_Comm comm);
// MPI_COMM_NULL for a group of this process alone.
MPI_Comm commOf(const Group& group);

}  // namespace chorus::dist
