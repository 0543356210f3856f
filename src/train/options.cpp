#include "train/options.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
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
  positive(layerDecay > 0 && layerDecay <= 1, "--layer-decay must be in (0, 1]");
  positive(gradClip >= 0, "--grad-clip must not be negative");
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

json describe(const dataset::Probability& p) { return {{"on", p.on}, {"p", p.p}}; }

json describe(const dataset::AugmentOptions& a) {
  json roll = describe(a.roll), noise = describe(a.colouredNoise), background = describe(a.background);
  json gain = describe(a.gain), freq = describe(a.freqMask), time = describe(a.timeMask);
  noise["snr_db"] = {a.noiseSnrMin, a.noiseSnrMax};
  noise["beta"] = {a.noiseBetaMin, a.noiseBetaMax};
  background["snr_db"] = {a.backgroundSnrMin, a.backgroundSnrMax};
  gain["db"] = a.gainDb;
  freq["bins"] = a.freqMaskBins;
  time["frames"] = a.timeMaskFrames;
  return {{"roll", roll}, {"coloured_noise", noise}, {"background", background},
          {"gain", gain}, {"freq_mask", freq}, {"time_mask", time}};
}

// "a.b.c" -> value for every leaf, so that a refusal can name exactly what changed.
void flatten(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out[prefix] = j.dump();
  }
}

}  // namespace

std::string describeConfig(const TrainOptions& o, const meta::Job& job, int64_t stepsPerEpoch, int world) {
  json config{{"backbone", job.backbone}, {"fold", job.fold}, {"head", o.model.head}, {"drop_rate", o.model.dropRate},
              {"drop_path_rate", o.model.dropPathRate},
              {"layer_scale_init", o.model.layerScaleInit}, {"loss", o.loss.kind == model::LossKind::Bce ? "bce" : "asl"},
              {"gamma_neg", o.loss.gammaNeg}, {"gamma_pos", o.loss.gammaPos}, {"clip", o.loss.clip},
              {"epochs", o.epochs}, {"batch_size", o.batchSize}, {"steps_per_epoch", stepsPerEpoch},
              {"lr", o.lr}, {"min_lr", o.minLr}, {"warmup_epochs", o.warmupEpochs}, {"weight_decay", o.weightDecay},
              {"layer_decay", o.layerDecay}, {"grad_clip", o.gradClip}, {"patience", o.patience},
              {"secondary_target", o.secondaryTarget}, {"augment", o.augment},
              {"augmentations", describe(o.resolvedAugmentations())},
              {"crop", {{"mode", dataset::cropModeName(o.crop.mode)}, {"jitter_seconds", o.crop.jitterSeconds},
                        {"avoid_lead", o.crop.avoidLead}}},
              {"rare_repeats", o.rareRepeats}, {"seed", o.seed}, {"threads", resolvedThreads(o.threads)}, {"world", world}};
  if (!o.pseudo.dir.empty())  // only then: configs of runs without pseudo labels stay as they were
    config["pseudo"] = {{"dir", o.pseudo.dir.string()}, {"p", o.pseudo.p}, {"noise_scale", o.pseudo.noiseScale}};
  if (!o.distil.empty())  // as for pseudo: configs without distillation stay as they were
    config["distil"] = {{"store", o.distil.string()}, {"weight", o.distillation.weight},
                        {"temperature", o.distillation.temperature}, {"embedding_weight", o.distillation.embeddingWeight}};
  if (const std::string w = o.modelFor(job.backbone, o.model.numClasses).backboneWeights; !w.empty()) {
    const weights::WeightsFile file = weights::identifyWeights(w);  // as for pseudo: absent when not given
    config["backbone_weights"] = {{"file", file.path.string()}, {"sha256", file.sha256}};
  }
  return config.dump();
}

void requireSameConfig(const std::string& saved, const std::string& now, const std::string& checkpoint) {
  std::map<std::string, std::string> before, after;
  flatten(json::parse(saved), "", before);
  flatten(json::parse(now), "", after);
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
