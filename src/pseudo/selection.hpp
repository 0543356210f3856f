// Which models may label which window, and which windows become soft labels. Plain arrays (no
// torch, no MPI): tested with hand-made logits.
//
// Out of fold: a model of fold k trained on the labelled soundscapes of every fold but k, so a
// labelled soundscape of fold j is labelled only by the models of fold j (none: its windows are
// left out, counted). Unlabelled soundscapes were seen by no model: every model labels them.
// A window is kept when its top reduced probability exceeds the threshold; its values below the
// floor are set to 0 (a faint "maybe" of the teacher is noise, not knowledge).
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dataset/pseudo_labels.hpp"
#include "infer/predict.hpp"
#include "infer/reducer.hpp"

namespace chorus::pseudo {

struct SelectOptions {
  double threshold = 0.5;  // keep a window whose top probability is above this
  double floor = 0.05;     // values below this become 0
  infer::Reduce reduce = infer::Reduce::MeanProbs;  // probabilities are needed: Rank is refused
  void validate() const;   // UsageError naming the bad value
};

struct Selection {
  std::vector<dataset::PseudoRow> kept;  // in the predictions' row order
  size_t windows = 0;                    // rows predicted
  size_t belowThreshold = 0;             // dropped: top probability <= threshold
  size_t noOutOfFoldModel = 0;           // dropped: labelled soundscape of a fold without a model
  std::vector<size_t> top, nonzero;      // per class, over kept windows: top class / value > 0
  // The models that labelled each group of soundscapes: fold j (labelled in fold j), -1 (unlabelled),
  // with the windows each group had.
  std::map<int, std::vector<std::string>> modelsByFold;
  std::map<int, size_t> windowsByFold;
};

// soundscapeFold: the fold of each labelled soundscape (file name as in Predictions::soundscapeOf).
Selection selectPseudoLabels(const infer::Predictions& predictions, const std::map<std::string, int>& soundscapeFold,
                             const SelectOptions& options);

// selectPseudoLabels' two steps, for the teacher's labels (teacher_labels.hpp) to share:
// each row's out-of-fold reduced probabilities (N x K; a row without an out-of-fold model is all -1,
// counted in s.noOutOfFoldModel; s.modelsByFold and s.windowsByFold filled) ...
std::vector<double> outOfFoldValues(const infer::Predictions& predictions, const std::map<std::string, int>& soundscapeFold,
                                    infer::Reduce reduce, Selection& s);
// ... and the threshold and floor over them (rows whose first value is < 0 are skipped): s.kept,
// s.windows, s.belowThreshold, s.top, s.nonzero.
void keepConfidentWindows(const std::vector<double>& values, const std::vector<std::string>& rowIds,
                          const std::vector<std::string>& soundscapeOf, size_t classes, const SelectOptions& options,
                          Selection& s);

// filename -> fold of WORK/meta/soundscape_labels_with_folds.csv (prep folds soundscapes by file).
// InputError naming file and line for a fold that does not parse or a file given two folds.
std::map<std::string, int> labelledSoundscapeFolds(const std::filesystem::path& csv);


}  // namespace chorus::pseudo
