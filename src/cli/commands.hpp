// One function per subcommand: it declares the subcommand's options on the parent app (bound to
// the stage's options struct) and returns what to run once parsing succeeded. Stages never see CLI11.
#pragma once
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chorus::infer {
struct EnsembleRunOptions;
}

namespace chorus::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;  // returns the process exit code
};

Command addSynth(CLI::App& parent);
Command addPrep(CLI::App& parent);
Command addScore(CLI::App& parent);
Command addFeatures(CLI::App& parent);
Command addTrain(CLI::App& parent);
Command addPseudo(CLI::App& parent);
Command addInfer(CLI::App& parent);
struct TeacherArgs;  // teachers.hpp: the [teachers] section chorus run reads
Command addRun(CLI::App& parent, std::shared_ptr<const TeacherArgs> teachers);
Command addReport(CLI::App& parent);
Command addTunePost(CLI::App& parent);
Command addExport(CLI::App& parent);

// How the ensemble runs in infer and pseudo (infer/ensemble_run.hpp): --tta, --threads, --batch-size,
// --device, --engine, --precision, --max-failures, and (infer) --time-budget.
void addEnsembleRunOptions(CLI::App& app, infer::EnsembleRunOptions& run, bool timeBudget);

// --collective-timeout of every subcommand that runs under MPI, bound to `seconds`.
void addCollectiveTimeout(CLI::App& app, double& seconds);
// Before MPI starts: the deadline of this process's collectives and its heartbeat in
// WORK/logs/heartbeats (dist/liveness.hpp), for messages named `stage`. Returns the timeout in force
// (inside `chorus run`, the run's unless `app` was given one).
double watchRanks(const CLI::App& app, const std::filesystem::path& work, double seconds, const std::string& stage);

// The top-level app with every subcommand (main.cpp); `level` and `version` are bound to
// --log-level and --version.
std::unique_ptr<CLI::App> makeApp(std::vector<Command>& commands, std::string& level, bool& version);

}  // namespace chorus::cli
