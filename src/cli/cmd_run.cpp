// chorus run --config FILE [--data DIR] [--work WORK]: every stage in order, each one exactly the
// stand-alone subcommand (a fresh command line per stage, parsed from the same config), skipping
// complete stages, ending in one summary, WORK/run.json and WORK/report.html (pipeline.hpp).
// Without --data the dataset is synthetic (chorus synth into WORK/data, hidden solution in
// WORK/solution.csv), and the submission is scored against it.
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

namespace chorus {
const char* gitRevision();
const char* chorusVersion();
}  // namespace chorus

namespace chorus::cli {
namespace {
namespace fs = std::filesystem;

struct RunArgs {
  fs::path data, work = "chorus-work", solution, submission;
  bool report = true;
  int pseudoRounds = 1;
};

// A stage's full command line: the program, the config, the subcommand and its arguments.
struct StageCommand {
  std::vector<std::string> argv;
};

// Parses argv with a fresh app (every subcommand, as main has them) and hands the parsed
// subcommand to `use`. A parse error is a usage error naming the stage.
template <class Use>
auto withParsed(const std::vector<std::string>& argv, Use use) {
  std::vector<Command> commands;
  std::string level = "info";
  bool version = false;
  auto app = makeApp(commands, level, version);
  std::vector<std::string> reversed(argv.rbegin(), argv.rend() - 1);  // CLI11 takes them last first
  try {
    app->parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw UsageError("run: " + argv.at(argv.size() > 3 ? 3 : 1) + ": " + e.what());
  }
  for (auto& c : commands)
    if (c.app->parsed()) return use(c);
  throw UsageError("run: no subcommand in the stage's command line");
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
  return {app, [o, &parent, teachers] {
            dist::MpiContext mpi;  // owns MPI for the whole run; each stage finds it initialised
            RunArgs a = *o;
            const bool synthetic = a.data.empty();
            if (synthetic) {
              a.data = a.work / "data";
              if (a.solution.empty()) a.solution = a.work / "solution.csv";
            }
            if (a.submission.empty()) a.submission = a.work / "submission.csv";
            // Absolute paths: stages and their reports then name files the same from any folder.
            for (fs::path* p : {&a.data, &a.work, &a.solution, &a.submission})
              if (!p->empty()) *p = fs::absolute(*p).lexically_normal();
            std::string config;
            if (auto* c = parent.get_option("--config"); c->count() > 0) config = c->as<std::string>();
            if (mpi.isRoot()) ensureDir(a.work / "logs");
            mpi.barrier();  // every rank opens its log there
            log::openFile(log::rankLogPath(a.work / "logs", "run"));

            const std::string data = a.data.string(), work = a.work.string();
            nlohmann::ordered_json resolved = nlohmann::ordered_json::object();
            std::vector<pipeline::Step> steps;
            // Every stage's command line is parsed now, before anything runs: a bad config key or
            // value stops the run at once (exit 2) instead of after hours of training.
            // `later`: arguments naming what an earlier stage writes (checked for existence by the
            // stage's parser), so they join the command line only when the stage runs.
            auto add = [&](const std::string& marker, std::vector<std::string> args, bool collective,
                           std::vector<std::string> later = {}) {
              std::vector<std::string> argv = {"chorus"};
              if (!config.empty()) argv.insert(argv.end(), {"--config", config});
              argv.insert(argv.end(), args.begin(), args.end());
              const std::string options =
                  withParsed(argv, [](Command& c) { return c.app->config_to_str(false, false); });
              args.insert(args.end(), later.begin(), later.end());
              argv.insert(argv.end(), later.begin(), later.end());
              resolved[marker] = {{"command", join(args)}, {"options", options}};
              steps.push_back({marker, join(args) + "\n" + options, collective, [argv] {
                                 return withParsed(argv, [](Command& c) { return c.run(); });
                               }});
            };
            if (synthetic) add("synth", {"synth", "--out", data, "--solution", a.solution.string()}, false);
            add("prep", {"prep", "--data", data, "--work", work}, false);
            add("features", {"features", "--data", data, "--work", work}, true);
            // Collective: ranks split into groups that take the (backbone, fold) jobs in turn.
            // [teachers]: each store becomes its stage's own option (teachers.hpp).
            auto with = [](std::vector<std::string> args, const std::vector<std::string>& more) {
              args.insert(args.end(), more.begin(), more.end());
              return args;
            };
            const auto trainArgs = teachers->trainArgs();
            add("train", with({"train", "--data", data, "--work", work}, trainArgs), true);
            // Noisy student: round r's pseudo-labels come from round r-1's models, then every job is
            // retrained with them into models/<backbone>-f<k>-r<r>/.
            for (int r = 1; r <= a.pseudoRounds; ++r) {
              const std::string round = std::to_string(r), dir = (a.work / "pseudo" / ("r" + round)).string();
              add("pseudo-r" + round, with({"pseudo", "--data", data, "--work", work, "--round", round}, teachers->pseudoArgs()),
                  true);
              add("train-r" + round, with({"train", "--data", data, "--work", work}, trainArgs), true, {"--pseudo", dir});
            }
            add("infer", with({"infer", "--data", data, "--work", work, "--out", a.submission.string()}, teachers->inferArgs()),
                true);

            pipeline::PipelineOptions p;
            p.work = a.work;
            p.submission = a.submission;
            p.solution = a.solution;
            p.report = a.report;
            p.info["command"] = "chorus run";
            p.info["config_file"] = config.empty() ? "" : fs::absolute(config).string();
            p.info["config_text"] = config.empty() ? "" : readTextFile(config);
            p.info["data"] = fs::absolute(a.data).string();
            p.info["synthetic"] = synthetic;
            p.info["ranks"] = mpi.size();
            p.info["git"] = gitRevision();
            p.info["versions"] = versions();
            p.info["stages_resolved"] = resolved;
            auto summary = pipeline::runPipeline(p, steps, mpi);
            log::console(pipeline::summaryText(summary), false);
            log::console("run: " + (a.work / "run.json").string() +
                         (a.report ? ", " + (a.work / "report.html").string() : std::string()));
            return summary.exitCode;
          }};
}

}  // namespace chorus::cli
