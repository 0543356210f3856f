// chorus report --work WORK: WORK/report.html from what WORK holds now (models, stage markers,
// run.json); works on a finished run and on one still training.
#include "cli/commands.hpp"
#include "core/log.hpp"
#include "pipeline/pipeline.hpp"

namespace chorus::cli {

Command addReport(CLI::App& parent) {
  auto work = std::make_shared<std::filesystem::path>();
  CLI::App* app = parent.add_subcommand(
      "report",
      "Write WORK/report.html (self-contained: inline SVG, no network): training curves of every model,\n"
      "out-of-fold AUC by backbone x fold and of the ensemble, the ensemble's per-class AUC worst first\n"
      "with each class's training clips, and the time per stage. `chorus run` writes it too.");
  app->add_option("--work", *work, "Work folder of a run (models/, meta/, stages/)")->required();
  return {app, [work] {
            auto file = pipeline::writeWorkReport(*work);
            log::console("report: " + file.string());
            return 0;
          }};
}

}  // namespace chorus::cli
