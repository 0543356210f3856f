#include "train/options.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/parse_number.hpp"
#include "core/thread_pool.hpp"
#include "dataset/training_data.hpp"
#include "weights/weight_files.hpp"

namespace chorus::train {

void TrainOptions::validate() const {
  auto positive = [](bool ok, const std::string& what) {
    if (!ok) throw UsageError("train: " + what);
  };
  positive(epochs >= 1, "--epochs must be at least 1");
  positive(stopAfter >= 0, "--stop-after must not be negative");
  positive(batchSize >= 1 && evalBatchSize >= 1, "batch sizes must be at least 1");
  positive(maxStepsPerEpoch >= 0, "--max-steps-per-epoch must not be negative");
  positive(lr > 0 && minLr >= 0 && minLr <= lr, "need 0 <= --min-lr <= --lr and --lr > 0");
  positive(warmupEpochs >= 0 && warmupEpochs < epochs, "--warmup-epochs must be in [0, epochs)");
  positive(weightDecay >= 0, "--weight-decay must not be negative");
  if (layerDecay != "auto") {
    const auto d = toDouble(layerDecay);
    positive(d && *d > 0 && *d <= 1, "--layer-decay must be auto or in (0, 1], got '" + layerDecay + "'");
  }
  positive(gradClip >= 0, "--grad-clip must not be negative");
  positive(emaDecay >= 0 && emaDecay < 1, "--ema-decay must be in [0, 1) (0: off)");
  positive(patience >= 0, "--patience must not be negative");
  positive(threads >= 0, "--threads must be 0 (every core) or more");
  positive(device == "auto" || device == "cpu" || device == "cuda", "--device must be auto, cpu or cuda");
  positive(!backbones.empty() && !folds.empty(), "need at least one backbone and one fold");
  for (int f : folds) positive(f >= 0, "folds must not be negative");
  positive(rareRepeats >= 1, "--rare-repeats must be at least 1 (1: no oversampling)");
  loss.validate();
  if (!distil.empty()) {
    distillation.validate();
    positive(std::filesystem::is_regular_file(distil), "--distil " + distil.string() + ": no such file");
  }
  try {
    if (!pseudo.dir.empty()) {
      pseudo.validate();
      dataset::pseudoRound(pseudo.dir);
    }
    augmentations.validate();
    crop.validate();
  } catch (const UsageError& e) {
    throw UsageError(std::string("train: ") + e.what());
  }
  validateBackboneWeights();
  model::ModelOptions m = model;
  for (const auto& b : backbones) {
    m = modelFor(b, model.numClasses);
    m.validate();
  }
  if (!job.empty()) {
    m = modelFor(meta::parseJobSpec(job, "train: --job").backbone, model.numClasses);
    m.validate();
  }
}

namespace {

// "BACKBONE=PATH" -> {BACKBONE, PATH}; a plain PATH -> {"", PATH}.
std::pair<std::string, std::string> weightsSpec(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq != std::string::npos) {
    const auto& known = model::nativeBackbones();
    const std::string name = spec.substr(0, eq);
    if (std::find(known.begin(), known.end(), name) != known.end()) return {name, spec.substr(eq + 1)};
  }
  return {"", spec};
}

}  // namespace

std::string TrainOptions::backboneWeightsFor(const std::string& backbone) const {
  for (const auto& spec : backboneWeights) {
    const auto [name, path] = weightsSpec(spec);
    if (name.empty() || name == backbone) return path;
  }
  return "";
}

void TrainOptions::validateBackboneWeights() const {
  const bool oneBackbone = !job.empty() || backbones.size() == 1;
  for (const auto& spec : backboneWeights) {
    const auto [name, path] = weightsSpec(spec);
    if (name.empty() && (!oneBackbone || backboneWeights.size() > 1))
      throw UsageError("train: --backbone-weights " + spec + ": with several backbones, give BACKBONE=PATH for each (" +
                       "e.g. efficientnet_b0=/models/b0.safetensors)");
    if (path.empty()) throw UsageError("train: --backbone-weights " + spec + ": no path");
    weights::locateWeightsFile(path);  // InputError naming what is not there
  }
}

double TrainOptions::layerDecayFor(bool pretrained) const {
  if (layerDecay == "auto") return pretrained ? kPretrainedLayerDecay : 1.0;
  return parseDouble(layerDecay, "train: --layer-decay");
}

dataset::AugmentOptions TrainOptions::resolvedAugmentations() const {
  return augment ? augmentations : dataset::AugmentOptions::none();
}

