// Loading an ensemble: checkpoints found through their job folder's pointer, models rebuilt from
// the checkpoint's own config, grouped by mel parameters so that models trained on the same
// features share one log-mel per soundscape.
#include <algorithm>
#include <thread>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/thread_pool.hpp"
#include "dataset/examples.hpp"
#include "infer/ensemble_impl.hpp"
#include "meta/job_name.hpp"
#include "model/build_info.hpp"
#include "train/checkpoint_state.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {

// The held-out fold of a job folder's name ("efficientnet_b0-f3-r1" -> 3); -1 for another name.
int foldOfName(const std::string& name) {
  const auto job = meta::parseJobName(name);
  return job ? job->fold : -1;
}


// A TorchScript model has no graph of ours: it runs on libtorch whatever the engine.
bool useTorch(const std::string& engine, const model::ModelOptions& mo) {
  if (engine == "torch") return true;
  if (mo.isTorchScript() || mo.head == "none") {
    CHORUS_LOG(Warn) << mo.backbone << ": no OpenVINO graph for a TorchScript model, it runs on libtorch";
    return true;
  }
  return false;
}

}  // namespace

fs::path resolveCheckpoint(const fs::path& dir, const std::string& pointer) {
  if (fs::exists(dir / "state.json")) return dir;
  if (!fs::is_directory(dir)) throw InputError(dir.string() + ": no such model folder");
  if (auto d = train::checkpointDir(dir, pointer)) return *d;
  if (auto d = train::checkpointDir(dir, "last")) return *d;
  throw InputError(dir.string() + ": no checkpoint (neither " + pointer + ".json nor last.json, nor state.json)");
}

std::string modelName(const fs::path& given, const fs::path& checkpoint) {
  return fs::exists(given / "state.json") ? checkpoint.parent_path().filename().string() : given.filename().string();
}

fs::path modelPath(const std::string& entry, const fs::path& work) {
  if (fs::is_directory(entry)) return entry;
  std::string name = entry;
  if (name.find('/') != std::string::npos && !fs::exists(work / "models" / name))
    name = meta::parseJobSpec(entry, "--models").name();
  const fs::path dir = work / "models" / name;
  if (!fs::is_directory(dir)) throw UsageError("--models " + entry + ": no such model folder (" + dir.string() + ")");
  return dir;
}

model::ModelOptions modelOptionsOf(const train::TrainState& state, const fs::path& dir, int numClasses) {
  model::ModelOptions mo;  // the config was read strictly (train/job_config.hpp): every key is there
  mo.backbone = state.config.backbone;
  mo.head = state.config.head;
  mo.dropRate = state.config.dropRate;
  mo.dropPathRate = state.config.dropPathRate;
  mo.layerScaleInit = state.config.layerScaleInit;
  // A TorchScript file that the checkpoint carries under a relative path (tools/kaggle_bundle.sh
  // copies it in): found beside state.json wherever the folder has moved.
  if (mo.isTorchScript() && fs::path(mo.torchScriptPath()).is_relative() && fs::exists(dir / mo.torchScriptPath()))
    mo.backbone = "torchscript:" + (dir / mo.torchScriptPath()).string();
  mo.numClasses = numClasses;
  return mo;
}

std::vector<fs::path> modelDirs(const fs::path& modelsFolder) {
  if (!fs::is_directory(modelsFolder)) throw InputError(modelsFolder.string() + ": no models folder (train first)");
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(modelsFolder))
    if (entry.is_directory() && (fs::exists(entry.path() / "best.json") || fs::exists(entry.path() / "last.json")))
      dirs.push_back(entry.path());
  // Fold-major: dropping from the end keeps every backbone as long as possible.
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
    const std::string na = a.filename().string(), nb = b.filename().string();
    const int fa = foldOfName(na), fb = foldOfName(nb);
    return fa != fb ? fa < fb : na < nb;
  });
  if (dirs.empty()) throw InputError(modelsFolder.string() + ": no trained model (no */best.json or */last.json)");
  return dirs;
}

Ensemble::Ensemble(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ensemble::Ensemble(Ensemble&&) noexcept = default;
Ensemble& Ensemble::operator=(Ensemble&&) noexcept = default;
Ensemble::~Ensemble() = default;

size_t Ensemble::size() const { return impl_->infos.size(); }
const ModelInfo& Ensemble::info(size_t m) const { return impl_->infos.at(m); }
const std::vector<std::string>& Ensemble::classes() const { return impl_->classes; }
size_t Ensemble::featureGroups() const { return impl_->groupFeatures.size(); }
const std::map<std::string, std::string>& Ensemble::groupFeatures(size_t g) const { return impl_->groupFeatures.at(g); }
const std::string& Ensemble::engine() const { return impl_->engine; }
const std::string& Ensemble::precision() const { return impl_->precision; }

Ensemble Ensemble::load(const std::vector<fs::path>& dirs, const EnsembleOptions& o) {
  if (dirs.empty()) throw UsageError("infer: no models to load");
  if (!o.weights.empty() && o.weights.size() != dirs.size())
    throw UsageError("infer: " + std::to_string(o.weights.size()) + " weights for " + std::to_string(dirs.size()) + " models");
  if (o.species.empty()) throw UsageError("infer: the species list (species_list.csv) is needed to name the outputs");
  auto impl = std::make_unique<Impl>();
  impl->classes = dataset::readSpecies(o.species, {}).labels;
  const bool cuda = model::usesCuda(o.device);
  impl->cuda = cuda;
  impl->threads = resolvedThreads(o.threads);
  setTorchThreads(impl->threads);
  impl->channelsLast = o.channelsLast;
  impl->engine = resolveEngine(o.engine, o.precision, cuda);
  impl->precision = o.precision;

  for (size_t i = 0; i < dirs.size(); ++i) {
    const fs::path dir = resolveCheckpoint(dirs[i], o.pointer);
    const train::TrainState state = train::readState(dir);
    ModelInfo info;
    info.dir = dir;
    info.name = modelName(dirs[i], dir);
    info.features = state.features;
    info.weight = o.weights.empty() ? 1.0 : o.weights[i];
    const model::ModelOptions mo = modelOptionsOf(state, dir, int(impl->classes.size()));
    info.fold = state.config.fold;
    info.backbone = mo.backbone, info.head = mo.head;
    const audio::MelOptions mel = audio::MelOptions::fromAttributes(state.features);
    const auto melKeys = mel.describe();
    auto g = std::find(impl->groupFeatures.begin(), impl->groupFeatures.end(), melKeys);
    if (g == impl->groupFeatures.end()) {
      impl->groupFeatures.push_back(melKeys);
      impl->groupMel.push_back(mel);
      g = impl->groupFeatures.end() - 1;
    }
    impl->group.push_back(size_t(g - impl->groupFeatures.begin()));
    impl->norms.push_back(dataset::Normalisation::fromDescription(state.features));
    if (useTorch(impl->engine, mo)) {
      impl->engines.push_back(loadTorchEngine(dir, mo, {cuda, o.channelsLast, o.foldBatchNorm}));
    } else {
      impl->engines.push_back(makeOpenVinoEngine(openVinoIr(dir, mo), impl->threads, impl->precision == "bf16", mel, mo.numClasses));
    }
    info.engine = impl->engines.back()->name();
    CHORUS_LOG(Info) << "model " << info.name << ": " << dir.string() << " (" << mo.backbone << ", fold " << info.fold
                     << ", feature group " << impl->group.back() << ", engine " << info.engine << ")";
    impl->infos.push_back(std::move(info));
  }
  return Ensemble(std::move(impl));
}

}  // namespace chorus::infer
