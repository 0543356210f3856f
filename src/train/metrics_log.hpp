// What a training run records per epoch (metrics.csv: meta/metrics_csv.hpp) and the out-of-fold
// predictions of its best epoch (oof.csv). Both are rewritten whole and atomically from the rows
// kept in the checkpoint, so a resumed run leaves exactly the files an uninterrupted one would.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "meta/metrics_csv.hpp"

namespace chorus::train {

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
