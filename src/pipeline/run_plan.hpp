// What `chorus run` runs, in one place: which stages, in which order, with which arguments —
// synth when no dataset is given (into WORK/data, the hidden solution in WORK/solution.csv), prep,
// features, train, then per pseudo-label round pseudo-rN and train-rN (retraining with round N's
// labels), infer last. A stage is planned as the words of its own subcommand; turning them into a
// parsed command is the command line's job (src/cli), running them in order runPipeline's.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::pipeline {

struct RunPlanOptions {
  std::filesystem::path data;        // the dataset in the Kaggle layout; empty: synthesise one
  std::filesystem::path work = "chorus-work";
  std::filesystem::path solution;    // empty: WORK/solution.csv with synthetic data, else unknown
  std::filesystem::path submission;  // empty: WORK/submission.csv
  int pseudoRounds = 1;              // noisy-student rounds (0: none)
  // Extra options per stage (a teacher store for each use, README "Teachers"); every training
  // round gets trainExtra.
  std::vector<std::string> trainExtra, pseudoExtra, inferExtra;
};

struct PlannedStage {
  std::string marker;               // WORK/stages/<marker>.json
  std::vector<std::string> args;    // the subcommand and its arguments
  bool collective = false;          // every rank takes part (else rank 0 alone while the others wait)
  std::vector<std::string> later;   // arguments naming an earlier stage's output: checked when it runs
};

struct RunPlan {
  std::filesystem::path data, work, solution, submission;  // absolute, defaults resolved
  bool synthetic = false;
  std::vector<PlannedStage> stages;
};

RunPlan planRun(const RunPlanOptions& options);

}  // namespace chorus::pipeline
