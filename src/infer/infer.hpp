// chorus infer (NB4): the ensemble over the test soundscapes (and optionally a teacher store, one
// more member of the reducer) -> submission.csv aligned to sample_submission.csv. Under mpirun every rank predicts a cost-balanced share of the soundscapes
// (predict.hpp) and writes its logits to WORK/infer/parts/; rank 0 (the reducer) joins them,
// reduces (reducer.hpp), aligns the rows and writes the submission and WORK/infer/report.json.
// Without a launcher it is the Kaggle mode: one process, threads, the time budget, and no MPI_Init at
// all (Open MPI's singleton start-up forks an `orted` helper that a bundle elsewhere lacks). The
// submission is the same for any number of ranks. No torch here.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infer/ensemble_run.hpp"
#include "infer/postprocess.hpp"

namespace chorus::infer {

struct InferOptions {
  std::filesystem::path data, work;         // the Kaggle layout; WORK/models, WORK/meta, WORK/infer
  std::filesystem::path out;                // submission.csv
  std::string set = "test_soundscapes";     // the soundscape folder under DATA
  std::vector<std::string> models;          // job folders or names under WORK/models; empty: all (modelDirs)
  std::vector<double> weights;              // per model; empty: all 1
  // Engine, precision, device, threads, batch, TTA, failures, the time budget (Kaggle mode only).
  EnsembleRunOptions run;
  std::string reduce = "rank";              // rank | logits | probs (reducer.hpp)
  PostProcessOptions post;                  // smoothing / per-file boost before the reducer (postprocess.hpp); off
  bool fromStore = false;                   // read log-mel from WORK/features/<set>.h5 instead of decoding
  double missingValue = 0.5;                // value of a sample_submission row without audio (every class)
  std::filesystem::path sampleSubmission;   // empty: DATA/sample_submission.csv
  std::filesystem::path species;            // empty: WORK/meta/species_list.csv
  // A teacher store over the set's soundscapes (store/teacher_store.hpp): one more reducer member
  // with share teacherWeight of every class it has (reduceWithTeacher); classes it lacks, and windows
  // it did not score, keep the models' values. Empty: the models alone.
  std::filesystem::path teacher;
  double teacherWeight = 0.3;

  void validate() const;                    // UsageError naming the first bad value
};

struct InferSummary {
  size_t soundscapes = 0, failed = 0, rows = 0, missingRows = 0, extraRows = 0;
  std::vector<std::string> models, tta, droppedModels, droppedTta;
  double seconds = 0, projectedSeconds = 0;
  ExitCode exitCode = ExitCode::Ok;
};

// Collective under mpirun/srun or inside a process that already runs MPI (every rank calls it);
// otherwise one process without MPI.
InferSummary runInfer(const InferOptions& options);

}  // namespace chorus::infer
