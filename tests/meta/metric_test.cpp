// The competition metric against scikit-learn (fixtures from tools/make_metric_fixture.py), and the
// numeric table reader that feeds it.
#include "meta/metric.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "meta/score_table.hpp"
#include "test_util.hpp"

namespace chorus::meta {
namespace {

using chorus::testing::fixture;

nlohmann::json readJson(const std::string& name) { return nlohmann::json::parse(readTextFile(fixture(name))); }

// The exception message of `f`, which must throw InputError.
template <class F>
std::string inputErrorOf(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError thrown";
  return {};
}

struct MainFixture {
  ScoreTable solution, submission;
  nlohmann::json expected;
  MainFixture()
      : solution(readScoreTable(fixture("metric/main_solution.csv"))),
        submission(alignTo(readScoreTable(fixture("metric/main_submission.csv")), solution)),
        expected(readJson("metric/main_expected.json")) {}
};

TEST(RocAuc, MatchesSklearnOnSmallVectors) {
  auto vectors = readJson("metric/vectors.json");
  ASSERT_GE(vectors.size(), 8u);
  for (const auto& v : vectors) {
    auto truth = v["truth"].get<std::vector<double>>();
    auto score = v["score"].get<std::vector<double>>();
    EXPECT_NEAR(rocAuc(truth, score), v["auc"].get<double>(), 1e-9) << v["name"];
  }
}

TEST(MacroRocAuc, MatchesSklearnPerClassAndMacro) {
  MainFixture f;
  ASSERT_EQ(f.solution.rows(), f.expected["rows"].get<size_t>());
  ASSERT_EQ(f.solution.classes.size(), f.expected["classes"].get<size_t>());
  auto result = macroRocAuc(f.solution.classes, f.solution.rows(), f.solution.values, f.submission.values);

  const auto& perClass = f.expected["per_class"];
  ASSERT_EQ(result.scored.size(), perClass.size());
  double worst = 0;
  for (size_t k = 0; k < perClass.size(); ++k) {
    // Ties, a constant column, raw logits, 1e-6 values, 0/1 scores, one or two positives, one negative.
    SCOPED_TRACE(perClass[k]["class"].get<std::string>() + " (" + perClass[k]["style"].get<std::string>() + ", " +
                 perClass[k]["kind"].get<std::string>() + ")");
    EXPECT_EQ(result.scored[k].name, perClass[k]["class"].get<std::string>());
    EXPECT_EQ(result.scored[k].positives, perClass[k]["positives"].get<size_t>());
    EXPECT_NEAR(result.scored[k].auc, perClass[k]["auc"].get<double>(), 1e-9);
    worst = std::max(worst, std::abs(result.scored[k].auc - perClass[k]["auc"].get<double>()));
  }
  EXPECT_EQ(result.unscored, f.expected["unscored"].get<std::vector<std::string>>());
  EXPECT_NEAR(result.score, f.expected["score"].get<double>(), 1e-9);
  std::cout << "largest per-class difference from sklearn: " << worst
            << ", macro: " << std::abs(result.score - f.expected["score"].get<double>()) << "\n";
}

TEST(MacroRocAuc, MonotoneTransformOfAColumnKeepsItsAuc) {
  MainFixture f;
  // exp() and a negative-offset affine map are strictly increasing: ranks, hence AUCs, stay put.
  for (size_t c = 0; c < f.submission.classes.size(); ++c)
    for (size_t r = 0; r < f.submission.rows(); ++r) {
      double& v = f.submission.values[c * f.submission.rows() + r];
      v = c % 2 ? std::exp(v) : 3.0 * v - 7.0;
    }
  auto result = macroRocAuc(f.solution.classes, f.solution.rows(), f.solution.values, f.submission.values);
  for (size_t k = 0; k < result.scored.size(); ++k)
    EXPECT_NEAR(result.scored[k].auc, f.expected["per_class"][k]["auc"].get<double>(), 1e-9);
}

TEST(MacroRocAuc, PerfectSubmissionScoresOne) {
  MainFixture f;
  auto result = macroRocAuc(f.solution.classes, f.solution.rows(), f.solution.values, f.solution.values);
  EXPECT_EQ(result.score, 1.0);
  // Reversed scores put every negative above every positive.
  std::vector<double> reversed(f.solution.values.size());
  for (size_t i = 0; i < reversed.size(); ++i) reversed[i] = 1.0 - f.solution.values[i];
  EXPECT_EQ(macroRocAuc(f.solution.classes, f.solution.rows(), f.solution.values, reversed).score, 0.0);
}

TEST(MacroRocAuc, RandomSubmissionIsNearOneHalf) {
  // Under "scores independent of truth" a class's AUC has mean 1/2 and variance (P+N+1)/(12PN)
  // (Mann-Whitney). With independent classes the macro mean's variance is the mean variance / K.
  const size_t rows = 3000, classes = 40;
  std::mt19937_64 rng(20260101);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<double> truth(rows * classes), score(rows * classes);
  std::vector<std::string> names;
  for (size_t c = 0; c < classes; ++c) {
    names.push_back("c" + std::to_string(c));
    double prevalence = 0.02 + 0.3 * c / classes;
    for (size_t r = 0; r < rows; ++r) {
      truth[c * rows + r] = uniform(rng) < prevalence;
      score[c * rows + r] = uniform(rng);
    }
  }
  auto result = macroRocAuc(names, rows, truth, score);
  ASSERT_EQ(result.scored.size(), classes);
  double meanVariance = 0, standardisedSquares = 0;
  for (const auto& c : result.scored) {
    double p = double(c.positives), n = double(rows - c.positives);
    double variance = (p + n + 1) / (12 * p * n);
    meanVariance += variance / classes;
    standardisedSquares += (c.auc - 0.5) * (c.auc - 0.5) / variance;
  }
  const double sigma = std::sqrt(meanVariance / classes);  // about 0.0023 here
  EXPECT_NEAR(result.score, 0.5, 4 * sigma);
  // The per-class spread must match the theory as well (a metric stuck at 0.5 would pass the line
  // above): the sum of 40 squared standard scores is chi-square(40), 99.9% inside [16.9, 76.1]
  // (scipy.stats.chi2(40).ppf(0.0005), .ppf(0.9995)).
  EXPECT_GT(standardisedSquares, 16.9);
  EXPECT_LT(standardisedSquares, 76.1);
  std::cout << "macro " << result.score << ", sigma " << sigma << ", chi-square(40) " << standardisedSquares << "\n";
}

TEST(MacroRocAuc, ClassWithoutNegativesIsAnErrorNamingIt) {
  auto solution = readScoreTable(fixture("metric/all_positive_solution.csv"));
  auto submission = alignTo(readScoreTable(fixture("metric/all_positive_submission.csv")), solution);
  auto message = inputErrorOf([&] { macroRocAuc(solution.classes, solution.rows(), solution.values, submission.values); });
  EXPECT_NE(message.find("class 'always'"), std::string::npos) << message;
  EXPECT_NE(message.find("no negatives"), std::string::npos) << message;
}

TEST(RocAuc, RejectsWhatHasNoAuc) {
  EXPECT_NE(inputErrorOf([] { rocAuc({0, 2, 1}, {0.1, 0.2, 0.3}); }).find("not 0 or 1"), std::string::npos);
  EXPECT_NE(inputErrorOf([] { rocAuc({0, 1, 1}, {0.1, NAN, 0.3}); }).find("not finite"), std::string::npos);
  EXPECT_NE(inputErrorOf([] { rocAuc({0, 0, 0}, {0.1, 0.2, 0.3}); }).find("undefined"), std::string::npos);
  EXPECT_NE(inputErrorOf([] { rocAuc({1, 1}, {0.1, 0.2}); }).find("no negatives"), std::string::npos);
}

// toScoreTable on an in-memory file "p.csv" whose second data row (line 3) has `cell` in column "b".
std::string errorForCell(const std::string& cell) {
  auto csv = CsvTable::parse("row_id,a,b\nx_5,0.1,0.2\nx_10,0.3," + cell + "\n", "p.csv");
  return inputErrorOf([&] { toScoreTable(csv); });
}

TEST(ScoreTable, BadCellsNameFileLineAndColumn) {
  for (std::string cell : {"abc", "0.5x", "", " 0.5", "1,5"}) {
    if (cell == "1,5") cell = "\"1,5\"";
    auto message = errorForCell(cell);
    EXPECT_NE(message.find("p.csv:3: column 'b'"), std::string::npos) << cell << ": " << message;
  }
  EXPECT_NE(errorForCell("nan").find("p.csv:3: column 'b': 'nan' is NaN"), std::string::npos);
  EXPECT_NE(errorForCell("NaN").find("is NaN"), std::string::npos);
  EXPECT_NE(errorForCell("inf").find("p.csv:3: column 'b': 'inf' is infinite"), std::string::npos);
  EXPECT_NE(errorForCell("-1e999").find("column 'b'"), std::string::npos);
}

TEST(ScoreTable, ReadsNumbersExactly) {
  auto table = toScoreTable(
      CsvTable::parse("a,row_id\n0.1,x_5\n1e-05,x_10\n-2.5,x_15\n0.30000000000000004,x_20\n", "p.csv"));
  ASSERT_EQ(table.classes, std::vector<std::string>{"a"});
  EXPECT_EQ(table.rowIds, (std::vector<std::string>{"x_5", "x_10", "x_15", "x_20"}));
  EXPECT_EQ(table.values, (std::vector<double>{0.1, 1e-05, -2.5, 0.30000000000000004}));
  EXPECT_EQ(table.lines, (std::vector<long>{2, 3, 4, 5}));
}

TEST(ScoreTable, CountsManyBadCellsButListsAFew) {
  std::string text = "row_id,a\n";
  for (int i = 0; i < 20; ++i) text += "x_" + std::to_string(i) + ",?\n";
  auto message = inputErrorOf([&] { toScoreTable(CsvTable::parse(text, "p.csv")); });
  EXPECT_NE(message.find("(20)"), std::string::npos) << message;
  EXPECT_NE(message.find("p.csv:2: column 'a'"), std::string::npos) << message;
  EXPECT_NE(message.find("and 15 more"), std::string::npos) << message;
}

TEST(ScoreTable, RepeatedEmptyOrMissingRowIdsAreErrors) {
  auto repeated = inputErrorOf([] { toScoreTable(CsvTable::parse("row_id,a\nx_5,1\nx_5,0\n", "p.csv")); });
  EXPECT_NE(repeated.find("p.csv:3: row_id 'x_5' repeats line 2"), std::string::npos) << repeated;
  auto empty = inputErrorOf([] { toScoreTable(CsvTable::parse("row_id,a\n,1\n", "p.csv")); });
  EXPECT_NE(empty.find("p.csv:2: empty row_id"), std::string::npos) << empty;
  auto missing = inputErrorOf([] { toScoreTable(CsvTable::parse("id,a\nx_5,1\n", "p.csv")); });
  EXPECT_NE(missing.find("missing column 'row_id'"), std::string::npos) << missing;
  auto twice = inputErrorOf([] { toScoreTable(CsvTable::parse("row_id,a,a\nx_5,1,0\n", "p.csv")); });
  EXPECT_NE(twice.find("column 'a' appears twice"), std::string::npos) << twice;
}

TEST(ScoreTable, TruthMustBeZeroOrOne) {
  auto truth = toScoreTable(CsvTable::parse("row_id,a,b\nx_5,1,0\nx_10,0,0.5\nx_15,1.0,0\n", "s.csv"));
  auto message = inputErrorOf([&] { checkBinary(truth); });
  EXPECT_NE(message.find("s.csv:3: column 'b': 0.5 is not 0 or 1"), std::string::npos) << message;
  EXPECT_EQ(message.find("s.csv:4"), std::string::npos) << "1.0 is a one: " << message;
}

TEST(ScoreTable, AlignsRowsAndColumnsByName) {
  auto reference = toScoreTable(CsvTable::parse("row_id,a,b\nx_5,1,0\nx_10,0,1\n", "s.csv"));
  auto table = toScoreTable(CsvTable::parse("b,row_id,a\n0.7,x_10,0.2\n0.3,x_5,0.9\n", "p.csv"));
  auto aligned = alignTo(table, reference);
  EXPECT_EQ(aligned.classes, reference.classes);
  EXPECT_EQ(aligned.rowIds, reference.rowIds);
  EXPECT_EQ(aligned.values, (std::vector<double>{0.9, 0.2, 0.3, 0.7}));
  EXPECT_EQ(aligned.lines, (std::vector<long>{3, 2}));
}

TEST(ScoreTable, AlignmentNamesMissingAndExtraRowsAndColumns) {
  auto reference = toScoreTable(CsvTable::parse("row_id,a,b,c\nx_5,1,0,0\nx_10,0,1,0\nx_15,0,1,1\n", "s.csv"));
  auto table = toScoreTable(CsvTable::parse("row_id,a,d\nx_5,1,0\nx_20,0,1\n", "p.csv"));
  auto message = inputErrorOf([&] { alignTo(table, reference); });
  EXPECT_NE(message.find("p.csv does not match s.csv"), std::string::npos) << message;
  EXPECT_NE(message.find("2 of s.csv's 3 class columns are missing: b, c"), std::string::npos) << message;
  EXPECT_NE(message.find("1 columns are not classes of s.csv: d"), std::string::npos) << message;
  EXPECT_NE(message.find("2 of s.csv's 3 row_ids are missing, e.g. x_10, x_15"), std::string::npos) << message;
  EXPECT_NE(message.find("1 row_ids are not in s.csv, e.g. x_20 (line 3)"), std::string::npos) << message;
}

}  // namespace
TEST(MacroRocAuc, AllPositiveClassIsRefusedByTheScorerAndLeftOutOutOfFold) {
  // Column-major, 4 rows: a scorable class (AUC 0.75 by hand: positives 0.9, 0.3 against negatives
  // 0.5, 0.1 -> 3 of 4 pairs ordered), a class with no negatives, a class with no positives.
  const std::vector<std::string> names = {"ok", "allpos", "none"};
  const std::vector<double> truth = {1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0};
  const std::vector<double> score = {0.9, 0.5, 0.3, 0.1, 0.2, 0.4, 0.6, 0.8, 0.1, 0.2, 0.3, 0.4};
  EXPECT_THROW(macroRocAuc(names, 4, truth, score), InputError);
  const auto result = macroRocAuc(names, 4, truth, score, AllPositive::LeaveOut);
  ASSERT_EQ(result.scored.size(), 1u);
  EXPECT_EQ(result.scored[0].name, "ok");
  EXPECT_DOUBLE_EQ(result.score, 0.75);
  EXPECT_EQ(result.allPositive, std::vector<std::string>{"allpos"});
  EXPECT_EQ(result.unscored, std::vector<std::string>{"none"});
  EXPECT_DOUBLE_EQ(macroRocAucOrNone(names, 4, truth, score), 0.75);
  // Nothing scorable: -1 out of fold, an InputError from the scorer; bad truth is refused by both.
  const std::vector<std::string> two = {"allpos", "none"};
  const std::vector<double> noScorable = {1, 1, 1, 1, 0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(macroRocAucOrNone(two, 4, noScorable, std::vector<double>(8, 0.5)), -1.0);
  EXPECT_THROW(macroRocAuc(two, 4, noScorable, std::vector<double>(8, 0.5), AllPositive::LeaveOut), InputError);
  EXPECT_THROW(macroRocAucOrNone({"x"}, 2, {0.5, 1}, {0.1, 0.2}), InputError);
}

}  // namespace chorus::meta