dataset::DataOptions TrainOptions::dataFor(int fold) const {
  dataset::DataOptions d;
  d.work = work;
  d.fold = fold;
  d.targets.secondary = float(secondaryTarget);
  d.sampler.seed = seed;
  d.sampler.rareRepeats = rareRepeats;
  d.augment = resolvedAugmentations();
  d.crop = crop;
  d.pseudo = pseudo;    // noisy student: pseudo-labelled windows, stronger noise
  d.threads = resolvedThreads(threads);  // batch assembly: the same numbers whatever the thread count
  return d;
}

model::ModelOptions TrainOptions::modelFor(const std::string& backbone, int numClasses) const {
  model::ModelOptions m = model;
  m.backbone = backbone;
  m.numClasses = numClasses;
  if (const std::string w = backboneWeightsFor(backbone); !w.empty()) m.backboneWeights = w;
  return m;
}

namespace {

using nlohmann::json;

// "a.b.c" -> value for every leaf, so that a refusal can name exactly what changed.
void flatten(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out[prefix] = j.dump();
  }
}

}  // namespace

JobConfig jobConfig(const TrainOptions& o, const meta::Job& job, int64_t stepsPerEpoch, int world) {
  JobConfig c;
  c.backbone = job.backbone, c.fold = job.fold, c.head = o.model.head;
  c.dropRate = o.model.dropRate, c.dropPathRate = o.model.dropPathRate, c.layerScaleInit = o.model.layerScaleInit;
  c.loss = o.loss.kind, c.gammaNeg = o.loss.gammaNeg, c.gammaPos = o.loss.gammaPos, c.clip = o.loss.clip;
  c.epochs = o.epochs, c.batchSize = o.batchSize, c.stepsPerEpoch = stepsPerEpoch;
  c.lr = o.lr, c.minLr = o.minLr, c.warmupEpochs = o.warmupEpochs, c.weightDecay = o.weightDecay;
  c.gradClip = o.gradClip, c.patience = o.patience;
  c.secondaryTarget = o.secondaryTarget, c.augment = o.augment, c.augmentations = o.resolvedAugmentations();
  c.crop = o.crop, c.rareRepeats = o.rareRepeats, c.seed = o.seed, c.threads = resolvedThreads(o.threads);
  c.world = world, c.emaDecay = o.emaDecay;
  if (!o.pseudo.dir.empty()) c.pseudo = JobConfig::Pseudo{o.pseudo.dir.string(), o.pseudo.p, o.pseudo.noiseScale};
  if (!o.distil.empty())
    c.distil = JobConfig::Distil{o.distil.string(), o.distillation.weight, o.distillation.temperature,
                                 o.distillation.embeddingWeight};
  if (const std::string w = o.modelFor(job.backbone, o.model.numClasses).backboneWeights; !w.empty()) {
    const weights::WeightsFile file = weights::identifyWeights(w);
    c.backboneWeights = JobConfig::Weights{file.path.string(), file.sha256};
  }
  c.layerDecay = o.layerDecayFor(c.backboneWeights.has_value());
  return c;
}

void requireSameConfig(const JobConfig& saved, const JobConfig& now, const std::string& checkpoint) {
  std::map<std::string, std::string> before, after;
  flatten(toJson(saved), "", before);
  flatten(toJson(now), "", after);
  // The starting weights are in the checkpoint: a resume need not name them again, and when it does,
  // their bytes (sha256) must be the same, wherever the file lies now.
  after.erase("backbone_weights.file");
  if (!after.count("backbone_weights.sha256")) before.erase("backbone_weights.sha256");
  before.erase("backbone_weights.file");
  std::string changed;
  for (const auto& [key, value] : after) {
    auto it = before.find(key);
    const std::string old = it == before.end() ? "(absent)" : it->second;
    if (old != value) changed += "\n  " + key + ": " + old + " in the checkpoint, " + value + " now";
  }
  for (const auto& [key, value] : before)
    if (!after.count(key)) changed += "\n  " + key + ": " + value + " in the checkpoint, absent now";
  if (!changed.empty())
    throw UsageError("train: cannot resume " + checkpoint + ": it was trained with other options; resume with the "
                     "same ones or train afresh elsewhere. Differences:" + changed);
}

std::vector<meta::Job> jobsFor(const TrainOptions& options) {
  const int round = options.pseudo.dir.empty() ? 0 : dataset::pseudoRound(options.pseudo.dir);
  std::vector<meta::Job> jobs;
  if (!options.job.empty()) jobs = {meta::parseJobSpec(options.job, "train: --job")};
  for (const auto& b : options.job.empty() ? options.backbones : std::vector<std::string>{})
    for (int f : options.folds) jobs.push_back({b, f});
  for (auto& j : jobs) j.round = round;
  return jobs;
}

}  // namespace chorus::train
