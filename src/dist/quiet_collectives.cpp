#include "dist/quiet_collectives.hpp"

namespace chorus::dist {
namespace {

int severity(int rc) { return rc == 0 ? 0 : rc == 4 ? 1 : 10 + rc; }
int fromSeverity(int s) { return s == 0 ? 0 : s == 1 ? 4 : s - 10; }

}  // namespace

int worstExitCode(int rc, const MpiContext& mpi) {
  int mine = severity(rc), worst = mine;
  MPI_Request request;
  checkMpi(MPI_Iallreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, mpi.comm(), &request), "MPI_Iallreduce");
  mpi.wait(request, "agreeing on the exit code", true);
  return fromSeverity(worst);
}

int exitCodeFromRoot(int rc, const MpiContext& mpi) {
  MPI_Request request;
  checkMpi(MPI_Ibcast(&rc, 1, MPI_INT, 0, mpi.comm(), &request), "MPI_Ibcast");
  mpi.wait(request, "waiting for rank 0's stage", true);
  return rc;
}

}  // namespace chorus::dist
