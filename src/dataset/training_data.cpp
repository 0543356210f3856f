#include "dataset/training_data.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "store/feature_store.hpp"

namespace chorus::dataset {

namespace fs = std::filesystem;

TrainingData::TrainingData(const DataOptions& options) : options_(options) {
  options_.augment.validate();
  options_.pseudo.validate();
  options_.sampler.pseudoP = options_.pseudo.p;
  if (options_.normalisation.stdDb <= 0) throw UsageError("normalisation std must be positive");
  const MetaFiles meta = MetaFiles::inWork(options_.work);
  const fs::path clipPath = options_.clipStore.empty() ? options_.work / "features" / "train_audio.h5" : options_.clipStore;
  const fs::path scapePath =
      options_.soundscapeStore.empty() ? options_.work / "features" / "train_soundscapes.h5" : options_.soundscapeStore;
  clips_ = std::make_unique<store::FeatureStore>(clipPath);
  // The soundscape store is optional when not asked for explicitly (a run without soundscapes).
  if (!options_.soundscapeStore.empty() || fs::exists(scapePath))
    soundscapes_ = std::make_unique<store::FeatureStore>(scapePath);
  species_ = readSpecies(meta.species, fs::exists(meta.rareSpecies) ? meta.rareSpecies : fs::path());
  SplitOptions split;
  split.fold = options_.fold;
  split.soundscapes = options_.soundscapes;
  split.targets = options_.targets;
  split_ = loadSplit(fs::exists(meta.soundscapeWindows) ? meta : MetaFiles{meta.trainClips, {}, {}, {}}, species_,
                     *clips_, soundscapes_.get(), split);
  if (split_.train.examples.empty()) throw InputError(meta.trainClips.string() + ": no training examples for fold " +
                                                      std::to_string(options_.fold));
  background_ = std::make_unique<BackgroundPool>();
  if (soundscapes_) {
    // Every labelled window of every fold is kept out of the pool, also when they are not examples.
    Split labelled;
    if (!options_.soundscapes && fs::exists(meta.soundscapeWindows)) {
      SplitOptions all = split;
      all.soundscapes = true;
      labelled = loadSplit(meta, species_, *clips_, soundscapes_.get(), all);
    }
    const Split& windowsFrom = options_.soundscapes ? split_ : labelled;
    std::vector<const Example*> windows;
    for (const auto* set : {&windowsFrom.train, &windowsFrom.valid})
      for (const auto& e : set->examples)
        if (e.source == Source::Soundscape) windows.push_back(&e);
    background_ = std::make_unique<BackgroundPool>(*soundscapes_, windows, options_.fold);
    if (!options_.pseudo.dir.empty()) addPseudo(windows);
  } else if (!options_.pseudo.dir.empty()) {
    throw InputError(scapePath.string() + ": pseudo labels (" + options_.pseudo.dir.string() +
                     ") need the train_soundscapes store");
  }
  source_ = BatchSource::forStores(*clips_, soundscapes_.get(), background_.get(), species_.labels.size());
  source_.crop = options_.crop;
  source_.augment = options_.augment;
  source_.pseudoAugment = noisyStudent(options_.augment, options_.pseudo.noiseScale);
  source_.normalisation = options_.normalisation;
  source_.seed = options_.sampler.seed;
}

TrainingData::~TrainingData() = default;

void TrainingData::addPseudo(const std::vector<const Example*>& labelled) {
  const fs::path csv = options_.pseudo.dir / kPseudoCsvName;
  if (!fs::exists(csv)) throw InputError(csv.string() + ": no pseudo labels there (run chorus pseudo first)");
  pseudo_ = readPseudoLabels(csv, species_, *soundscapes_, labelled, options_.fold);
  // `labelled` points into split_: only now may split_.train grow.
  for (auto& e : pseudo_.examples) split_.train.examples.push_back(std::move(e));
  pseudo_.examples.clear();
  split_.issues.insert(split_.issues.end(), pseudo_.issues.begin(), pseudo_.issues.end());
  CHORUS_LOG(Info) << csv.string() << ": " << split_.train.examples.size() << " training examples with the pseudo-labelled"
                   << " windows; left out " << pseudo_.validationFold << " of the validation fold's soundscapes, "
                   << pseudo_.labelledWindow << " with expert labels, " << pseudo_.issues.size() << " bad rows";
}

void TrainingData::batch(const std::vector<Slot>& slots, Mode mode, int64_t epoch, float* inputs,
                         float* targets) const {
  assembleBatch(source_, mode == Mode::Train ? split_.train : split_.valid, slots, mode, epoch, inputs, targets,
                options_.threads);
}

}  // namespace chorus::dataset
