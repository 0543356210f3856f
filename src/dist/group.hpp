// The ranks of one collective group as a value that layers above dist can hold and pass on without
// MPI's header (an MPI_Comm is a pointer in Open MPI and an int in MPICH: it cannot be declared
// forward). Only src/dist opens it (dist/mpi_group.hpp).
#pragma once
#include <memory>

namespace chorus::dist {

struct GroupHandle;  // dist/mpi_group.hpp: the MPI communicator

class Group {
 public:
  Group() = default;  // this process alone: no MPI
  explicit Group(std::shared_ptr<const GroupHandle> handle) : handle_(std::move(handle)) {}
  bool alone() const { return !handle_; }
  const GroupHandle* handle() const { return handle_.get(); }

 private:
  std::shared_ptr<const GroupHandle> handle_;
};

}  // namespace chorus::dist
