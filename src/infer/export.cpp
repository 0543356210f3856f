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
#include "ovengine/runtime.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

void ExportOptions::validate() const {
  if (work.empty()) throw UsageError("export: --work is required");
  if (format != "openvino" && format != "openvino-f16")
    throw UsageError("export: --format must be openvino or openvino-f16, not \"" + format + "\"");
  if (!openVinoBuilt()) throw UsageError("export --format openvino: this chorus was built without OpenVINO");
}

namespace {

// model-f16.xml beside the f32 IR, made again when missing, older than it, or asked to (--force).
fs::path f16Ir(const fs::path& f32, bool force) {
  const fs::path out = f32.parent_path() / "model-f16.xml";
  if (force || !fs::exists(out) || fs::last_write_time(out) < fs::last_write_time(f32)) openvino::compressIrWeights(f32, out);
  return out;
}

}  // namespace

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
    if (o.format == "openvino-f16") e.ir = f16Ir(e.ir, o.force);
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
