// chorus prep (NB1, table part): read and clean the Kaggle tables, assign folds, write WORK/meta/.
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
};

struct PrepSummary {
  size_t trainRows = 0, trainKept = 0, soundscapeWindows = 0, duplicateWindowRows = 0, species = 0, rare = 0;
  size_t droppedMissingAudio = 0, droppedUnknownLabel = 0, droppedDuplicate = 0;
};

PrepSummary runPrep(const PrepOptions& options);

}  // namespace chorus::stages
