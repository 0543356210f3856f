// CSV as Kaggle writes it (RFC 4180: quoted fields with commas, doubled quotes and newlines;
// UTF-8 passed through untouched; CRLF or LF). A table knows its file and each row's line, so
// that every error names both.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <vector>

namespace chorus::meta {

struct CsvRow {
  long line = 0;  // 1-based line in the file where the row starts (header is line 1)
  std::vector<std::string> fields;
};

// What a row with the wrong field count does: end the read (a table every row of which matters,
// such as sample_submission.csv), or set the row aside for the caller to name and skip (train.csv).
enum class BadRows { Throw, SetAside };

struct CsvRejectedRow {
  long line = 0;
  std::string reason;
};

class CsvTable {
 public:
  // Throws InputError("FILE:LINE: ...") on an unclosed quote, and on a row with the wrong field
  // count unless `bad` is SetAside (then the row is in rejected(), not in rows()).
  static CsvTable parse(const std::string& text, const std::string& fileName, BadRows bad = BadRows::Throw);
  static CsvTable read(const std::filesystem::path& file, BadRows bad = BadRows::Throw);

  const std::string& fileName() const { return file_; }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<CsvRow>& rows() const { return rows_; }
  size_t size() const { return rows_.size(); }
  const std::vector<CsvRejectedRow>& rejected() const { return rejected_; }

  bool hasColumn(const std::string& name) const { return index_.count(name) != 0; }
  // Column index by name; throws InputError naming the file and the missing column.
  size_t column(const std::string& name) const;
  const std::string& at(size_t row, const std::string& name) const { return rows_[row].fields[column(name)]; }

 private:
  std::string file_;
  std::vector<std::string> header_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<CsvRow> rows_;
  std::vector<CsvRejectedRow> rejected_;
};

// Writes one field, quoted only where it must be (comma, quote, CR/LF), as pandas does.
std::string csvField(const std::string& value);
void writeCsvRow(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace chorus::meta
