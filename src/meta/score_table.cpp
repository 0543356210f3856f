#include "meta/score_table.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"

namespace chorus::meta {

namespace {

// Collects every problem of one kind but spells out only the first few: one bad column in a
// 7,200-row file would otherwise print 7,200 lines.
class Problems {
 public:
  explicit Problems(size_t shown = 5) : shown_(shown) {}
  void add(const std::string& message) {
    if (count_++ < shown_) text_ += "\n  " + message;
  }
  size_t count() const { return count_; }
  // "HEADLINE (N): first\n  second ... and K more"
  std::string describe(const std::string& headline) const {
    std::string s = headline + " (" + std::to_string(count_) + "):" + text_;
    if (count_ > shown_) s += "\n  ... and " + std::to_string(count_ - shown_) + " more";
    return s;
  }

 private:
  size_t shown_, count_ = 0;
  std::string text_;
};

// Empty when `field` is one whole finite number (stored in `value`), else why not.
std::string parseNumber(const std::string& field, double& value) {
  if (field.empty()) return "empty value";
  const char* end = field.data() + field.size();
  auto [stop, ec] = std::from_chars(field.data(), end, value);
  if (ec != std::errc() || stop != end) return "'" + field + "' is not a number";
  if (std::isnan(value)) return "'" + field + "' is NaN";
  if (std::isinf(value)) return "'" + field + "' is infinite";
  return {};
}

std::string joinNames(const std::vector<std::string>& names, size_t shown = 10) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < shown; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > shown) s += ", ...";
  return s;
}

}  // namespace

ScoreTable toScoreTable(const CsvTable& csv, const std::string& idColumn) {
  ScoreTable t;
  t.file = csv.fileName();
  const size_t idCol = csv.column(idColumn);
  std::vector<size_t> classCols;
  for (size_t c = 0; c < csv.header().size(); ++c)
    if (c != idCol) {
      classCols.push_back(c);
      t.classes.push_back(csv.header()[c]);
    }
  std::unordered_set<std::string> seen;
  for (const auto& name : t.classes)
    if (!seen.insert(name).second) throw InputError(t.file, 1, "column '" + name + "' appears twice");
  const size_t rows = csv.size();
  t.rowIds.reserve(rows);
  t.lines.reserve(rows);
  t.values.resize(rows * classCols.size());

  Problems badValues, badIds;
  std::unordered_map<std::string, long> firstLine;
  firstLine.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    const CsvRow& row = csv.rows()[r];
    const std::string& id = row.fields[idCol];
    if (id.empty()) badIds.add(t.file + ":" + std::to_string(row.line) + ": empty " + idColumn);
    else if (auto [it, fresh] = firstLine.emplace(id, row.line); !fresh)
      badIds.add(t.file + ":" + std::to_string(row.line) + ": " + idColumn + " '" + id + "' repeats line " +
                 std::to_string(it->second));
    t.rowIds.push_back(id);
    t.lines.push_back(row.line);
    for (size_t k = 0; k < classCols.size(); ++k) {
      double& value = t.values[k * rows + r];
      std::string why = parseNumber(row.fields[classCols[k]], value);
      if (!why.empty())
        badValues.add(t.file + ":" + std::to_string(row.line) + ": column '" + t.classes[k] + "': " + why);
    }
  }
  if (rows == 0) throw InputError(t.file, 1, "no data rows");
  std::string message;
  if (badIds.count()) message += badIds.describe(t.file + ": bad " + idColumn + " values");
  if (badValues.count())
    message += (message.empty() ? "" : "\n") + badValues.describe(t.file + ": values that are not finite numbers");
  if (!message.empty()) throw InputError(message);
  return t;
}

ScoreTable readScoreTable(const std::filesystem::path& file, const std::string& idColumn) {
  return toScoreTable(CsvTable::read(file), idColumn);
}

