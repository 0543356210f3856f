// chorus prep (NB1, table part): read and clean the Kaggle tables, assign folds, write WORK/meta/.
//   meta/train_cleaned_stratified.csv     train.csv's columns and order for kept rows + fold
//   meta/soundscape_labels_with_folds.csv  deduplicated, cleaned windows + start_s, end_s, fold
//   meta/species_list.csv, meta/rare_species.csv, meta/prep_report.json
// Every dropped or changed row is named (file:line, reason) in the report, and the first ten on the
// console. The exit rule (README, exit codes): rows that do not parse, beyond maxBadRows of them, or
// a table that cannot be read at all: InputError (exit 3), a report that says so, and no tables (an
// earlier run's are removed). Otherwise the tables are written, and if any row was unusable (did
// not parse, names missing audio or a label outside taxonomy.csv) it was skipped and named, and
// exitCode is PartialFailure (4). Exact duplicates are dropped as cleaning, not as bad input.
#pragma once
#include <filesystem>
#include <string>

#include "core/error.hpp"

namespace chorus::stages {

struct PrepOptions {
  std::filesystem::path data;  // the Kaggle layout: train.csv, taxonomy.csv, train_audio/, ...
  std::filesystem::path work;  // outputs go to WORK/meta/
  int folds = 5;               // StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
  unsigned seed = 42;
  int rareThreshold = 10;      // species with fewer train clips than this go to rare_species.csv
  long maxBadRows = 0;         // rows that do not parse, tolerated before prep fails
};

struct PrepSummary {
  size_t trainRows = 0, trainKept = 0, soundscapeWindows = 0, duplicateWindowRows = 0, species = 0, rare = 0;
  size_t droppedMissingAudio = 0, droppedUnknownLabel = 0, droppedDuplicate = 0;  // both tables; duplicates: train.csv
  size_t parseErrors = 0;     // rows of any table that did not parse
  size_t changedRows = 0;     // kept rows that lost an unknown (secondary) label
  size_t soundscapeFiles = 0;  // distinct soundscapes among the kept windows
  size_t skippedBadRows = 0;   // parse errors + missing audio + unknown labels, each named
  ExitCode exitCode = ExitCode::Ok;  // PartialFailure when a bad row was skipped
  std::filesystem::path report;
};

PrepSummary runPrep(const PrepOptions& options);

}  // namespace chorus::stages
