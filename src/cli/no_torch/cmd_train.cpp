// chorus train in a build without torch (CHORUS_WITH_TORCH=OFF, the Kaggle bundle): the subcommand
// exists so that `chorus train` and a config's [train] section say what is missing instead of
// "unknown subcommand"; it trains nothing.
#include "cli/commands.hpp"
#include "core/error.hpp"

namespace chorus::cli {

Command addTrain(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand("train", "Training needs a chorus built with torch (this one: CHORUS_WITH_TORCH=OFF)");
  app->fallthrough(false)->allow_extras();  // every argument stays its own: the message below, whatever was given
  app->allow_config_extras(CLI::config_extras_mode::ignore);
  return {app, []() -> int {
            throw UsageError("train needs a chorus built with torch: this one was built with CHORUS_WITH_TORCH=OFF "
                             "(synth, prep, features, score, report, tune-post, export, infer and pseudo on OpenVINO)");
          }};
}

}  // namespace chorus::cli
