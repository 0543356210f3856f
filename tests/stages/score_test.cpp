// chorus score on files: the sklearn fixture end to end, its report, and bad input named by file,
// line and column. One test runs the binary itself, because scripts rely on its last line and exit code.
#include "stages/score.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "test_util.hpp"

namespace chorus::stages {
namespace {

using chorus::testing::fixture;
using chorus::testing::scratchDir;

const auto kSolution = fixture("metric/main_solution.csv");
const auto kSubmission = fixture("metric/main_submission.csv");

nlohmann::json expected() { return nlohmann::json::parse(readTextFile(fixture("metric/main_expected.json"))); }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The fixture submission with `edit` applied to its lines (0: header), written into the scratch folder.
template <class Edit>
fs::path editedSubmission(const fs::path& dir, Edit edit) {
  auto rows = lines(readTextFile(kSubmission));
  edit(rows);
  std::ofstream out(dir / "submission.csv");
  for (const auto& row : rows) out << row << '\n';
  return dir / "submission.csv";
}

// Replaces the field at `column` of a CSV line without quotes (the fixture has none).
void setField(std::string& line, size_t column, const std::string& value) {
  size_t begin = 0;
  for (size_t k = 0; k < column; ++k) begin = line.find(',', begin) + 1;
  size_t end = line.find(',', begin);
  line.replace(begin, end == std::string::npos ? std::string::npos : end - begin, value);
}

std::string fieldOf(const std::string& line, size_t column) {
  std::string copy = line;
  size_t begin = 0;
  for (size_t k = 0; k < column; ++k) begin = copy.find(',', begin) + 1;
  return copy.substr(begin, copy.find(',', begin) - begin);
}

std::string scoreError(const ScoreOptions& options) {
  std::ostringstream out;
  try {
    runScore(options, out);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError; printed:\n" << out.str();
  return {};
}

TEST(Score, MatchesSklearnAndPrintsTheScoreLast) {
  std::ostringstream out;
  double score = runScore({kSolution, kSubmission, true, {}}, out);
  auto want = expected();
  EXPECT_NEAR(score, want["score"].get<double>(), 1e-9);
  auto printed = lines(out.str());
  ASSERT_FALSE(printed.empty());
  EXPECT_NEAR(std::stod(printed.back()), want["score"].get<double>(), 1e-10) << out.str();
  EXPECT_EQ(printed.back().size(), std::string("0.8212394167").size()) << "%.10f, just the number";
  // --per-class: one "class<TAB>positives<TAB>auc" line per scored class, before the score.
  for (const auto& c : want["per_class"]) {
    std::string prefix = c["class"].get<std::string>() + "\t" + std::to_string(c["positives"].get<int>()) + "\t";
    auto it = std::find_if(printed.begin(), printed.end(), [&](const auto& l) { return l.rfind(prefix, 0) == 0; });
    ASSERT_NE(it, printed.end()) << prefix;
    EXPECT_NEAR(std::stod(it->substr(prefix.size())), c["auc"].get<double>(), 1e-10);
  }
}

TEST(Score, WritesAJsonReport) {
  auto dir = scratchDir();
  std::ostringstream out;
  runScore({kSolution, kSubmission, false, dir / "report.json"}, out);
  auto report = nlohmann::json::parse(readTextFile(dir / "report.json"));
  auto want = expected();
  EXPECT_NEAR(report["score"].get<double>(), want["score"].get<double>(), 1e-12);
  EXPECT_EQ(report["scored_classes"].get<size_t>(), want["per_class"].size());
  EXPECT_EQ(report["unscored_classes"], want["unscored"]);
  EXPECT_EQ(out.str().find("\t"), std::string::npos) << "no per-class table without --per-class";
}

TEST(Score, MissingAndExtraRowIdsNameSomeAndCount) {
  auto dir = scratchDir();
  std::string dropped1, dropped2;
  auto submission = editedSubmission(dir, [&](auto& rows) {
    dropped1 = fieldOf(rows[10], 0);
    dropped2 = fieldOf(rows[20], 0);
    rows.erase(rows.begin() + 20);
    rows.erase(rows.begin() + 10);
    rows.push_back(rows[1]);
    setField(rows.back(), 0, "BC2026_Test_9999_S00_20250227_000000_5");
  });
  auto message = scoreError({kSolution, submission, false, dir / "report.json"});
  EXPECT_NE(message.find("2 of " + kSolution.string() + "'s 300 row_ids are missing"), std::string::npos) << message;
  EXPECT_NE(message.find(dropped1), std::string::npos) << message;
  EXPECT_NE(message.find(dropped2), std::string::npos) << message;
  EXPECT_NE(message.find("1 row_ids are not in " + kSolution.string() + ", e.g. BC2026_Test_9999_S00_20250227_000000_5 (line 300)"),
            std::string::npos)
      << message;
  // The report says why there is no score.
  auto report = nlohmann::json::parse(readTextFile(dir / "report.json"));
  EXPECT_EQ(report["error"].get<std::string>(), message);
}

TEST(Score, BadValuesNameFileLineAndColumn) {
  struct Case {
    std::string value, says;
  };
  for (const auto& c : {Case{"high", "'high' is not a number"}, Case{"NaN", "'NaN' is NaN"},
                        Case{"inf", "'inf' is infinite"}, Case{"0.3.1", "'0.3.1' is not a number"}}) {
    auto dir = scratchDir();
    std::string column;
    auto submission = editedSubmission(dir, [&](auto& rows) {
      column = fieldOf(rows[0], 5);
      setField(rows[41], 5, c.value);  // line 42 of the file
    });
    auto message = scoreError({kSolution, submission, false, {}});
    EXPECT_NE(message.find(submission.string() + ":42: column '" + column + "': " + c.says), std::string::npos)
        << message;
  }
}

TEST(Score, MissingColumnIsNamed) {
  auto dir = scratchDir();
  std::string column;
  auto submission = editedSubmission(dir, [&](auto& rows) {
    column = fieldOf(rows[0], 7);
    for (auto& row : rows) {  // drop the field and its comma
      size_t begin = 0;
      for (int k = 0; k < 7; ++k) begin = row.find(',', begin) + 1;
      row.erase(begin - 1, row.find(',', begin) - begin + 1);
    }
  });
  auto message = scoreError({kSolution, submission, false, {}});
  EXPECT_NE(message.find("1 of " + kSolution.string() + "'s 36 class columns are missing: " + column),
            std::string::npos)
      << message;
}

TEST(Score, SolutionMustBeZeroOrOne) {
  auto dir = scratchDir();
  auto rows = lines(readTextFile(kSolution));
  std::string column = fieldOf(rows[0], 3);
  setField(rows[7], 3, "0.5");
  {
    std::ofstream out(dir / "solution.csv");
    for (const auto& row : rows) out << row << '\n';
  }
  auto message = scoreError({dir / "solution.csv", kSubmission, false, {}});
  EXPECT_NE(message.find((dir / "solution.csv").string() + ":8: column '" + column + "': 0.5 is not 0 or 1"),
            std::string::npos)
      << message;
}

TEST(Score, ScoredClassWithoutNegativesIsNamed) {
  auto message = scoreError(
      {fixture("metric/all_positive_solution.csv"), fixture("metric/all_positive_submission.csv"), false, {}});
  EXPECT_NE(message.find("class 'always'"), std::string::npos) << message;
}

// The command-line contract: the score alone on the last line, exit 0; bad input exits 3 (BadInput).
TEST(Score, BinaryPrintsTheScoreLastAndFailsOnBadInput) {
  auto dir = scratchDir();
  std::string command = std::string(CHORUS_BINARY) + " score --solution " + kSolution.string() + " --submission ";
  int status = std::system((command + kSubmission.string() + " > " + (dir / "out.txt").string()).c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NEAR(std::stod(lines(readTextFile(dir / "out.txt")).back()), expected()["score"].get<double>(), 1e-10);

  auto bad = editedSubmission(dir, [](auto& rows) { setField(rows[3], 2, "x"); });
  status = std::system((command + bad.string() + " > " + (dir / "bad.txt").string() + " 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), static_cast<int>(ExitCode::BadInput));
  EXPECT_NE(readTextFile(dir / "bad.txt").find(bad.string() + ":4: column '"), std::string::npos)
      << readTextFile(dir / "bad.txt");
}

}  // namespace
}  // namespace chorus::stages
