// The torch engine's entry points in a build without torch (CHORUS_WITH_TORCH=OFF, the Kaggle
// bundle): every model runs on OpenVINO, and what would need libtorch says so.
#include "core/error.hpp"
#include "infer/ensemble_impl.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

std::unique_ptr<Engine> loadTorchEngine(const fs::path& dir, const model::ModelOptions& mo, const TorchEngineOptions&) {
  throw UsageError(dir.string() + " (" + mo.backbone + "): the torch engine needs a chorus built with torch; this one was "
                   "built with CHORUS_WITH_TORCH=OFF (OpenVINO only)");
}

bool torchBuilt() { return false; }

void setTorchThreads(int) {}

void writeSafetensorsFromWeightsPt(const model::ModelOptions&, const fs::path& weightsPt, const fs::path& safetensors) {
  throw InputError(safetensors.string() + ": missing, and this chorus (built without torch) cannot write it from " +
                   weightsPt.string() + ": run `chorus export` with a torch build first");
}

}  // namespace chorus::infer
