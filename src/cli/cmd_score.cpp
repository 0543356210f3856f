// chorus score --solution S.csv --submission P.csv [--per-class] [--report FILE.json]
#include <iostream>

#include "cli/commands.hpp"
#include "stages/score.hpp"

namespace chorus::cli {

Command addScore(CLI::App& parent) {
  auto options = std::make_shared<stages::ScoreOptions>();
  auto* app = parent.add_subcommand(
      "score", "The competition metric: macro ROC-AUC over the classes with a positive in the solution.\n"
               "Prints a short report and the score as the last line.");
  app->add_option("--solution", options->solution, "Solution CSV: row_id and one 0/1 column per class")
      ->required();
  app->add_option("--submission", options->submission, "Submission CSV: row_id and the same class columns")
      ->required();
  app->add_flag("--per-class", options->perClass, "Also print each scored class's AUC and positive count");
  app->add_option("--report", options->report, "Also write the result (or the error) as JSON to this file");
  return {app, [options] {
            stages::runScore(*options, std::cout);
            return 0;
          }};
}

}  // namespace chorus::cli
