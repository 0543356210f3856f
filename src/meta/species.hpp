// The species: their order (sample_submission.csv's class columns, used everywhere), what the
// taxonomy says of each, and how much training material each has.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <unordered_map>
#include <vector>

#include "meta/kaggle_tables.hpp"

namespace chorus::meta {

// taxonomy.csv: primary_label,inat_taxon_id,scientific_name,common_name,class_name. Only
// primary_label is required; a repeated label keeps its first row (the repeat is an issue).
struct Taxon {
  std::string label, inatTaxonId, scientificName, commonName, className;
};
struct Taxonomy {
  std::vector<Taxon> taxa;
  std::unordered_map<std::string, std::size_t> index;  // label -> taxa position
  std::vector<RowIssue> issues;
  bool contains(const std::string& label) const { return index.count(label) != 0; }
  const Taxon* find(const std::string& label) const;
};
Taxonomy readTaxonomy(const std::filesystem::path& file);

// The class columns of sample_submission.csv (every column after row_id), in order. Reads the
// header only. Throws InputError when row_id is not the first column or a class repeats.
std::vector<std::string> readSubmissionClasses(const std::filesystem::path& file);

struct SpeciesEntry {
  std::size_t index = 0;  // the class's position among the submission columns
  std::string label;
  const Taxon* taxon = nullptr;  // null where the taxonomy lacks the class
  std::size_t trainClips = 0;          // kept train.csv rows with this primary label
  std::size_t secondaryClips = 0;      // kept rows naming it among secondary_labels
  std::size_t soundscapeWindows = 0;   // kept labelled soundscape windows containing it
};

// One entry per class, in submission order, with the counts of the kept rows and windows.
std::vector<SpeciesEntry> countSpecies(const std::vector<std::string>& classes, const Taxonomy& taxonomy,
                                       const std::vector<const TrainClip*>& clips,
                                       const std::vector<const SoundscapeWindow*>& windows);

// species_list.csv / rare_species.csv: index (the submission column, 0-based), the taxonomy
// fields, the three counts.
void writeSpeciesCsv(std::ostream& out, const std::vector<SpeciesEntry>& species);

}  // namespace chorus::meta
