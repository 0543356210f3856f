// chorus train (NB2): trains (backbone, fold) models on the feature stores into
// WORK/models/<backbone>-f<k>/ (checkpoint_dir.hpp: epoch checkpoints, last/best pointers,
// metrics.csv, oof.csv). Finished jobs are skipped; --resume continues an unfinished one exactly
// where its last checkpoint left it. Rows that could not be used are named in
// WORK/models/<job>/report.json. No torch in this header: cli includes it.
//
// Under mpirun/srun the world splits into rank groups (dist/rank_groups.hpp), one job at a time per
// group, data-parallel within it (data_parallel.hpp): --batch-size is per rank, the sampler gives
// rank r every world-th slot of the epoch, the root's weights start every rank, gradients are
// averaged, batch-norm running statistics averaged at each epoch end, validation is sharded over
// the ranks and summed; only the group root writes (checkpoints, metrics.csv, oof.csv, report.json).
// A rank that throws aborts the run with its rank and reason (a group must never wait forever on
// it); SIGTERM/SIGUSR1 save a checkpoint and exit with 128 + signal (stop_signal.hpp).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "dist/group.hpp"
#include "train/options.hpp"

namespace chorus::dist {
class MpiContext;
}

namespace chorus::train {

struct JobResult {
  meta::Job job;
  std::filesystem::path dir;
  bool skipped = false;     // already finished before this run
  bool finished = false;    // all epochs done, or stopped early
  int epochs = 0;           // epochs finished in total
  double bestScore = -1;    // the headline (soundscape, else clip) out-of-fold AUC of the best epoch
  int bestEpoch = 0;
  double secondsPerEpoch = 0;  // mean over the epochs of this run
  size_t issues = 0;
  uint64_t modelDigest = 0;  // of the final weights and buffers: the same on every rank of a group
};

// The ranks one job trains on (alone: this process, no MPI needed). On CUDA the group's gradients
// go over NCCL on cudaDevice.
struct JobGroup {
  dist::Group ranks;
  int cudaDevice = 0;
  std::string label;  // for messages: "group 3 of 5" ("" alone)
};

// One job: trains from scratch, or continues from its last checkpoint with options.resume
// (options.world and options.rank are taken from the group).
JobResult trainJob(const TrainOptions& options, const meta::Job& job, const JobGroup& group = {});

// Every job of options (jobsFor; with neither --job nor one from SLURM_ARRAY_TASK_ID), skipping
// finished ones, spread over rank groups of `world`; each rank returns its group's results.
std::vector<JobResult> runTrain(const TrainOptions& options, const dist::MpiContext& world);
// The same in this process alone (no MPI groups), jobs in turn.
std::vector<JobResult> runTrain(const TrainOptions& options);

// The jobs this run trains: --job alone, else the one SLURM_ARRAY_TASK_ID (`arrayTask`, >= 0)
// indexes in jobsFor order, else all of them.
std::vector<meta::Job> selectJobs(const TrainOptions& options, int arrayTask);

}  // namespace chorus::train
