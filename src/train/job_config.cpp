#include "train/job_config.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace chorus::train {
using nlohmann::json;

namespace {

// One object of the recorded config, read strictly: `path` is its dotted place ("crop."), for
// messages that name the key exactly.
class Fields {
 public:
  Fields(const json& j, std::string path, const std::string& source) : j_(j), path_(std::move(path)), source_(source) {
    if (!j_.is_object()) fail(path_.empty() ? "config" : path_.substr(0, path_.size() - 1), "is not an object");
  }
  bool has(const char* key) const { return j_.contains(key); }
  template <class T>
  T get(const char* key) const {
    if (!has(key)) missing(key);
    try {
      return j_.at(key).get<T>();
    } catch (const json::exception& e) {
      fail(path_ + key, std::string("has the wrong type: ") + e.what());
    }
  }
  template <class T>
  void get(const char* key, T& out) const { out = get<T>(key); }
  Fields sub(const char* key) const {
    if (!has(key)) missing(key);
    return Fields(j_.at(key), path_ + key + ".", source_);
  }

 private:
  [[noreturn]] void missing(const char* key) const {
    fail(path_ + key, "is missing (a checkpoint from an older chorus, or edited by hand): train it again with this "
                      "version rather than guess what it was trained with");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw InputError(source_ + ": the recorded configuration's key '" + key + "' " + what);
  }
  const json& j_;
  std::string path_;
  const std::string& source_;
};

json probability(const dataset::Probability& p) { return {{"on", p.on}, {"p", p.p}}; }

dataset::Probability probability(const Fields& f) { return {f.get<bool>("on"), f.get<double>("p")}; }

json augmentationsJson(const dataset::AugmentOptions& a) {
  json roll = probability(a.roll), noise = probability(a.colouredNoise), background = probability(a.background);
  json gain = probability(a.gain), freq = probability(a.freqMask), time = probability(a.timeMask);
  noise["snr_db"] = {a.noiseSnrMin, a.noiseSnrMax};
  noise["beta"] = {a.noiseBetaMin, a.noiseBetaMax};
  background["snr_db"] = {a.backgroundSnrMin, a.backgroundSnrMax};
  gain["db"] = a.gainDb;
  freq["bins"] = a.freqMaskBins;
  time["frames"] = a.timeMaskFrames;
  return {{"roll", roll}, {"coloured_noise", noise}, {"background", background},
          {"gain", gain}, {"freq_mask", freq}, {"time_mask", time}};
}

dataset::AugmentOptions augmentationsOf(const Fields& f) {
  dataset::AugmentOptions a;
  a.roll = probability(f.sub("roll"));
  const Fields noise = f.sub("coloured_noise"), background = f.sub("background");
  a.colouredNoise = probability(noise);
  std::tie(a.noiseSnrMin, a.noiseSnrMax) = noise.get<std::pair<double, double>>("snr_db");
  std::tie(a.noiseBetaMin, a.noiseBetaMax) = noise.get<std::pair<double, double>>("beta");
  a.background = probability(background);
  std::tie(a.backgroundSnrMin, a.backgroundSnrMax) = background.get<std::pair<double, double>>("snr_db");
  const Fields gain = f.sub("gain"), freq = f.sub("freq_mask"), time = f.sub("time_mask");
  a.gain = probability(gain), a.gainDb = gain.get<double>("db");
  a.freqMask = probability(freq), a.freqMaskBins = freq.get<int>("bins");
  a.timeMask = probability(time), a.timeMaskFrames = time.get<int>("frames");
  return a;
}

dataset::CropMode cropModeOf(const std::string& name, const std::string& source) {
  if (name == dataset::cropModeName(dataset::CropMode::Energy)) return dataset::CropMode::Energy;
  if (name == dataset::cropModeName(dataset::CropMode::Random)) return dataset::CropMode::Random;
  throw InputError(source + ": the recorded configuration's key 'crop.mode' is '" + name + "', not energy or random");
}

model::LossKind lossOf(const std::string& name, const std::string& source) {
  if (name == "bce") return model::LossKind::Bce;
  if (name == "asl") return model::LossKind::Asymmetric;
  throw InputError(source + ": the recorded configuration's key 'loss' is '" + name + "', not asl or bce");
}

// The sections a switch adds, only while it is on (job_config.hpp).
void addOptionalSections(const JobConfig& c, json& j) {
  if (c.pseudo) j["pseudo"] = {{"dir", c.pseudo->dir}, {"p", c.pseudo->p}, {"noise_scale", c.pseudo->noiseScale}};
  if (c.distil)
    j["distil"] = {{"store", c.distil->store}, {"weight", c.distil->weight}, {"temperature", c.distil->temperature},
                   {"embedding_weight", c.distil->embeddingWeight}};
  if (c.emaDecay > 0) j["ema_decay"] = c.emaDecay;
  if (c.backboneWeights) j["backbone_weights"] = {{"file", c.backboneWeights->file}, {"sha256", c.backboneWeights->sha256}};
}

void readOptionalSections(const Fields& f, JobConfig& c) {
  if (f.has("pseudo")) {
    const Fields p = f.sub("pseudo");
    c.pseudo = JobConfig::Pseudo{p.get<std::string>("dir"), p.get<double>("p"), p.get<double>("noise_scale")};
  }
  if (f.has("distil")) {
    const Fields d = f.sub("distil");
    c.distil = JobConfig::Distil{d.get<std::string>("store"), d.get<double>("weight"), d.get<double>("temperature"),
                                 d.get<double>("embedding_weight")};
  }
  if (f.has("ema_decay")) f.get("ema_decay", c.emaDecay);
  if (f.has("backbone_weights")) {
    const Fields w = f.sub("backbone_weights");
    c.backboneWeights = JobConfig::Weights{w.get<std::string>("file"), w.get<std::string>("sha256")};
  }
}

}  // namespace

