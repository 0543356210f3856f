// chorus score: the competition metric on a solution and a submission file.
#pragma once
#include <filesystem>
#include <iosfwd>

namespace chorus::stages {

struct ScoreOptions {
  std::filesystem::path solution, submission;
  bool perClass = false;  // also print each scored class's AUC
};

// Prints the report to `out`, the score as the last line, and returns the score.
double runScore(const ScoreOptions& options, std::ostream& out);

}  // namespace chorus::stages
