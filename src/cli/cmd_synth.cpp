// PLACEHOLDER: replaced by the real subcommand.
#include "cli/commands.hpp"
namespace chorus::cli {
Command addSynth(CLI::App& p) { return {p.add_subcommand("synth", "(not written yet)"), [] { return 1; }}; }
}  // namespace chorus::cli
