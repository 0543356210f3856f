#include "train/metrics_log.hpp"

#include <cstdio>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "meta/csv.hpp"

namespace chorus::train {
namespace {

const std::vector<std::string> kColumns = {"epoch",   "step",     "train_loss",      "lr",
                                           "val_loss", "clip_auc", "soundscape_auc", "seconds"};

// Round-trips a double exactly (17 significant digits), so a resumed run reproduces the file.
std::string exact(double v) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

}  // namespace

double headlineScore(const EpochMetrics& m) { return m.soundscapeAuc >= 0 ? m.soundscapeAuc : m.clipAuc; }

std::string metricsCsv(const std::vector<EpochMetrics>& rows) {
  std::ostringstream out;
  meta::writeCsvRow(out, kColumns);
  for (const auto& m : rows)
    meta::writeCsvRow(out, {std::to_string(m.epoch), std::to_string(m.step), exact(m.trainLoss), exact(m.lr),
                            exact(m.valLoss), exact(m.clipAuc), exact(m.soundscapeAuc), exact(m.seconds)});
  return out.str();
}

std::vector<EpochMetrics> parseMetricsCsv(const std::string& text, const std::string& file) {
  auto table = meta::CsvTable::parse(text, file);
  std::vector<EpochMetrics> rows;
  for (size_t r = 0; r < table.size(); ++r) {
    auto number = [&](const char* column) {
      const std::string& field = table.at(r, column);
      try {
        return std::stod(field);
      } catch (const std::exception&) {
        throw InputError(file, table.rows()[r].line, std::string(column) + " is not a number: '" + field + "'");
      }
    };
    EpochMetrics m;
    m.epoch = int(number("epoch"));
    m.step = int64_t(number("step"));
    m.trainLoss = number("train_loss");
    m.lr = number("lr");
    m.valLoss = number("val_loss");
    m.clipAuc = number("clip_auc");
    m.soundscapeAuc = number("soundscape_auc");
    m.seconds = number("seconds");
    rows.push_back(m);
  }
  return rows;
}

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
