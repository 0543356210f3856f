// chorus pseudo (NB3): round n's soft labels from round n-1's models.
//
//   models   WORK/models/<backbone>-f<k>/ for round 1, <backbone>-f<k>-r<n-1>/ for round n > 1
//   windows  every 5 s window of train_soundscapes (from WORK/features/train_soundscapes.h5 when it
//            exists, else decoded from DATA/train_soundscapes), predicted by infer's API: shards of
//            soundscapes over the MPI ranks, TTA averaged, gathered on rank 0 (predictSharded)
//   labels   out of fold and thresholded (selection.hpp), written atomically to WORK/pseudo/r<n>/:
//            pseudo_labels_soft.csv (format: dataset/pseudo_labels.hpp), pseudo_labels_soft.h5 (the
//            same rows: row_id, filename, start_s, end_s, class, labels N x K), predictions.h5 (every
//            model's logits, for inspection), report.json (counts kept and dropped, per class,
//            models per fold, failures; with a teacher: its name, version, weight, classes covered)
//   teacher  --teacher STORE (store/teacher_store.hpp, over train_soundscapes): the labels from the
//            teacher alone (--teacher-weight 1, the default: no models needed, none loaded), or blended
//            per class with the ensemble, w * teacher + (1 - w) * ensemble on the classes the teacher
//            has (teacher_labels.hpp). The store's rows of other audio are ignored (counted).
// No torch in this header: cli includes it.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infer/ensemble_run.hpp"
#include "pseudo/selection.hpp"

namespace chorus::pseudo {

struct PseudoStageOptions {
  std::filesystem::path data, work;
  int round = 1;                    // writes WORK/pseudo/r<round>, from the models of round - 1
  SelectOptions select;             // threshold, floor, reduce
  // Engine, precision, device, threads, batch, TTA, failures: infer's (its time budget unused here).
  infer::EnsembleRunOptions run;
  std::filesystem::path teacher;    // a teacher store; empty: the ensemble alone
  double teacherWeight = 1.0;       // the teacher's share of each class it has; 1: the teacher alone

  bool teacherAlone() const { return !teacher.empty() && teacherWeight == 1.0; }
  void validate() const;            // UsageError naming the first bad value
};

struct PseudoSummary {
  std::filesystem::path dir;        // WORK/pseudo/r<n>
  size_t soundscapes = 0, windows = 0, kept = 0, belowThreshold = 0, noOutOfFoldModel = 0, failed = 0;
  std::vector<std::string> models;  // empty: the teacher alone labelled
  std::string teacher;              // the teacher's name ("" none)
  ExitCode exitCode = ExitCode::Ok;
};

// The job folders of round `round - 1` under WORK/models (infer::modelDirs order). UsageError when
// there are none.
std::vector<std::filesystem::path> teacherModels(const std::filesystem::path& work, int round);

// Collective under mpirun (every rank calls it); rank 0 writes. Every rank returns the summary.
PseudoSummary runPseudo(const PseudoStageOptions& options);

// The HDF5 copy of the labels (h5py-readable), written atomically.
void writePseudoH5(const std::filesystem::path& file, const std::vector<std::string>& classes,
                   const std::vector<dataset::PseudoRow>& rows, const SelectOptions& options, int round);

}  // namespace chorus::pseudo
