// The results a WORK folder holds, read back from the files the stages wrote (no torch: the same
// reading serves `chorus run`'s summary, `chorus report` and the tests):
//   models/<backbone>-f<k>[-r<n>]/metrics.csv  one row per epoch (train loss, out-of-fold AUC, ...)
//   models/<...>/oof.csv                        held-out predictions of the best epoch
//   models/<...>/report.json                    the weights the backbone started from (train's record)
//   meta/soundscape_labels_with_folds.csv, meta/train_cleaned_stratified.csv  the truth of those rows
//   meta/species_list.csv                       training clips per class
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "meta/metrics_csv.hpp"

namespace chorus::report {

using Epoch = meta::EpochMetrics;  // a metrics.csv row; meta::headlineScore is its score

struct ModelRun {
  std::string name;      // the folder name under models/
  std::string backbone;  // "convnext_atto"
  int fold = -1;
  int round = 0;         // 0: trained on labels only; n: after pseudo-label round n (-r<n>)
  std::vector<Epoch> epochs;
  double bestScore = -1;  // the best epoch's headline, by training's rule (meta::bestEpoch)
  int bestEpoch = 0;
  // The pretrained weights it started from, as train identified them (file, sha256) in the job's
  // report.json and checkpoints; empty when it started from scratch.
  std::string backboneWeightsFile, backboneWeightsSha256;
};

struct ClassResult {
  std::string label;
  size_t positives = 0;   // positive out-of-fold rows
  size_t trainClips = 0;  // training clips with this primary label (species_list.csv)
  double auc = 0;         // of the ensemble
};

struct OofScores {
  std::string kind;                          // the rows scored: "soundscape" (else "clip")
  size_t rows = 0;                           // out-of-fold rows scored
  std::map<std::string, double> perBackbone;  // all folds of one backbone pooled
  double ensemble = -1;                       // the submission's reducer over backbones, folds pooled (oof.hpp)
  std::string reducer;                        // which: rank, logits or probs
  std::map<int, double> byRound;              // the ensemble of each pseudo-label round's models (0: labels only)
  std::vector<ClassResult> classes;           // the ensemble per class, worst first
};

struct Results {
  std::vector<ModelRun> models;  // sorted by round, backbone, fold
  int round = 0;                 // the latest round: the one scored below
  OofScores oof;                 // -1 scores when no model has predictions yet
  std::vector<std::string> issues;  // files that could not be read, each named (the rest carries on)
};

// Never throws for a missing or unreadable model file: it is named in issues.
Results readResults(const std::filesystem::path& work);


}  // namespace chorus::report
