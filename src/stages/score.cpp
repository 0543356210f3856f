#include "stages/score.hpp"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "meta/metric.hpp"
#include "meta/score_table.hpp"

namespace chorus::stages {

namespace {

using Clock = std::chrono::steady_clock;
double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string fixed(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10f", value);
  return text;
}

nlohmann::json describe(const ScoreOptions& o, const meta::ScoreTable& solution, const meta::MetricResult& m) {
  nlohmann::json perClass = nlohmann::json::array();
  for (const auto& c : m.scored) perClass.push_back({{"class", c.name}, {"positives", c.positives}, {"auc", c.auc}});
  return {{"solution", o.solution.string()},
          {"submission", o.submission.string()},
          {"rows", solution.rows()},
          {"classes", solution.classes.size()},
          {"scored_classes", m.scored.size()},
          {"unscored_classes", m.unscored},
          {"per_class", perClass},
          {"score", m.score}};
}

void writeReport(const ScoreOptions& o, const nlohmann::json& report) {
  if (!o.report.empty()) writeFileAtomic(o.report, report.dump(2) + "\n");
}

}  // namespace

double runScore(const ScoreOptions& o, std::ostream& out) {
  meta::ScoreTable solution;
  meta::MetricResult result;
  try {
    auto start = Clock::now();
    solution = meta::readScoreTable(o.solution);
    meta::checkBinary(solution);
    // Rows and columns are matched by name, so the submission may come in any order.
    auto submission = meta::alignTo(meta::readScoreTable(o.submission), solution);
    auto read = Clock::now();
    result = meta::macroRocAuc(solution.classes, solution.rows(), solution.values, submission.values);
    // tools/bench_score.py reads this line to set the metric alone against sklearn's.
    CHORUS_LOG(Debug) << "score: read and matched in " << millis(read - start) << " ms, metric in "
                      << millis(Clock::now() - read) << " ms";
  } catch (const Error& e) {
    // The reason goes into the report as well, so that a pipeline reading it sees why there is no score.
    writeReport(o, {{"solution", o.solution.string()}, {"submission", o.submission.string()}, {"error", e.what()}});
    throw;
  }

  out << "solution   " << o.solution.string() << ": " << solution.rows() << " rows, " << solution.classes.size()
      << " classes\n"
      << "submission " << o.submission.string() << ": every row_id and class column matched\n"
      << "scored     " << result.scored.size() << " classes with a positive in the solution; "
      << result.unscored.size() << " without one are left out\n";
  if (o.perClass) {
    out << "class\tpositives\troc_auc\n";
    for (const auto& c : result.scored) out << c.name << '\t' << c.positives << '\t' << fixed(c.auc) << '\n';
  }
  out << "macro ROC-AUC over " << result.scored.size() << " classes:\n" << fixed(result.score) << std::endl;
  writeReport(o, describe(o, solution, result));
  return result.score;
}

}  // namespace chorus::stages
