// chorus run: every stage in order — synth (no dataset given), prep, features, train, pseudo,
// retrain, infer — each skipped when its marker (stage_marker.hpp) says it is complete with the
// same fingerprint; a stage that runs again invalidates every later marker. Then one summary (time
// per stage, out-of-fold score per model and of the ensemble, the submission and, given the hidden
// solution, its score), WORK/run.json and WORK/report.html.
//
// MPI: every rank calls runPipeline with the same steps. A collective step (features, training
// over rank groups, inference) runs on every rank; the others (synth, prep) run on rank 0 while
// the rest wait without spinning. Exit codes are agreed over ranks, markers written by rank 0.
#pragma once
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/html.hpp"
#include "report/results.hpp"

namespace chorus::dist {
class MpiContext;
}

namespace chorus::pipeline {

struct Step {
  std::string name;            // marker name: synth, prep, features, train, pseudo-r1, train-r1, infer
  std::string fingerprint;     // the stage's command line and resolved options
  bool collective = false;     // every rank runs it (else rank 0 alone)
  std::function<int()> run;    // the stage; returns its exit code (0, 4: finished with named failures)
};

struct PipelineOptions {
  std::filesystem::path work;
  std::filesystem::path submission;  // what the inference step writes (scored when it exists)
  std::filesystem::path solution;    // hidden labels of the test windows (synthetic data); empty: unknown
  nlohmann::ordered_json info;       // config, versions, git revision: copied into run.json
  bool report = true;                // write WORK/report.html
};

struct StageOutcome {
  std::string stage;
  double seconds = 0;  // this run's time, or the time recorded when it was done earlier
  bool skipped = false;
  int exitCode = 0;
};

struct PipelineSummary {
  std::vector<StageOutcome> stages;
  report::Results results;
  std::filesystem::path submission;  // empty when none was written
  double submissionScore = -1;       // -1: no solution or no submission
  int exitCode = 0;                  // 0, 4 (a stage finished with failures), or the failing stage's code
  std::string failedStage;
};

// Collective. Never throws for a failing stage: the summary says which one failed (and run.json).
PipelineSummary runPipeline(const PipelineOptions& options, const std::vector<Step>& steps,
                            const dist::MpiContext& mpi);

// The closing summary as printed (and logged) by rank 0.
std::string summaryText(const PipelineSummary& summary);

// Reads WORK (markers, models, run.json's facts when there) and writes WORK/report.html; what
// `chorus report --work WORK` does. Returns the file written.
std::filesystem::path writeWorkReport(const std::filesystem::path& work);

// The stage times recorded in WORK/stages/*.json, in pipeline order where known.
std::vector<report::StageTime> recordedStageTimes(const std::filesystem::path& work);

}  // namespace chorus::pipeline
