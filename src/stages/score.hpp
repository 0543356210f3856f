// chorus score: the competition metric on a solution and a submission file.
#pragma once
#include <filesystem>
#include <iosfwd>

namespace chorus::stages {

struct ScoreOptions {
  std::filesystem::path solution, submission;
  bool perClass = false;         // also print each scored class's AUC and positive count
  std::filesystem::path report;  // optional: a JSON report (the score, or the error), written atomically
};

// Prints the report to `out`, the score as the last line (just the number), and returns the score.
// Bad input (unparsable cells, row ids or class columns that do not match, a solution that is not
// 0/1, a scored class without negatives) throws InputError naming the file, line and column.
double runScore(const ScoreOptions& options, std::ostream& out);

}  // namespace chorus::stages
