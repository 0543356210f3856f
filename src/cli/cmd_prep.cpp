// PLACEHOLDER: replaced by the real subcommand.
#include "cli/commands.hpp"
namespace chorus::cli {
Command addPrep(CLI::App& p) { return {p.add_subcommand("prep", "(not written yet)"), [] { return 1; }}; }
}  // namespace chorus::cli
