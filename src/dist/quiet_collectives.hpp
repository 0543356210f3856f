// Collectives for ranks that mostly wait: while rank 0 runs a one-process stage (synth, prep), the
// others wait in a non-blocking collective polled with short sleeps, so that they do not spin a core
// the stage needs. Used by `chorus run` between stages.
#pragma once
#include "dist/mpi_context.hpp"

namespace chorus::dist {

// Exit codes agreed over ranks: a failure (1, 2, 3) outranks a partial failure (4), which outranks
// success; every rank returns the worst. Collective.
int worstExitCode(int mine, const MpiContext& mpi);

// Rank 0's exit code on every rank. Collective.
int exitCodeFromRoot(int rc, const MpiContext& mpi);

}  // namespace chorus::dist
