// PLACEHOLDER: replaced by the real subcommand.
#include "cli/commands.hpp"
namespace chorus::cli {
Command addScore(CLI::App& p) { return {p.add_subcommand("score", "(not written yet)"), [] { return 1; }}; }
}  // namespace chorus::cli
