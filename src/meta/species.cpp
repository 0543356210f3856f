#include "meta/species.hpp"

#include <ostream>
#include <unordered_set>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "meta/csv.hpp"

namespace chorus::meta {

const Taxon* Taxonomy::find(const std::string& label) const {
  auto it = index.find(label);
  return it == index.end() ? nullptr : &taxa[it->second];
}

Taxonomy readTaxonomy(const std::filesystem::path& file) {
  const CsvTable csv = CsvTable::read(file);
  const std::size_t labelColumn = csv.column("primary_label");
  auto optional = [&](const std::string& name, const CsvRow& row) {
    return csv.hasColumn(name) ? row.fields[csv.column(name)] : std::string();
  };
  Taxonomy t;
  for (const CsvRow& row : csv.rows()) {
    Taxon taxon{row.fields[labelColumn], optional("inat_taxon_id", row), optional("scientific_name", row),
                optional("common_name", row), optional("class_name", row)};
    if (taxon.label.empty()) {
      t.issues.push_back({csv.fileName(), row.line, "parse_error", "empty primary_label"});
      continue;
    }
    if (!t.index.emplace(taxon.label, t.taxa.size()).second) {
      t.issues.push_back({csv.fileName(), row.line, "duplicate", "label '" + taxon.label + "' listed again"});
      continue;
    }
    t.taxa.push_back(std::move(taxon));
  }
  return t;
}

std::vector<std::string> readSubmissionClasses(const std::filesystem::path& file) {
  // Only the header matters; the rows (one per test window) need not be parsed here.
  std::string text = readTextFile(file);
  std::size_t end = text.find('\n');
  if (end != std::string::npos) text.resize(end + 1);
  const CsvTable csv = CsvTable::parse(text, file.string());
  const auto& header = csv.header();
  if (header.empty() || header[0] != "row_id")
    throw InputError(file.string(), 1, "the first column must be row_id");
  std::vector<std::string> classes(header.begin() + 1, header.end());
  std::unordered_set<std::string> seen;
  for (const auto& c : classes) {
    if (c.empty()) throw InputError(file.string(), 1, "an empty class column name");
    if (!seen.insert(c).second) throw InputError(file.string(), 1, "class column '" + c + "' appears twice");
  }
  if (classes.empty()) throw InputError(file.string(), 1, "no class columns after row_id");
  return classes;
}

std::vector<SpeciesEntry> countSpecies(const std::vector<std::string>& classes, const Taxonomy& taxonomy,
                                       const std::vector<const TrainClip*>& clips,
                                       const std::vector<const SoundscapeWindow*>& windows) {
  std::vector<SpeciesEntry> species;
  std::unordered_map<std::string, std::size_t> position;
  for (const auto& c : classes) {
    position.emplace(c, species.size());
    species.push_back({species.size(), c, taxonomy.find(c)});
  }
  auto entry = [&](const std::string& label) -> SpeciesEntry* {
    auto it = position.find(label);
    return it == position.end() ? nullptr : &species[it->second];
  };
  for (const TrainClip* clip : clips) {
    if (auto* e = entry(clip->primaryLabel)) ++e->trainClips;
    std::unordered_set<std::string> named(clip->secondaryLabels.begin(), clip->secondaryLabels.end());
    for (const auto& label : named)
      if (auto* e = entry(label)) ++e->secondaryClips;
  }
  for (const SoundscapeWindow* w : windows) {
    std::unordered_set<std::string> named(w->labels.begin(), w->labels.end());
    for (const auto& label : named)
      if (auto* e = entry(label)) ++e->soundscapeWindows;
  }
  return species;
}

void writeSpeciesCsv(std::ostream& out, const std::vector<SpeciesEntry>& species) {
  writeCsvRow(out, {"index", "primary_label", "inat_taxon_id", "scientific_name", "common_name", "class_name",
                    "train_clips", "secondary_clips", "soundscape_windows"});
  for (const auto& s : species) {
    const Taxon none{};
    const Taxon& t = s.taxon ? *s.taxon : none;
    writeCsvRow(out, {std::to_string(s.index), s.label, t.inatTaxonId, t.scientificName, t.commonName,
                      t.className, std::to_string(s.trainClips), std::to_string(s.secondaryClips),
                      std::to_string(s.soundscapeWindows)});
  }
}

}  // namespace chorus::meta
