// The training and validation examples of one fold: train clips (train_cleaned_stratified.csv)
// matched to the train_audio store by item id (= train.csv's `filename`), and labelled soundscape
// windows (soundscape_labels_with_folds.csv) matched to the train_soundscapes store by file name.
// fold != k trains, fold == k validates. A row that names no stored item, or a label that is not
// in the species list, is an issue (file, line, reason) for the report; the rest carries on.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/mel_options.hpp"
#include "dataset/options.hpp"
#include "meta/kaggle_tables.hpp"

namespace chorus::store {
class FeatureStore;
}

namespace chorus::dataset {

enum class Source { Clip, Soundscape };  // which store an example reads

struct Example {
  Source source = Source::Clip;
  size_t item = 0;         // index into the store's items()
  std::string id;          // the store item id (clip filename / soundscape file name)
  long line = 0;           // the csv line it came from
  int fold = 0;
  // Soundscape windows: the labelled frames [frameStart, frameStart + frameCount) within the item
  // (start_s, end_s on the store's frame grid). Clips: the whole item (0, frameCount).
  int64_t frameStart = 0, frameCount = 0;
  double endSeconds = 0;   // soundscape windows: end_s (the row_id suffix); clips: 0
  std::vector<std::pair<int, float>> targets;  // (species index, value), sparse
  bool rare = false;       // primary label in rare_species.csv
  bool pseudo = false;     // a pseudo-labelled soundscape window (pseudo_labels.hpp): soft targets, more noise
};

struct ExampleSet {
  std::vector<Example> examples;
};

struct MetaFiles {  // WORK/meta/ as prep writes it
  std::filesystem::path trainClips, soundscapeWindows, species, rareSpecies;
  static MetaFiles inWork(const std::filesystem::path& work);
};

struct Species {
  std::vector<std::string> labels;  // species_list.csv's primary_label column, in its order
  std::vector<bool> rare;           // per label: in rare_species.csv
  int index(const std::string& label) const;  // -1 when unknown
};
// Throws InputError naming the file if it cannot be read or lacks primary_label; a missing
// rare-species file (empty path) means no rare species.
Species readSpecies(const std::filesystem::path& speciesList, const std::filesystem::path& rareSpecies);

struct Split {
  ExampleSet train, valid;
  std::vector<meta::RowIssue> issues;  // missing_item, unknown_label, bad_fold, bad_window, bad_secondary_labels
};

struct SplitOptions {
  int fold = 0;
  bool soundscapes = true;  // labelled soundscape windows join train (other folds) / valid (fold k)
  TargetOptions targets;
};

// `soundscapeStore` may be null (no soundscape windows then). Frames per second come from each
// store's feature parameters (sample_rate / hop attributes).
Split loadSplit(const MetaFiles& meta, const Species& species, const store::FeatureStore& clipStore,
                const store::FeatureStore* soundscapeStore, const SplitOptions& options);

// Dense targets of one example, K = species count, into out[0 .. K).
void denseTargets(const Example& example, size_t speciesCount, float* out);

// The log-mel parameters a store was made with (its attributes); InputError naming a missing key,
// or, with absentMeansDefaults, the defaults for a store written by hand without them.
audio::MelOptions melOptionsOf(const store::FeatureStore& store, bool absentMeansDefaults = false);

// Frames per second of a store (sample_rate / hop from its attributes; MelOptions defaults if absent).
double framesPerSecond(const store::FeatureStore& store);

}  // namespace chorus::dataset
