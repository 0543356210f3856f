// A Kaggle prediction table (submission.csv, a solution, out-of-fold predictions): one id column
// (`row_id`) and one numeric column per class, held column-major so that a class is one
// contiguous array for the metric.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "meta/csv.hpp"

namespace chorus::meta {

struct ScoreTable {
  std::string file;
  std::vector<std::string> rowIds;
  std::vector<long> lines;           // the CSV line of each row, for error messages
  std::vector<std::string> classes;  // in the file's column order
  std::vector<double> values;        // class c, row r at values[c * rows() + r]

  size_t rows() const { return rowIds.size(); }
  const double* column(size_t c) const { return values.data() + c * rows(); }
};

// Every field outside `idColumn` must parse whole as a finite number. Throws InputError listing the
// first few bad cells as FILE:LINE: column 'X': ... with the total count, and on duplicate or empty
// row ids and a missing id column.
ScoreTable toScoreTable(const CsvTable& csv, const std::string& idColumn = "row_id");
ScoreTable readScoreTable(const std::filesystem::path& file, const std::string& idColumn = "row_id");

// A truth table (a solution) holds only 0 and 1; throws InputError naming the first few other cells
// (FILE:LINE: column 'X') and how many there are.
void checkBinary(const ScoreTable& truth);

// `table` with its rows and class columns put in `reference`'s order. Throws InputError naming
// `table`'s file when row ids are missing or extra (a few of them and how many) or class columns are
// missing or extra (all of them).
ScoreTable alignTo(const ScoreTable& table, const ScoreTable& reference);

}  // namespace chorus::meta
