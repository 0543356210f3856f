#include "meta/metrics_csv.hpp"

#include <cstdio>
#include <sstream>

#include "core/fs.hpp"
#include "core/parse_number.hpp"
#include "meta/csv.hpp"

namespace chorus::meta {
namespace {

const std::vector<std::string> kColumns = {"epoch",   "step",     "train_loss",      "lr",
                                           "val_loss", "clip_auc", "soundscape_auc", "seconds"};

std::string exact(double v) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

}  // namespace

double headlineScore(const EpochMetrics& m) { return m.soundscapeAuc >= 0 ? m.soundscapeAuc : m.clipAuc; }

bool betterThanBest(const EpochMetrics& m, int bestEpoch, double bestScore) {
  return bestEpoch == 0 || headlineScore(m) > bestScore;
}

BestEpoch bestEpoch(const std::vector<EpochMetrics>& rows) {
  BestEpoch best;
  for (const auto& m : rows)
    if (betterThanBest(m, best.epoch, best.score)) best = {m.epoch, headlineScore(m)};
  return best;
}

std::string metricsCsv(const std::vector<EpochMetrics>& rows) {
  std::ostringstream out;
  writeCsvRow(out, kColumns);
  for (const auto& m : rows)
    writeCsvRow(out, {std::to_string(m.epoch), std::to_string(m.step), exact(m.trainLoss), exact(m.lr),
                      exact(m.valLoss), exact(m.clipAuc), exact(m.soundscapeAuc), exact(m.seconds)});
  return out.str();
}

std::vector<EpochMetrics> parseMetricsCsv(const std::string& text, const std::string& file) {
  auto table = CsvTable::parse(text, file);
  std::vector<EpochMetrics> rows;
  for (size_t r = 0; r < table.size(); ++r) {
    const std::string where = file + ":" + std::to_string(table.rows()[r].line) + ": ";
    auto real = [&](const char* column) { return parseDouble(table.at(r, column), where + column); };
    auto integer = [&](const char* column) { return parseInteger(table.at(r, column), where + column); };
    EpochMetrics m;
    m.epoch = int(integer("epoch"));
    m.step = int64_t(integer("step"));
    m.trainLoss = real("train_loss");
    m.lr = real("lr");
    m.valLoss = real("val_loss");
    m.clipAuc = real("clip_auc");
    m.soundscapeAuc = real("soundscape_auc");
    m.seconds = real("seconds");
    rows.push_back(m);
  }
  return rows;
}

std::vector<EpochMetrics> readMetricsCsv(const std::filesystem::path& file) {
  return parseMetricsCsv(readTextFile(file), file.string());
}

}  // namespace chorus::meta
