// Pseudo labels (NB3, the noisy student): soft targets on train_soundscapes windows, written by
// `chorus pseudo` and read by `chorus train --pseudo DIR`. The one definition of the file format.
//
//   WORK/pseudo/r<n>/pseudo_labels_soft.csv
//     row_id,filename,start_s,end_s,<class>,<class>,...
//   row_id   the competition's `<stem>_<end second>` (for people and for joining with oof.csv)
//   filename the train_soundscapes file, i.e. the store item id ("X.ogg"): what the reader uses,
//            so a stem that contains '_' can never be split wrongly
//   start_s, end_s  the window in seconds
//   classes  one column per species of species_list.csv, values in [0, 1] (the ensemble's mean
//            probability, zeroed below the floor). Columns may come in any order; a species
//            without a column has target 0; a column that is no species is an error.
//
// Round n's labels come from round n-1's models and train round n's models (models/<bb>-f<k>-r<n>/),
// so the folder's name says the round: r<n>, n >= 1.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "dataset/examples.hpp"
#include "dataset/options.hpp"

namespace chorus::dataset {

inline constexpr const char* kPseudoCsvName = "pseudo_labels_soft.csv";
inline constexpr const char* kPseudoH5Name = "pseudo_labels_soft.h5";

// r<n> -> n. UsageError naming the folder when its name is not r<n> with n >= 1.
int pseudoRound(const std::filesystem::path& dir);

struct PseudoRow {
  std::string filename;  // store item id
  double startSeconds = 0, endSeconds = 0;
  std::vector<float> values;  // one per class
};
std::string pseudoRowId(const PseudoRow& row);  // "<stem>_<end second>"
// The CSV text of `rows` (classes: the column order, normally species_list.csv's).
std::string pseudoCsvText(const std::vector<std::string>& classes, const std::vector<PseudoRow>& rows);

struct PseudoOptions {
  std::filesystem::path dir;  // WORK/pseudo/r<n>; empty: no pseudo labels
  // Each epoch uses round(p * windows) of the pseudo-labelled windows, a fresh random subset per
  // epoch: every window is used with probability p, and the epoch length (so the LR schedule)
  // stays fixed.
  double p = 0.5;
  // Noisy student: the pseudo examples' augmentation probabilities are the labelled examples'
  // times this (capped at 1; an augmentation that is off stays off). The student must match the
  // teacher's soft labels under more noise than the teacher saw.
  double noiseScale = 2.0;
  void validate() const;  // UsageError naming the bad value
};

// The labelled examples' augmentations with every probability scaled (see noiseScale).
AugmentOptions noisyStudent(const AugmentOptions& labelled, double noiseScale);

struct PseudoSet {
  std::vector<Example> examples;       // Source::Soundscape, pseudo = true, soft targets
  std::vector<meta::RowIssue> issues;  // missing_item, bad_window, bad_value
  size_t rows = 0;                     // rows in the file
  size_t validationFold = 0;  // rows left out: their soundscape is labelled in the validation fold
  size_t labelledWindow = 0;  // rows left out: the window has expert labels (already an example)
};

// Reads a pseudo-label CSV against the species list and the train_soundscapes store.
// `labelled`: every labelled soundscape window of every fold (their file's fold is the file's
// fold). Leakage rule: a row whose soundscape is labelled in `validationFold` is left out, as is a
// row on a window that already carries expert labels. InputError naming the file for a missing
// column or a class column that is no species; a bad row is an issue naming file and line.
PseudoSet readPseudoLabels(const std::filesystem::path& csv, const Species& species,
                           const store::FeatureStore& soundscapes, const std::vector<const Example*>& labelled,
                           int validationFold);

}  // namespace chorus::dataset
