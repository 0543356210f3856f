// One function per subcommand: it declares the subcommand's options on the parent app (bound to
// the stage's options struct) and returns what to run once parsing succeeded. Stages never see CLI11.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

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

}  // namespace chorus::cli