json toJson(const JobConfig& c) {
  json j{{"backbone", c.backbone}, {"fold", c.fold}, {"head", c.head}, {"drop_rate", c.dropRate},
         {"drop_path_rate", c.dropPathRate}, {"layer_scale_init", c.layerScaleInit},
         {"loss", c.loss == model::LossKind::Bce ? "bce" : "asl"}, {"gamma_neg", c.gammaNeg},
         {"gamma_pos", c.gammaPos}, {"clip", c.clip}, {"epochs", c.epochs}, {"batch_size", c.batchSize},
         {"steps_per_epoch", c.stepsPerEpoch}, {"lr", c.lr}, {"min_lr", c.minLr}, {"warmup_epochs", c.warmupEpochs},
         {"weight_decay", c.weightDecay}, {"layer_decay", c.layerDecay}, {"grad_clip", c.gradClip},
         {"patience", c.patience}, {"secondary_target", c.secondaryTarget}, {"augment", c.augment},
         {"augmentations", augmentationsJson(c.augmentations)},
         {"crop", {{"mode", dataset::cropModeName(c.crop.mode)}, {"jitter_seconds", c.crop.jitterSeconds},
                   {"avoid_lead", c.crop.avoidLead}}},
         {"rare_repeats", c.rareRepeats}, {"seed", c.seed}, {"threads", c.threads}, {"world", c.world}};
  addOptionalSections(c, j);
  return j;
}

JobConfig jobConfigFromJson(const json& j, const std::string& source) {
  const Fields f(j, "", source);
  JobConfig c;
  f.get("backbone", c.backbone), f.get("fold", c.fold), f.get("head", c.head), f.get("drop_rate", c.dropRate);
  f.get("drop_path_rate", c.dropPathRate), f.get("layer_scale_init", c.layerScaleInit);
  c.loss = lossOf(f.get<std::string>("loss"), source);
  f.get("gamma_neg", c.gammaNeg), f.get("gamma_pos", c.gammaPos), f.get("clip", c.clip);
  f.get("epochs", c.epochs), f.get("batch_size", c.batchSize), f.get("steps_per_epoch", c.stepsPerEpoch);
  f.get("lr", c.lr), f.get("min_lr", c.minLr), f.get("warmup_epochs", c.warmupEpochs);
  f.get("weight_decay", c.weightDecay), f.get("layer_decay", c.layerDecay), f.get("grad_clip", c.gradClip);
  f.get("patience", c.patience), f.get("secondary_target", c.secondaryTarget), f.get("augment", c.augment);
  c.augmentations = augmentationsOf(f.sub("augmentations"));
  const Fields crop = f.sub("crop");
  c.crop.mode = cropModeOf(crop.get<std::string>("mode"), source);
  crop.get("jitter_seconds", c.crop.jitterSeconds), crop.get("avoid_lead", c.crop.avoidLead);
  f.get("rare_repeats", c.rareRepeats), f.get("seed", c.seed), f.get("threads", c.threads), f.get("world", c.world);
  readOptionalSections(f, c);
  return c;
}

}  // namespace chorus::train
