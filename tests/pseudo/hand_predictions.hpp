// The hand-made ensemble predictions that selection_test and teacher_labels_test share: logits whose
// probabilities are chosen exactly (logit = log(p / (1 - p))).
//
// Models: m0 (fold 0), m1 (fold 1). Classes a, b. Rows: L0.ogg (labelled, fold 0) 2 windows,
// L2.ogg (labelled, fold 2: no model) 1 window, U.ogg (unlabelled) 2 windows.
// Out of fold, mean of probabilities: L0_5 (0.9, 0.04), L0_10 (0.3, 0.2), L2_5 none, U_5 (0.6, 0.2),
// U_10 (0.6, 0.5).
#pragma once
#include <cmath>
#include <map>
#include <string>

#include "infer/predict.hpp"

namespace chorus::testing {

inline float logit(double p) { return float(std::log(p / (1 - p))); }

inline infer::Predictions handPredictions() {
  infer::Predictions p;
  p.models = {"m0", "m1"};
  p.weights = {1, 1};
  p.folds = {0, 1};
  p.classes = {"a", "b"};
  p.rowIds = {"L0_5", "L0_10", "L2_5", "U_5", "U_10"};
  p.soundscapeOf = {"L0.ogg", "L0.ogg", "L2.ogg", "U.ogg", "U.ogg"};
  const double probs[2][5][2] = {
      // m0
      {{0.9, 0.04}, {0.3, 0.2}, {0.99, 0.99}, {0.8, 0.1}, {0.5, 0.5}},
      // m1: would change L0's rows if it were (wrongly) used there
      {{0.1, 0.9}, {0.95, 0.9}, {0.99, 0.99}, {0.4, 0.3}, {0.7, 0.5}}};
  for (auto& model : probs)
    for (auto& row : model)
      for (double v : row) p.logits.push_back(logit(v));
  return p;
}

// The folds of the labelled soundscapes (U.ogg is unlabelled).
inline const std::map<std::string, int> kHandFolds = {{"L0.ogg", 0}, {"L2.ogg", 2}};

}  // namespace chorus::testing
