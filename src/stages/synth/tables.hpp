// The dataset's tables, in the formats of the real competition files, and the side file of truths
// that no Kaggle file holds. All written atomically.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "stages/synth/corrupt.hpp"
#include "stages/synth/soundscapes.hpp"

namespace chorus::stages::synth {

struct DatasetPlan {
  std::vector<Species> species;
  std::vector<Site> sites;
  std::vector<TrainClip> clips;
  std::vector<CorruptClip> corrupt;
  std::vector<Soundscape> trainSoundscapes, testSoundscapes;  // names and calls; samples not kept
};

// taxonomy.csv: primary_label,inat_taxon_id,scientific_name,common_name,class_name
void writeTaxonomy(const std::filesystem::path& file, const DatasetPlan& plan);

// train.csv, the corrupt clips among the others, rows sorted by primary_label then filename.
void writeTrainTable(const std::filesystem::path& file, const DatasetPlan& plan);

// train_soundscapes_labels.csv: filename,start,end,primary_label for every window with a species,
// times HH:MM:SS, labels ';'-separated; like the real file, some rows appear twice.
void writeSoundscapeLabels(const std::filesystem::path& file, const DatasetPlan& plan, uint32_t seed);

// sample_submission.csv (every class 1/N) and the solution (0/1): one row per test window,
// row_id = <stem>_<end second>, one column per species in taxonomy order.
void writeSubmissionTables(const std::filesystem::path& sampleSubmission, const std::filesystem::path& solution,
                           const DatasetPlan& plan);

// The side file: species calls and bands, each clip's format, voice segments, corrupt files,
// every placed soundscape call.
void writeTruth(const std::filesystem::path& file, const DatasetPlan& plan, const std::string& preset, uint32_t seed);

}  // namespace chorus::stages::synth
