// The export stage: each checkpoint's model options from its state.json, its IR written (or found
// up to date) by openVinoIr, and WORK/infer/export.json listing what was written.
#include "infer/export.hpp"

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "dataset/examples.hpp"
#include "infer/ensemble_impl.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

void ExportOptions::validate() const {
  if (work.empty()) throw UsageError("export: --work is required");
  if (format != "openvino") throw UsageError("export: --format must be openvino, not \"" + format + "\"");
  if (!openVinoBuilt()) throw UsageError("export --format openvino: this chorus was built without OpenVINO");
}

std::vector<ExportedModel> runExport(const ExportOptions& o) {
  o.validate();
  std::vector<fs::path> dirs;
  if (o.models.empty()) dirs = modelDirs(o.work / "models");
  for (const auto& m : o.models) dirs.push_back(modelPath(m, o.work));
  const int classes = int(dataset::readSpecies(o.species.empty() ? o.work / "meta" / "species_list.csv" : o.species, {}).labels.size());
  std::vector<ExportedModel> out;
  nlohmann::json report = nlohmann::json::array();
  for (const auto& d : dirs) {
    const fs::path dir = resolveCheckpoint(d, o.pointer);
    const model::ModelOptions mo = modelOptionsOf(train::readState(dir), dir, classes);
    if (o.force) fs::remove(dir / "model.xml");
    ExportedModel e{modelName(d, dir), dir, openVinoIr(dir, mo)};
    CHORUS_LOG(Info) << "export: " << e.name << " (" << mo.backbone << ", " << mo.head << ") -> " << e.ir.string();
    report.push_back({{"model", e.name}, {"checkpoint", dir.string()}, {"ir", e.ir.string()}, {"format", o.format},
                      {"openvino", openVinoVersion()}});
    out.push_back(std::move(e));
  }
  ensureDir(o.work / "infer");
  writeFileAtomic(o.work / "infer" / "export.json", report.dump(1) + "\n");
  return out;
}

}  // namespace chorus::infer
