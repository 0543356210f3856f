#include "dist/quiet_collectives.hpp"

#include <chrono>
#include <thread>

namespace chorus::dist {
namespace {

void waitQuietly(MPI_Request& request) {
  int done = 0;
  while (true) {
    checkMpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int severity(int rc) { return rc == 0 ? 0 : rc == 4 ? 1 : 10 + rc; }
int fromSeverity(int s) { return s == 0 ? 0 : s == 1 ? 4 : s - 10; }

}  // namespace

int worstExitCode(int rc, const MpiContext& mpi) {
  int mine = severity(rc), worst = mine;
  MPI_Request request;
  checkMpi(MPI_Iallreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, mpi.comm(), &request), "MPI_Iallreduce");
  waitQuietly(request);
  return fromSeverity(worst);
}

int exitCodeFromRoot(int rc, const MpiContext& mpi) {
  MPI_Request request;
  checkMpi(MPI_Ibcast(&rc, 1, MPI_INT, 0, mpi.comm(), &request), "MPI_Ibcast");
  waitQuietly(request);
  return rc;
}

}  // namespace chorus::dist
