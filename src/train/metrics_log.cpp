#include "train/metrics_log.hpp"

#include <cstdio>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "meta/csv.hpp"

namespace chorus::train {

void writeOofCsv(const std::filesystem::path& file, int fold, const std::vector<std::string>& classes,
                 const std::vector<OofRow>& rows) {
  AtomicFile out(file);
  std::vector<std::string> header = {"row_id", "kind", "fold"};
  header.insert(header.end(), classes.begin(), classes.end());
  meta::writeCsvRow(out.stream(), header);
  char buffer[32];
  for (const auto& row : rows) {
    if (row.probabilities.size() != classes.size())
      throw Error("oof: row " + row.id + " has " + std::to_string(row.probabilities.size()) + " values for " +
                  std::to_string(classes.size()) + " classes");
    std::vector<std::string> fields = {row.id, row.kind, std::to_string(fold)};
    for (float p : row.probabilities) {
      std::snprintf(buffer, sizeof buffer, "%.7g", double(p));
      fields.emplace_back(buffer);
    }
    meta::writeCsvRow(out.stream(), fields);
  }
  out.commit();
}

}  // namespace chorus::train
