// chorus export --format openvino --work WORK [--models LIST]: each model's OpenVINO IR beside its
// checkpoint (infer/export.hpp). Also read from the [export] section of --config.
#include <memory>

#include "cli/commands.hpp"
#include "infer/export.hpp"

namespace chorus::cli {

Command addExport(CLI::App& parent) {
  auto o = std::make_shared<infer::ExportOptions>();
  CLI::App* app = parent.add_subcommand(
      "export",
      "Each model's OpenVINO IR (model.xml + model.bin, f32, BatchNorms folded) written beside its checkpoint,\n"
      "built from chorus's own architecture tables and the checkpoint's weights (model.safetensors, exported\n"
      "from weights.pt when missing). infer/pseudo --engine openvino also export on first use. Lists what it\n"
      "wrote in WORK/infer/export.json.");
  app->add_option("--work", o->work, "Work folder: models/ and meta/species_list.csv read")->required();
  app->add_option("--format", o->format,
                  "openvino: model.xml/.bin, f32 weights; openvino-f16: also model-f16.xml/.bin, the same graph with its "
                  "weights stored as f16 (half the size; computed in f32: logits move by the weights' rounding), what "
                  "tools/kaggle_bundle.sh packs by default")
      ->check(CLI::IsMember({"openvino", "openvino-f16"}))
      ->capture_default_str();
  app->add_option("--models", o->models,
                  "Models: job folders, names under WORK/models (efficientnet_b0-f0) or BACKBONE/FOLD; default: every "
                  "trained model");
  app->add_option("--pointer", o->pointer, "Which checkpoint of a job folder: best (else last) or last")
      ->check(CLI::IsMember({"best", "last"}))
      ->capture_default_str();
  app->add_option("--species", o->species, "The models' classes; default: WORK/meta/species_list.csv");
  app->add_flag("--force", o->force, "Export again even where the IR is up to date");
  return {app, [o] {
            infer::runExport(*o);
            return 0;
          }};
}

}  // namespace chorus::cli
