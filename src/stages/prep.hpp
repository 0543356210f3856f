// chorus prep (NB1, table part): read and clean the Kaggle tables, assign folds, write WORK/meta/.
//   meta/train_cleaned_stratified.csv     train.csv's columns and order for kept rows + fold
//   meta/soundscape_labels_with_folds.csv  deduplicated, cleaned windows + start_s, end_s, fold
//   meta/species_list.csv, meta/rare_species.csv, meta/prep_report.json
// Every dropped or changed row is named (file:line, reason) in the report. Rows that do not parse
// are set aside and the rest carries on; when more than maxBadRows of them, runPrep still writes
// everything, then throws InputError naming the first (exit 3). A table that cannot be read at all
// throws InputError after writing a report that says so.
#pragma once
#include <filesystem>
#include <string>

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
  std::filesystem::path report;
};

PrepSummary runPrep(const PrepOptions& options);

}  // namespace chorus::stages
