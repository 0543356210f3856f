// chorus train (NB2): trains (backbone, fold) models on the feature stores, one job after another,
// into WORK/models/<backbone>-f<k>/ (checkpoint_dir.hpp: epoch checkpoints, last/best pointers,
// metrics.csv, oof.csv). Finished jobs are skipped; --resume continues an unfinished one exactly
// where its last checkpoint left it. Rows that could not be used are named in
// WORK/models/<job>/report.json. No torch in this header: cli includes it.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "train/options.hpp"

namespace chorus::train {

struct JobResult {
  Job job;
  std::filesystem::path dir;
  bool skipped = false;     // already finished before this run
  bool finished = false;    // all epochs done, or stopped early
  int epochs = 0;           // epochs finished in total
  double bestScore = -1;    // the headline (soundscape, else clip) out-of-fold AUC of the best epoch
  int bestEpoch = 0;
  double secondsPerEpoch = 0;  // mean over the epochs of this run
  size_t issues = 0;
};

// One job: trains from scratch, or continues from last.json with options.resume.
JobResult trainJob(const TrainOptions& options, const Job& job);

// Every job of options (jobsFor), in turn, skipping finished ones.
std::vector<JobResult> runTrain(const TrainOptions& options);

}  // namespace chorus::train
