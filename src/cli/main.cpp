// chorus: parse, dispatch, map errors to exit codes. Nothing else belongs here.
#include <dlfcn.h>

#include <iostream>
#include <memory>
#include <vector>

#include "cli/commands.hpp"
#include "cli/teachers.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "model/build_info.hpp"

namespace chorus {
const char* gitRevision();
const char* chorusVersion();
}  // namespace chorus

namespace {

// Which malloc this process runs on, asked of the loaded code itself (tcmalloc defines tc_version).
std::string allocatorName() {
  using Version = const char* (*)(int*, int*, const char**);
  if (auto version = reinterpret_cast<Version>(dlsym(RTLD_DEFAULT, "tc_version"))) return version(nullptr, nullptr, nullptr);
  return "glibc malloc";
}

void printVersion() {
  auto info = chorus::model::buildInfo();
  std::cout << "chorus " << chorus::chorusVersion() << " (git " << chorus::gitRevision() << ")\n"
            << "torch " << info.torchVersion << "\n"
            << "CUDA: compiled " << (info.cudaCompiled ? "yes" : "no") << ", available "
            << (info.cudaAvailable ? "yes (" + std::to_string(info.cudaDevices) + " devices)" : std::string("no")) << "\n"
            << "NCCL: compiled " << (info.ncclCompiled ? "yes" : "no")
            << (info.ncclVersion.empty() ? "" : " (" + info.ncclVersion + ")") << ", available "
            << (info.ncclAvailable ? "yes" : "no") << "\n"
            << "allocator: " << allocatorName() << "\n";
}

chorus::log::Level parseLevel(const std::string& s) {
  if (s == "debug") return chorus::log::Level::Debug;
  if (s == "warn") return chorus::log::Level::Warn;
  if (s == "error") return chorus::log::Level::Error;
  return chorus::log::Level::Info;
}

}  // namespace

namespace chorus::cli {

// The whole command line: top-level options and every subcommand. `chorus run` builds a fresh one
// per stage, so a stage run by the pipeline reads its options exactly as the stand-alone command.
std::unique_ptr<CLI::App> makeApp(std::vector<Command>& commands, std::string& level, bool& version) {
  auto owner = std::make_unique<CLI::App>(
      "chorus: the BirdCLEF+ 2026 pipeline, from raw audio to a scored submission,\n"
      "on a laptop, a multi-GPU workstation (mpirun) or a SLURM cluster.");
  CLI::App& app = *owner;
  app.require_subcommand(0, 1);
  app.fallthrough();  // --config and --log-level may follow the subcommand
  app.set_config("--config", "", "TOML config: a [section] per subcommand; command-line flags override it");
  // A misspelt key in a config must fail loudly, not be ignored.
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_flag("--version", version, "Print the git revision, the torch version and CUDA/NCCL support");
  app.add_option("--log-level", level, "Console log level")->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  auto teachers = std::make_shared<chorus::cli::TeacherArgs>();  // [teachers], read by chorus run
  commands = {
      chorus::cli::addSynth(app),
      chorus::cli::addPrep(app),
      chorus::cli::addScore(app),
      chorus::cli::addFeatures(app),
      chorus::cli::addTrain(app),
      chorus::cli::addPseudo(app),
      chorus::cli::addInfer(app),
      chorus::cli::addRun(app, teachers),
      chorus::cli::addTeachers(app, teachers),
      chorus::cli::addReport(app),
      chorus::cli::addTunePost(app),
      chorus::cli::addExport(app),
  };

  for (auto& command : commands) {
    const std::string name = command.app->get_name();
    command.app->footer("Every option above may also come from --config FILE.toml, section [" + name +
                        "] (keys: long option names without the leading dashes, e.g. data = \"DIR\");\n"
                        "command-line flags override the file. --log-level debug|info|warn|error sets the console level.");
  }
  return owner;
}

}  // namespace chorus::cli

int main(int argc, char** argv) {
  std::vector<chorus::cli::Command> commands;
  std::string level = "info";
  bool version = false;
  auto owner = chorus::cli::makeApp(commands, level, version);
  CLI::App& app = *owner;

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError with code 0; every real parse error is a usage error (exit 2).
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(chorus::ExitCode::Usage);
  }
  chorus::log::setConsoleLevel(parseLevel(level));
  if (version) {
    printVersion();
    return 0;
  }
  for (auto& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const chorus::Error& e) {
      CHORUS_LOG(Error) << command.app->get_name() << ": " << e.what();
      return static_cast<int>(e.code());
    } catch (const std::exception& e) {
      CHORUS_LOG(Error) << command.app->get_name() << ": " << e.what();
      return static_cast<int>(chorus::ExitCode::Failure);
    }
  }
  std::cout << app.help();
  return static_cast<int>(chorus::ExitCode::Usage);
}
