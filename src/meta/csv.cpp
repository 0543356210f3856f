#include "meta/csv.hpp"

#include <ostream>

#include "core/error.hpp"
#include "core/fs.hpp"

namespace chorus::meta {

CsvTable CsvTable::parse(const std::string& text, const std::string& fileName, BadRows bad) {
  CsvTable t;
  t.file_ = fileName;
  std::vector<std::vector<std::string>> records;
  std::vector<long> lines;
  std::vector<std::string> fields;
  std::string field;
  bool inQuotes = false, fieldQuoted = false, any = false;
  long line = 1, recordLine = 1;
  size_t i = 0;
  // Skip a UTF-8 byte order mark (Excel writes one).
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  auto endRecord = [&] {
    fields.push_back(std::move(field));
    field.clear();
    fieldQuoted = false;
    // A blank line (one empty, unquoted field) is not a record.
    if (!(fields.size() == 1 && fields[0].empty())) {
      records.push_back(std::move(fields));
      lines.push_back(recordLine);
    }
    fields.clear();
    any = false;
  };
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (inQuotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          inQuotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (!any) recordLine = line;
    any = true;
    if (c == '"' && field.empty() && !fieldQuoted) {
      inQuotes = fieldQuoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      fieldQuoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      endRecord();
      ++line;
    } else {
      field += c;
    }
  }
  if (inQuotes) throw InputError(fileName, recordLine, "unclosed quote");
  if (any) endRecord();
  if (records.empty()) throw InputError(fileName, 1, "empty file: no header row");

  t.header_ = std::move(records[0]);
  for (size_t c = 0; c < t.header_.size(); ++c) t.index_.emplace(t.header_[c], c);
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != t.header_.size()) {
      const std::string reason = "expected " + std::to_string(t.header_.size()) + " fields, found " +
                                 std::to_string(records[r].size());
      if (bad == BadRows::Throw) throw InputError(fileName, lines[r], reason);
      t.rejected_.push_back({lines[r], reason});
      continue;
    }
    t.rows_.push_back(CsvRow{lines[r], std::move(records[r])});
  }
  return t;
}

CsvTable CsvTable::read(const std::filesystem::path& file, BadRows bad) {
  return parse(readTextFile(file), file.string(), bad);
}

size_t CsvTable::column(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw InputError(file_, 1, "missing column '" + name + "'");
  return it->second;
}

std::string csvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void writeCsvRow(std::ostream& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out << ',';
    out << csvField(fields[i]);
  }
  out << '\n';
}

}  // namespace chorus::meta
