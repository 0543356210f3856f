// chorus prep: the command line of stages::runPrep. Also read from the [prep] section of --config.
#include <memory>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "stages/prep.hpp"

namespace chorus::cli {

Command addPrep(CLI::App& parent) {
  auto options = std::make_shared<stages::PrepOptions>();
  CLI::App* app = parent.add_subcommand(
      "prep",
      "Read and clean the Kaggle tables, assign cross-validation folds, and write WORK/meta/:\n"
      "  train_cleaned_stratified.csv     train.csv's rows that can be used, in order, plus `fold`\n"
      "                                   (StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)\n"
      "                                   on primary_label, identical to scikit-learn's)\n"
      "  soundscape_labels_with_folds.csv labelled soundscape windows without duplicates, start_s, end_s,\n"
      "                                   fold (all windows of one soundscape in the same fold)\n"
      "  species_list.csv                 the classes in sample_submission.csv's order, with taxonomy and counts\n"
      "  rare_species.csv                 the classes with fewer than RARE train clips (zero included)\n"
      "  prep_report.json                 every dropped or changed row: file, line, reason\n"
      "Rows that do not parse, with missing audio or with labels outside taxonomy.csv are skipped, and\n"
      "exact duplicates dropped; each is named by file and line (the first ten here, all in the report).\n"
      "Exit status: 0 done; 2 bad options; 3 an input cannot be read, or more rows than --max-bad-rows\n"
      "do not parse (then no tables are written, only the report); 4 done, with unusable rows skipped.");
  app->add_option("--data", options->data, "Dataset root in the Kaggle layout (train.csv, taxonomy.csv, train_audio/, ...)")
      ->required();
  app->add_option("--work", options->work, "Work folder; outputs go to WORK/meta/, the log to WORK/logs/")->required();
  app->add_option("--n-folds", options->folds,
                  "Number of cross-validation folds (0 .. n-1; train --folds lists which of them to train)")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  app->add_option("--seed", options->seed, "random_state of the fold shuffles")->capture_default_str();
  app->add_option("--rare-threshold", options->rareThreshold,
                  "Species with fewer train clips than this are listed in rare_species.csv")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_option("--max-bad-rows", options->maxBadRows,
                  "Rows that do not parse tolerated (skipped, exit 4) before prep exits with status 3")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  return {app, [options] {
            // The tables are small: one process does the work, other ranks of an mpirun leave it be.
            if (log::rankFromEnvironment() != 0) return 0;
            log::openFile(log::rankLogPath(options->work / "logs", "prep"));
            return static_cast<int>(stages::runPrep(*options).exitCode);
          }};
}

}  // namespace chorus::cli
