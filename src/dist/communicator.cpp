#include "dist/communicator.hpp"

#include <mpi.h>

#include <cstdlib>

#include "core/log.hpp"

namespace chorus::dist {

size_t dtypeBytes(DType dtype) {
  switch (dtype) {
    case DType::Float32: return 4;
    case DType::Float64:
    case DType::Int64: return 8;
  }
  return 1;
}

void abortRun(const std::string& why, int exitCode) {
  CHORUS_LOG(Error) << why;
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (initialised && !finalised) MPI_Abort(MPI_COMM_WORLD, exitCode);
  std::_Exit(exitCode);
}

}  // namespace chorus::dist
