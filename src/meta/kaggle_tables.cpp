#include "meta/kaggle_tables.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"
#include "meta/clock_time.hpp"
#include "meta/csv.hpp"
#include "meta/python_list.hpp"

namespace chorus::meta {
namespace {

std::string trim(const std::string& s) {
  const char* space = " \t";
  auto first = s.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// Rows set aside by the CSV reader and rows whose values do not parse, in one line order.
void sortByLine(std::vector<RowIssue>& issues) {
  std::stable_sort(issues.begin(), issues.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
}

}  // namespace

std::string rowKey(const std::vector<std::string>& fields) {
  std::string key;
  for (const auto& f : fields) key += std::to_string(f.size()) + ':' + f;
  return key;
}

std::vector<std::string> splitLabels(const std::string& field) {
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (start <= field.size()) {
    std::size_t end = field.find(';', start);
    if (end == std::string::npos) end = field.size();
    std::string label = trim(field.substr(start, end - start));
    if (!label.empty()) labels.push_back(std::move(label));
    start = end + 1;
  }
  return labels;
}

TrainTable readTrainTable(const std::filesystem::path& file) {
  const CsvTable csv = CsvTable::read(file, BadRows::SetAside);
  TrainTable t;
  t.file = csv.fileName();
  for (const auto& r : csv.rejected()) t.unparsed.push_back({t.file, r.line, "parse_error", r.reason});
  t.header = csv.header();
  t.primaryColumn = csv.column("primary_label");
  t.secondaryColumn = csv.column("secondary_labels");
  t.filenameColumn = csv.column("filename");
  for (const CsvRow& row : csv.rows()) {
    TrainClip clip;
    clip.line = row.line;
    clip.fields = row.fields;
    clip.primaryLabel = row.fields[t.primaryColumn];  // labels are opaque: kept byte for byte
    clip.filename = row.fields[t.filenameColumn];
    try {
      if (clip.primaryLabel.empty()) throw InputError("empty primary_label");
      if (clip.filename.empty()) throw InputError("empty filename");
      clip.secondaryLabels = parsePythonStringList(row.fields[t.secondaryColumn]);
    } catch (const InputError& e) {
      t.unparsed.push_back({t.file, row.line, "parse_error", e.what()});
      continue;
    }
    t.clips.push_back(std::move(clip));
  }
  sortByLine(t.unparsed);
  return t;
}

SoundscapeLabels readSoundscapeLabels(const std::filesystem::path& file) {
  const CsvTable csv = CsvTable::read(file, BadRows::SetAside);
  SoundscapeLabels s;
  s.file = csv.fileName();
  for (const auto& r : csv.rejected()) s.unparsed.push_back({s.file, r.line, "parse_error", r.reason});
  const std::size_t name = csv.column("filename"), start = csv.column("start"), end = csv.column("end"),
                    labels = csv.column("primary_label");
  std::unordered_map<std::string, long> firstLine;  // row key -> line of its first copy
  for (const CsvRow& row : csv.rows()) {
    auto [it, fresh] = firstLine.emplace(rowKey(row.fields), row.line);
    if (!fresh) {
      s.duplicates.push_back({s.file, row.line, "duplicate", "exact duplicate of line " + std::to_string(it->second)});
      continue;
    }
    SoundscapeWindow w;
    w.line = row.line;
    w.filename = row.fields[name];
    w.start = row.fields[start];
    w.end = row.fields[end];
    try {
      if (w.filename.empty()) throw InputError("empty filename");
      w.startSeconds = parseClockTime(w.start);
      w.endSeconds = parseClockTime(w.end);
      if (w.endSeconds <= w.startSeconds) throw InputError("end " + w.end + " is not after start " + w.start);
      w.labels = splitLabels(row.fields[labels]);
      if (w.labels.empty()) throw InputError("empty primary_label");
    } catch (const InputError& e) {
      s.unparsed.push_back({s.file, row.line, "parse_error", e.what()});
      continue;
    }
    s.windows.push_back(std::move(w));
  }
  sortByLine(s.unparsed);
  return s;
}

}  // namespace chorus::meta
