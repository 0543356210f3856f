// A training job's metrics.csv (models/<job>/metrics.csv): one row per finished epoch, and the one
// headline rule that picks the best epoch. The one place that writes, reads or scores the file:
// train writes it (and keeps the same rows in every checkpoint), report and the pipeline read it.
// Plain C++ (no torch): report reads it without the model layers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::meta {

struct EpochMetrics {
  int epoch = 0;             // 1-based: the epoch just finished
  int64_t step = 0;          // optimizer steps taken so far
  double trainLoss = 0;      // mean over the epoch's batches
  double lr = 0;             // the peak group's rate at the epoch's last step
  double valLoss = 0;        // mean loss over the held-out clips and soundscape windows
  double clipAuc = -1;       // macro ROC-AUC on the held-out clips (-1: nothing scorable)
  double soundscapeAuc = -1;  // the same on the held-out soundscape windows: the headline
  double seconds = 0;        // wall time of the epoch, validation included
};

// The headline score of an epoch: the soundscape AUC, else the clip AUC where a fold holds no
// scorable soundscape window (-1 when neither is defined).
double headlineScore(const EpochMetrics& m);

// Whether `m` becomes the best epoch, given the best so far (bestEpoch 0: none yet): the first
// epoch always does, a later one only with a strictly higher headline (ties keep the earlier).
bool betterThanBest(const EpochMetrics& m, int bestEpoch, double bestScore);

struct BestEpoch {
  int epoch = 0;       // 0: no rows
  double score = -1;   // its headline
};
BestEpoch bestEpoch(const std::vector<EpochMetrics>& rows);  // betterThanBest over the rows in order

// Round-trips every double exactly (17 significant digits), so a resumed run reproduces the file.
std::string metricsCsv(const std::vector<EpochMetrics>& rows);
// InputError naming `file`, the line and the column of a value that is not a number.
std::vector<EpochMetrics> parseMetricsCsv(const std::string& text, const std::string& file);
std::vector<EpochMetrics> readMetricsCsv(const std::filesystem::path& file);

}  // namespace chorus::meta
