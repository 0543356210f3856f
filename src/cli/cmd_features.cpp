// PLACEHOLDER: replaced by the real subcommand.
#include "cli/commands.hpp"
namespace chorus::cli {
Command addFeatures(CLI::App& p) { return {p.add_subcommand("features", "(not written yet)"), [] { return 1; }}; }
}  // namespace chorus::cli
