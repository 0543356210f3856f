#include "dist/launcher.hpp"

#include <mpi.h>

#include <cstdlib>

#include "dist/mpi_context.hpp"

namespace chorus::dist {

bool launchedUnderMpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "SLURM_PMIX_MAPPING_SERV"})
    if (std::getenv(v)) return true;
  int initialised = 0;
  MPI_Initialized(&initialised);
  return initialised != 0;
}

std::unique_ptr<MpiContext> mpiIfLaunched() {
  return launchedUnderMpi() ? std::make_unique<MpiContext>() : nullptr;
}

}  // namespace chorus::dist
