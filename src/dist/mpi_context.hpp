// The MPI world of one chorus process. Works under mpirun/srun and as a single rank without a
// launcher (MPI singleton init), so every stage has one code path for 1 and N ranks.
#pragma once
#include <mpi.h>

#include <string>
#include <vector>

#include "dist/group.hpp"

namespace chorus::dist {

class MpiContext {
 public:
  // Initialises MPI (thread level FUNNELED: only the main thread talks MPI) unless it already
  // is, sets the log rank, starts this rank's heartbeat (dist/liveness.hpp, when the watch names a
  // folder), and finalises in the destructor if it initialised, after a last barrier with the
  // watch's deadline. Every collective below has that deadline too (dist/polled_wait.hpp).
  MpiContext(int* argc = nullptr, char*** argv = nullptr);
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool isRoot() const { return rank_ == 0; }
  MPI_Comm comm() const { return MPI_COMM_WORLD; }
  Group group() const;  // the world as a group

  // Waits for `request`, a collective on the world, against the watch (what: "all-reduce (AND)",
  // named after the stage; quiet: sleeping between polls). Collectives of other dist files use it too.
  void wait(MPI_Request& request, const std::string& what, bool quiet = false) const;

  void barrier() const;
  // Logical AND / SUM over ranks; collective.
  bool allTrue(bool mine) const;
  long sum(long mine) const;
  // Rank 0's string on every rank; collective.
  std::string broadcast(const std::string& fromRoot) const;
  // Every rank's string, on rank 0 only (others get an empty vector); collective.
  std::vector<std::string> gatherToRoot(const std::string& mine) const;

 private:
  int rank_ = 0, size_ = 1;
  std::vector<int> peers() const;  // the other world ranks
  bool ownsInit_ = false;
};

// Throws chorus::Error naming the MPI call, the rank and MPI's message when rc != MPI_SUCCESS.
void checkMpi(int rc, const char* call);

}  // namespace chorus::dist
