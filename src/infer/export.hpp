// chorus export --format openvino: every model's OpenVINO IR (model.xml/.bin) written beside its
// checkpoint, so that inference on Kaggle (or anywhere) compiles it without building the graph, and a
// bundle can carry it. Infer and pseudo also export on first use when the IR is missing or stale.
// No torch in this header.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::infer {

struct ExportOptions {
  std::filesystem::path work;             // WORK/models, WORK/meta/species_list.csv
  std::vector<std::string> models;        // job folders, names under WORK/models or BACKBONE/FOLD; empty: all
  std::string format = "openvino";        // or openvino-f16: also model-f16.xml/.bin, f16 weights (half the size)
  std::string pointer = "best";           // which checkpoint of a job folder (best.json, else last.json)
  std::filesystem::path species;          // empty: WORK/meta/species_list.csv
  bool force = false;                     // export again even when the IR is up to date

  void validate() const;                  // UsageError naming the first bad value
};

struct ExportedModel {
  std::string name;
  std::filesystem::path checkpoint, ir;   // the checkpoint directory and its model.xml
};

// Throws UsageError in a build without OpenVINO, InputError naming a checkpoint that cannot be exported.
std::vector<ExportedModel> runExport(const ExportOptions& options);

}  // namespace chorus::infer
