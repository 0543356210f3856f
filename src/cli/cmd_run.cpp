// chorus run --config FILE [--data DIR] [--work WORK]: parses, then calls. Which stages run and in
// which order is pipeline::planRun's (run_plan.hpp); here each planned stage becomes its own
// subcommand's command line, parsed from the same config, and runPipeline runs them (pipeline.hpp).
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/teachers.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "dist/mpi_context.hpp"
#include "infer/engine.hpp"
#include "model/build_info.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/run_plan.hpp"

namespace chorus {
const char* gitRevision();
const char* chorusVersion();
}  // namespace chorus

namespace chorus::cli {
namespace {
namespace fs = std::filesystem;

struct RunArgs : pipeline::RunPlanOptions {
  bool report = true;
};

// Parses a stage's command line with a fresh app (every subcommand, as main has them) and hands
// the parsed subcommand to `use`. A parse error is a usage error naming the stage.
template <class Use>
auto withParsed(const std::string& stage, const std::vector<std::string>& argv, Use use) {
  std::vector<Command> commands;
  std::string level = "info";
  bool version = false;
  auto app = makeApp(commands, level, version);
  std::vector<const char*> words;
  for (const auto& w : argv) words.push_back(w.c_str());
  try {
    app->parse(int(words.size()), words.data());
  } catch (const CLI::ParseError& e) {
    throw UsageError("run: stage " + stage + ": " + e.what());
  }
  for (auto& c : commands)
    if (c.app->parsed()) return use(c);
  throw UsageError("run: stage " + stage + ": no subcommand in its command line");
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

nlohmann::ordered_json versions() {
  auto b = model::buildInfo();
  return {{"chorus", chorusVersion()}, {"torch", b.torchVersion},
          {"cuda", {{"compiled", b.cudaCompiled}, {"available", b.cudaAvailable}, {"devices", b.cudaDevices}}},
          {"nccl", {{"compiled", b.ncclCompiled}, {"available", b.ncclAvailable}, {"version", b.ncclVersion}}},
          {"openvino", infer::openVinoVersion()}};
}

// Every stage's command line is parsed now, before anything runs: a bad config key or value stops
// the run at once (exit 2) instead of after hours of training. A stage's `later` arguments name what
// an earlier stage writes (the stage's parser checks they exist), so they join only when it runs.
std::vector<pipeline::Step> parsedSteps(const pipeline::RunPlan& plan, const std::string& config,
                                        nlohmann::ordered_json& resolved) {
  std::vector<pipeline::Step> steps;
  for (const auto& stage : plan.stages) {
    std::vector<std::string> argv = {"chorus"};
    if (!config.empty()) argv.insert(argv.end(), {"--config", config});
    argv.insert(argv.end(), stage.args.begin(), stage.args.end());
    const std::string options =
        withParsed(stage.marker, argv, [](Command& c) { return c.app->config_to_str(false, false); });
    std::vector<std::string> args = stage.args;
    args.insert(args.end(), stage.later.begin(), stage.later.end());
    argv.insert(argv.end(), stage.later.begin(), stage.later.end());
    resolved[stage.marker] = {{"command", join(args)}, {"options", options}};
    steps.push_back({stage.marker, join(args) + "\n" + options, stage.collective,
                     [argv, marker = stage.marker] { return withParsed(marker, argv, [](Command& c) { return c.run(); }); }});
  }
  return steps;
}

}  // namespace

Command addRun(CLI::App& parent, std::shared_ptr<const TeacherArgs> teachers) {
  auto o = std::make_shared<RunArgs>();
  CLI::App* app = parent.add_subcommand(
      "run",
      "Every stage in order: synth (without --data), prep, features, train, pseudo + retrain, infer;\n"
      "each one exactly its own subcommand with the same --config. A stage whose marker\n"
      "(WORK/stages/<stage>.json) matches is skipped, so a rerun after a kill continues where it stopped.\n"
      "Ends with a summary (time per stage, out-of-fold AUC per model and of the ensemble, the submission\n"
      "and its score when the hidden solution is known), WORK/run.json and WORK/report.html.\n"
      "Under mpirun every rank runs it: collective stages share the work, the others run on rank 0.");
  app->add_option("--data", o->data, "Dataset root in the Kaggle layout (default: synthesise one into WORK/data)");
  app->add_option("--work", o->work, "Work folder for every stage's output")->capture_default_str();
  app->add_option("--solution", o->solution,
                  "Hidden labels of the test windows, to score the submission (default with synthetic data: "
                  "WORK/solution.csv)");
  app->add_option("--submission", o->submission, "Submission to write (default: WORK/submission.csv)");
  app->add_option("--pseudo-rounds", o->pseudoRounds,
                  "Pseudo-label rounds (noisy student): pseudo, then retraining, per round; 0: none")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  app->add_flag("--report,!--no-report", o->report, "Write WORK/report.html")->capture_default_str();
  auto timeout = std::make_shared<double>(900);
  addCollectiveTimeout(*app, *timeout);
  return {app, [app, o, &parent, teachers, timeout] {
            pipeline::RunPlanOptions planned = *o;
            planned.trainExtra = teachers->trainArgs();
            planned.pseudoExtra = teachers->pseudoArgs();
            planned.inferExtra = teachers->inferArgs();
            const pipeline::RunPlan plan = pipeline::planRun(planned);
            watchRanks(*app, plan.work, *timeout, "run");
            dist::MpiContext mpi;  // owns MPI for the whole run; each stage finds it initialised
            std::string config;
            if (auto* c = parent.get_option("--config"); c->count() > 0) config = c->as<std::string>();
            if (mpi.isRoot()) ensureDir(plan.work / "logs");
            mpi.barrier();  // every rank opens its log there
            log::openFile(log::rankLogPath(plan.work / "logs", "run"));
            if (plan.synthetic)
              log::console("run: no --data given: a synthetic dataset goes into " + plan.data.string() +
                           " (hidden solution " + plan.solution.string() + "), and the submission is scored");
            nlohmann::ordered_json resolved = nlohmann::ordered_json::object();
            const std::vector<pipeline::Step> steps = parsedSteps(plan, config, resolved);

            pipeline::PipelineOptions p;
            p.work = plan.work;
            p.submission = plan.submission;
            p.solution = plan.solution;
            p.report = o->report;
            p.info["command"] = "chorus run";
            p.info["config_file"] = config.empty() ? "" : fs::absolute(config).string();
            p.info["config_text"] = config.empty() ? "" : readTextFile(config);
            p.info["data"] = plan.data.string();
            p.info["synthetic"] = plan.synthetic;
            p.info["ranks"] = mpi.size();
            p.info["git"] = gitRevision();
            p.info["versions"] = versions();
            p.info["stages_resolved"] = resolved;
            auto summary = pipeline::runPipeline(p, steps, mpi);
            log::console(pipeline::summaryText(summary), false);
            log::console("run: " + (plan.work / "run.json").string() +
                         (o->report ? ", " + (plan.work / "report.html").string() : std::string()));
            return summary.exitCode;
          }};
}

}  // namespace chorus::cli
