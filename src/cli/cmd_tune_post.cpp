// chorus tune-post --work WORK [--out FILE]: smoothing kernel and per-file boost chosen on the
// out-of-fold soundscape predictions (report/tune_post.hpp); also read from [tune-post] of --config.
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "core/parse_number.hpp"
#include "report/tune_post.hpp"

namespace chorus::cli {

Command addTunePost(CLI::App& parent) {
  auto o = std::make_shared<report::TunePostOptions>();
  auto kernels = std::make_shared<std::vector<std::string>>();
  CLI::App* app = parent.add_subcommand(
      "tune-post",
      "Choose the window post-processing of chorus infer (--smoothing, --boost) on the out-of-fold\n"
      "soundscape predictions of WORK/models (the latest round's models; never the test set): every\n"
      "kernel x boost candidate scored as the report scores the ensemble (one reducer member per\n"
      "backbone, folds pooled, the submission's reducer), one line each; the best (it must beat 'off')\n"
      "written as a TOML fragment for [infer].");
  app->add_option("--work", o->work, "Work folder of a run with trained models (models/, meta/)")->required();
  app->add_option("--out", o->out, "The TOML fragment to write (default: WORK/tune-post.toml)");
  app->add_option("--kernels", *kernels,
                  "Smoothing kernels to try, each as comma-separated weights (\"0.2,0.6,0.2\"; \"\" for none); "
                  "default: none, 0.25,0.5,0.25, 0.2,0.6,0.2, 0.1,0.8,0.1, 0.1,0.2,0.4,0.2,0.1");
  app->add_option("--boosts", o->boosts, "Per-file boosts to try (alpha; 0: none)")->capture_default_str();
  return {app, [o, kernels] {
            if (!kernels->empty()) {
              o->kernels.clear();
              for (const auto& text : *kernels) {
                std::vector<double> kernel;
                std::stringstream in(text);
                for (std::string w; std::getline(in, w, ',');)
                  kernel.push_back(parseDouble(w, "--kernels '" + text + "'"));
                o->kernels.push_back(kernel);
              }
            }
            report::runTunePost(*o, std::cout);
            return 0;
          }};
}

}  // namespace chorus::cli
