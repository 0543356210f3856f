// What a training run records per epoch (metrics.csv) and the out-of-fold predictions of its best
// epoch (oof.csv). Both are rewritten whole and atomically from the rows kept in the checkpoint,
// so a resumed run leaves exactly the files an uninterrupted one would.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::train {

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

std::string metricsCsv(const std::vector<EpochMetrics>& rows);
std::vector<EpochMetrics> parseMetricsCsv(const std::string& text, const std::string& file);

// One out-of-fold prediction row: a held-out clip (id = its train_audio item id) or soundscape
// window (id = the competition's row_id, file stem + "_" + end second).
struct OofRow {
  std::string kind;  // "clip" | "soundscape"
  std::string id;
  std::vector<float> probabilities;  // K sigmoid outputs, in class order
};

// row_id,kind,fold,<class columns...>; floats with 7 significant digits.
void writeOofCsv(const std::filesystem::path& file, int fold, const std::vector<std::string>& classes,
                 const std::vector<OofRow>& rows);

}  // namespace chorus::train