void checkBinary(const ScoreTable& truth) {
  Problems notBinary;
  for (size_t c = 0; c < truth.classes.size(); ++c)
    for (size_t r = 0; r < truth.rows(); ++r)
      if (double v = truth.column(c)[r]; v != 0.0 && v != 1.0) {
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", v);
        notBinary.add(truth.file + ":" + std::to_string(truth.lines[r]) + ": column '" + truth.classes[c] +
                      "': " + text + " is not 0 or 1");
      }
  if (notBinary.count()) throw InputError(notBinary.describe(truth.file + ": truth values other than 0 and 1"));
}

ScoreTable alignTo(const ScoreTable& table, const ScoreTable& reference) {
  std::vector<std::string> problems;

  std::unordered_map<std::string, size_t> columnOf;
  for (size_t c = 0; c < table.classes.size(); ++c) columnOf.emplace(table.classes[c], c);
  std::vector<std::string> missingColumns, extraColumns;
  std::unordered_set<std::string> referenceColumns(reference.classes.begin(), reference.classes.end());
  for (const auto& name : reference.classes)
    if (!columnOf.count(name)) missingColumns.push_back(name);
  for (const auto& name : table.classes)
    if (!referenceColumns.count(name)) extraColumns.push_back(name);
  if (!missingColumns.empty())
    problems.push_back(std::to_string(missingColumns.size()) + " of " + reference.file + "'s " +
                       std::to_string(reference.classes.size()) + " class columns are missing: " +
                       joinNames(missingColumns, missingColumns.size()));
  if (!extraColumns.empty())
    problems.push_back(std::to_string(extraColumns.size()) + " columns are not classes of " + reference.file +
                       ": " + joinNames(extraColumns, extraColumns.size()));

  std::unordered_map<std::string, size_t> rowOf;
  rowOf.reserve(table.rows());
  for (size_t r = 0; r < table.rows(); ++r) rowOf.emplace(table.rowIds[r], r);
  std::unordered_set<std::string> referenceRows(reference.rowIds.begin(), reference.rowIds.end());
  std::vector<std::string> missingRows, extraRows;
  for (const auto& id : reference.rowIds)
    if (!rowOf.count(id)) missingRows.push_back(id);
  for (size_t r = 0; r < table.rows(); ++r)
    if (!referenceRows.count(table.rowIds[r]))
      extraRows.push_back(table.rowIds[r] + " (line " + std::to_string(table.lines[r]) + ")");
  if (!missingRows.empty())
    problems.push_back(std::to_string(missingRows.size()) + " of " + reference.file + "'s " +
                       std::to_string(reference.rows()) + " row_ids are missing, e.g. " +
                       joinNames(missingRows, 5));
  if (!extraRows.empty())
    problems.push_back(std::to_string(extraRows.size()) + " row_ids are not in " + reference.file + ", e.g. " +
                       joinNames(extraRows, 5));

  if (!problems.empty()) {
    std::string message = table.file + " does not match " + reference.file + ":";
    for (const auto& p : problems) message += "\n  " + p;
    throw InputError(message);
  }

  ScoreTable aligned;
  aligned.file = table.file;
  aligned.classes = reference.classes;
  aligned.rowIds = reference.rowIds;
  const size_t rows = reference.rows();
  aligned.lines.resize(rows);
  aligned.values.resize(rows * reference.classes.size());
  std::vector<size_t> source(rows);
  for (size_t r = 0; r < rows; ++r) {
    source[r] = rowOf.at(reference.rowIds[r]);
    aligned.lines[r] = table.lines[source[r]];
  }
  for (size_t c = 0; c < reference.classes.size(); ++c) {
    const double* from = table.column(columnOf.at(reference.classes[c]));
    double* to = aligned.values.data() + c * rows;
    for (size_t r = 0; r < rows; ++r) to[r] = from[source[r]];
  }
  return aligned;
}

}  // namespace chorus::meta
