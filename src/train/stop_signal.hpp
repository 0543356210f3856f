// SIGTERM and SIGUSR1 (SLURM's warning before a time limit or preemption: `sbatch --signal=USR1@120`)
// ask training to stop cleanly: the current step finishes, the group agrees, the root writes a
// checkpoint, and chorus exits with 128 + the signal (143 for SIGTERM, 138 for SIGUSR1) so a job
// script can tell "stopped, resumable with --resume" from a failure. Not SIGINT: Ctrl-C still
// stops at once.
#pragma once

namespace chorus::train {

class StopSignals {
 public:
  StopSignals();   // installs the handlers (process-wide; the previous ones are restored after)
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static int received();  // the last stop signal since install; 0 if none
};

}  // namespace chorus::train
