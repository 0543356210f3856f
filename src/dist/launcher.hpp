// Who owns MPI in a stage that can also run as one plain process (infer and pseudo in Kaggle mode).
#pragma once
#include <memory>

namespace chorus::dist {

class MpiContext;

// Whether this process was started by a launcher (mpirun, srun with PMIx/PMI) or already runs MPI
// (inside `chorus run`). Otherwise it is a single process (Kaggle mode) that should not call
// MPI_Init at all: Open MPI's singleton init forks an `orted` helper that a bundle copied to another
// machine does not have (it needs PATH, plugins and an rsh agent there).
bool launchedUnderMpi();

// The MPI world of such a stage: a context when launchedUnderMpi(), else null (one process, no MPI).
std::unique_ptr<MpiContext> mpiIfLaunched();

}  // namespace chorus::dist
