#include "dataset/pseudo_labels.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/parse_number.hpp"
#include "meta/csv.hpp"
#include "store/feature_store.hpp"

namespace chorus::dataset {

namespace fs = std::filesystem;

int pseudoRound(const fs::path& dir) {
  fs::path p = dir;
  if (p.filename().empty()) p = p.parent_path();  // "WORK/pseudo/r1/"
  const std::string name = p.filename().string();
  if (name.size() >= 2 && name[0] == 'r' && std::isdigit(static_cast<unsigned char>(name[1])))
    if (const auto n = toInteger(name.substr(1)); n && *n >= 1 && *n <= 1000) return int(*n);
  throw UsageError("pseudo-label folder " + dir.string() + " is not named r<n> (n >= 1): the name is the round");
}

std::string pseudoRowId(const PseudoRow& row) {
  return fs::path(row.filename).stem().string() + "_" + std::to_string(std::lround(row.endSeconds));
}

namespace {

std::string number(double v) {
  std::ostringstream s;
  s.precision(9);
  s << v;
  return s.str();
}

}  // namespace

std::string pseudoCsvText(const std::vector<std::string>& classes, const std::vector<PseudoRow>& rows) {
  std::ostringstream out;
  std::vector<std::string> fields = {"row_id", "filename", "start_s", "end_s"};
  fields.insert(fields.end(), classes.begin(), classes.end());
  meta::writeCsvRow(out, fields);
  for (const auto& row : rows) {
    if (row.values.size() != classes.size())
      throw Error("pseudo row " + pseudoRowId(row) + " has " + std::to_string(row.values.size()) + " values for " +
                  std::to_string(classes.size()) + " classes");
    fields = {pseudoRowId(row), row.filename, number(row.startSeconds), number(row.endSeconds)};
    for (float v : row.values) fields.push_back(v == 0 ? "0" : number(v));
    meta::writeCsvRow(out, fields);
  }
  return out.str();
}

void PseudoOptions::validate() const {
  if (!(p >= 0 && p <= 1)) throw UsageError("--pseudo-p must be in [0, 1], got " + number(p));
  if (!(noiseScale >= 1)) throw UsageError("--pseudo-noise must be at least 1 (more noise than labelled), got " + number(noiseScale));
}

AugmentOptions noisyStudent(const AugmentOptions& labelled, double noiseScale) {
  AugmentOptions a = labelled;
  for (Probability* p : {&a.roll, &a.colouredNoise, &a.background, &a.gain, &a.freqMask, &a.timeMask})
    p->p = std::min(1.0, p->p * noiseScale);
  return a;
}

namespace {

bool parseNumber(const std::string& text, double& value) {
  const auto v = toDouble(text);
  if (!v || !std::isfinite(*v)) return false;
  value = *v;
  return true;
}

// The species columns of a pseudo-label table: (column, species index); InputError for a column that
// is not a species of the list, or none at all.
std::vector<std::pair<size_t, int>> classColumnsOf(const meta::CsvTable& table, const Species& species,
                                                   const std::set<size_t>& nonClass) {
  std::vector<std::pair<size_t, int>> columns;
  for (size_t c = 0; c < table.header().size(); ++c) {
    const std::string& name = table.header()[c];
    if (nonClass.count(c) || name == "row_id") continue;
    const int k = species.index(name);
    if (k < 0) throw InputError(table.fileName(), 1, "column '" + name + "' is not a species of the species list");
    columns.push_back({c, k});
  }
  if (columns.empty()) throw InputError(table.fileName(), 1, "no class columns");
  return columns;
}

struct PseudoTable {
  const meta::CsvTable& table;
  size_t filename, start, end;
  std::vector<std::pair<size_t, int>> classes;
};

// One row as an example, or the reason it cannot be one (an issue of `kind`).
std::optional<Example> pseudoExample(const PseudoTable& t, const meta::CsvRow& row,
                                     const store::FeatureStore& soundscapes, double fps, std::string& kind,
                                     std::string& reason) {
  Example e;
  e.source = Source::Soundscape, e.pseudo = true, e.line = row.line, e.id = row.fields[t.filename], e.fold = -1;
  const auto item = soundscapes.find(e.id);
  if (!item) {
    kind = "missing_item", reason = "'" + e.id + "' is not in the soundscape store " + soundscapes.path().string();
    return std::nullopt;
  }
  double start = 0, end = 0;
  if (!parseNumber(row.fields[t.start], start) || !parseNumber(row.fields[t.end], end)) {
    kind = "bad_window", reason = "start_s/end_s '" + row.fields[t.start] + "'/'" + row.fields[t.end] +
                                  "' are not numbers of seconds";
    return std::nullopt;
  }
  e.item = *item;
  e.frameStart = std::llround(start * fps);
  e.frameCount = std::llround((end - start) * fps);
  e.endSeconds = end;
  if (end <= start || start < 0 || e.frameStart >= soundscapes.items()[*item].frameCount) {
    kind = "bad_window", reason = "window " + row.fields[t.start] + "-" + row.fields[t.end] + " s is empty or outside " + e.id;
    return std::nullopt;
  }
  for (const auto& [column, k] : t.classes) {
    double v = 0;
    if (!parseNumber(row.fields[column], v) || v < 0 || v > 1) {
      kind = "bad_value", reason = "value '" + row.fields[column] + "' of " + t.table.header()[column] +
                                   " is not a number in [0, 1]";
      return std::nullopt;
    }
    if (v > 0) e.targets.push_back({k, float(v)});
  }
  return e;
}

}  // namespace

PseudoSet readPseudoLabels(const fs::path& csv, const Species& species, const store::FeatureStore& soundscapes,
                           const std::vector<const Example*>& labelled, int validationFold) {
  const auto table = meta::CsvTable::read(csv);
  PseudoTable t{table, table.column("filename"), table.column("start_s"), table.column("end_s"), {}};
  t.classes = classColumnsOf(table, species, {t.filename, t.start, t.end});
  // The file-level fold of each labelled soundscape, and its labelled windows (item, end frame).
  std::map<size_t, int> fileFold;
  std::set<std::pair<size_t, int64_t>> labelledWindows;
  for (const Example* e : labelled) {
    fileFold[e->item] = e->fold;
    labelledWindows.insert({e->item, e->frameStart});
  }
  PseudoSet set;
  const double fps = framesPerSecond(soundscapes);
  for (const auto& row : table.rows()) {
    ++set.rows;
    std::string kind, reason;
    std::optional<Example> e = pseudoExample(t, row, soundscapes, fps, kind, reason);
    if (!e) {
      set.issues.push_back({table.fileName(), row.line, kind, reason});
      continue;
    }
    if (auto f = fileFold.find(e->item); f != fileFold.end()) {
      e->fold = f->second;
      if (e->fold == validationFold) {  // leakage: the validation fold's recordings stay unseen
        ++set.validationFold;
        continue;
      }
      if (labelledWindows.count({e->item, e->frameStart})) {  // expert labels beat the teacher's
        ++set.labelledWindow;
        continue;
      }
    }
    set.examples.push_back(std::move(*e));
  }
  return set;
}

}  // namespace chorus::dataset
