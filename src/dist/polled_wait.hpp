// Inside src/dist only: the one wait of every MPI collective chorus makes. The collective is started
// non-blocking and polled; while it is not done, the other ranks of the group are watched
// (dist/liveness.hpp). The run is aborted (MPI_Abort, every rank ends) with a message naming the
// rank at fault when
//   - one of them stopped answering: no heartbeat for the timeout ("rank 1 stopped answering (no
//     reply in 5 s) during features: all-reduce (AND)");
//   - all of them have waited for the timeout, in other collectives than this one: no rank works,
//     so none will ever arrive (they took different paths).
// Ranks that are alive and working are waited for as long as they work. Without heartbeats (a
// process that set no watch) the timeout is a plain deadline on the wait.
#pragma once
#include <mpi.h>

#include <string>
#include <vector>

namespace chorus::dist {

struct WaitSpec {
  std::string what;          // "features: all-reduce (AND)", "the end of the run (train)"
  double timeoutSeconds = 900;
  std::vector<int> peers;    // world ranks of the other members of the group
  bool quiet = false;        // sleep between polls from the start (ranks that mostly wait)
};

void waitWithDeadline(MPI_Request& request, const WaitSpec& spec);

// World ranks of the members of `comm` other than this one.
std::vector<int> peersIn(MPI_Comm comm);

}  // namespace chorus::dist
