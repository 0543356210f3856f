// Out-of-fold predictions of a WORK folder scored as the submission is made: one reducer member per
// backbone (its folds pooled: every labelled row is held out once per backbone), the same reducer
// (infer/reducer.hpp) and, when asked, the same window post-processing (infer/postprocess.hpp). The
// report's ensemble table, chorus tune-post and per_class_auc.csv all score through scoreOof.
#pragma once
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "infer/postprocess.hpp"
#include "infer/reducer.hpp"
#include "meta/metric.hpp"

namespace chorus::report {

// One model's oof.csv: row id -> probabilities, per kind ("clip", "soundscape").
struct Oof {
  std::vector<std::string> classes;
  std::map<std::string, std::unordered_map<std::string, std::vector<double>>> rows;
};
Oof readOof(const std::filesystem::path& file);  // InputError naming the file and line

// Truth of out-of-fold rows: row id -> positive labels. Soundscape windows are keyed by the
// competition's row_id (file stem + "_" + end second), clips by their train_audio file name.
using Truth = std::unordered_map<std::string, std::vector<std::string>>;
Truth soundscapeTruth(const std::filesystem::path& work);  // empty without meta/soundscape_labels_with_folds.csv
Truth clipTruth(const std::filesystem::path& work);

// Rows with truth that every member has, sorted by file and then window end (soundscapes; clips:
// one file each), as the reducer's M x N x K logits.
struct OofPredictions {
  std::vector<std::string> members, classes, rowIds, fileOf;
  std::vector<float> logits;  // M x N x K
  std::vector<double> truth;  // column-major K x N (meta::macroRocAuc's layout): truth[k * N + n]
  size_t rows() const { return rowIds.size(); }
};
// members: name -> the models pooled into it (e.g. a backbone's folds; one model alone).
OofPredictions pooledOof(const std::map<std::string, std::vector<const Oof*>>& members, const std::string& kind,
                         const Truth& truth, const std::vector<std::string>& classes);

// Post-processing, the reducer, then the competition metric. A class positive on every row has no
// AUC: left out of the score and added to leftOut (small folds make it happen).
meta::MetricResult scoreOof(const OofPredictions& oof, infer::Reduce how, const infer::PostProcessOptions& post,
                            std::set<std::string>& leftOut);

// models/<job>/per_class_auc.csv (class, positives, auc) of one model's oof.csv, through scoreOof
// (the model alone; its soundscape rows when they have truth, else its clips). Written atomically;
// false when the model has no oof.csv yet.
bool writePerClassAuc(const std::filesystem::path& work, const std::string& job, infer::Reduce how);

// The reducer WORK/infer/report.json says the submission used; rank (infer's default) without one.
infer::Reduce submissionReducer(const std::filesystem::path& work);

}  // namespace chorus::report
