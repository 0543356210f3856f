#include "stages/synth/tables.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <tuple>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "meta/csv.hpp"
#include "meta/python_list.hpp"
#include "meta/soundscape_window.hpp"

namespace chorus::stages::synth {
namespace {

std::string oneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The shortest text that reads back as the same double, as Python's repr and pandas print it.
std::string shortest(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string clock(int seconds) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
  return buf;
}

std::string secondaryLabels(const std::vector<int>& indices, const std::vector<Species>& species) {
  std::vector<std::string> labels;
  for (int k : indices) labels.push_back(species[k].label);
  return meta::formatPythonStringList(labels);  // "['a', 'b']", as pandas writes the real column
}

std::vector<std::string> trainRow(const TrainClip& c, const std::vector<Species>& species) {
  const Species& s = species[c.species];
  return {s.label,      secondaryLabels(c.secondary, species), c.type,      clipFileName(c, species),
          c.collection, oneDecimal(c.rating),             c.url,       c.latitude,
          c.longitude,  s.scientificName,                 s.commonName, c.author,
          c.license};
}

}  // namespace

void writeTaxonomy(const std::filesystem::path& file, const DatasetPlan& plan) {
  AtomicFile out(file);
  meta::writeCsvRow(out.stream(), {"primary_label", "inat_taxon_id", "scientific_name", "common_name", "class_name"});
  for (const Species& s : plan.species)
    meta::writeCsvRow(out.stream(), {s.label, std::to_string(s.inatTaxonId), s.scientificName, s.commonName, className(s.taxonClass)});
  out.commit();
}

void writeTrainTable(const std::filesystem::path& file, const DatasetPlan& plan) {
  std::vector<std::vector<std::string>> rows;
  for (const TrainClip& c : plan.clips) rows.push_back(trainRow(c, plan.species));
  for (const CorruptClip& c : plan.corrupt) rows.push_back(trainRow(c.clip, plan.species));
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return std::tie(a[0], a[3]) < std::tie(b[0], b[3]); });
  AtomicFile out(file);
  meta::writeCsvRow(out.stream(), {"primary_label", "secondary_labels", "type", "filename", "collection", "rating", "url",
                                   "latitude", "longitude", "scientific_name", "common_name", "author", "license"});
  for (const auto& row : rows) meta::writeCsvRow(out.stream(), row);
  out.commit();
}

void writeSoundscapeLabels(const std::filesystem::path& file, const DatasetPlan& plan, uint32_t seed) {
  std::vector<std::vector<std::string>> rows;
  for (const Soundscape& s : plan.trainSoundscapes) {
    auto labels = windowLabels(s.calls);
    for (int w = 0; w < kWindows; ++w) {
      if (labels[w].empty()) continue;
      std::string joined;
      for (int k : labels[w]) joined += (joined.empty() ? "" : ";") + plan.species[k].label;
      rows.push_back({s.stem + ".ogg", clock(w * kWindowSeconds), clock((w + 1) * kWindowSeconds), joined});
    }
  }
  // The real file repeats some rows verbatim; a reader has to cope. One in twenty, one at least.
  Rng rng = Rng::stream(seed, "label-duplicates");
  std::vector<bool> twice(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) twice[i] = rng.chance(0.05);
  if (!rows.empty() && std::none_of(twice.begin(), twice.end(), [](bool b) { return b; })) twice[rng.index(rows.size())] = true;
  AtomicFile out(file);
  meta::writeCsvRow(out.stream(), {"filename", "start", "end", "primary_label"});
  for (size_t i = 0; i < rows.size(); ++i)
    for (int copy = 0; copy < (twice[i] ? 2 : 1); ++copy) meta::writeCsvRow(out.stream(), rows[i]);
  out.commit();
}

void writeSubmissionTables(const std::filesystem::path& sampleSubmission, const std::filesystem::path& solution,
                           const DatasetPlan& plan) {
  std::vector<std::string> header = {"row_id"};
  for (const Species& s : plan.species) header.push_back(s.label);
  AtomicFile sample(sampleSubmission), truth(solution);
  meta::writeCsvRow(sample.stream(), header);
  meta::writeCsvRow(truth.stream(), header);
  const std::string uniform = shortest(1.0 / plan.species.size());
  for (const Soundscape& s : plan.testSoundscapes) {
    auto labels = windowLabels(s.calls);
    for (int w = 0; w < kWindows; ++w) {
      std::string rowId = meta::windowRowId(s.stem, w);
      std::vector<std::string> guess = {rowId}, hidden = {rowId};
      for (size_t k = 0; k < plan.species.size(); ++k) {
        guess.push_back(uniform);
        hidden.push_back(std::binary_search(labels[w].begin(), labels[w].end(), static_cast<int>(k)) ? "1" : "0");
      }
      meta::writeCsvRow(sample.stream(), guess);
      meta::writeCsvRow(truth.stream(), hidden);
    }
  }
  sample.commit();
  truth.commit();
}

void writeTruth(const std::filesystem::path& file, const DatasetPlan& plan, const std::string& preset, uint32_t seed) {
  using nlohmann::json;
  json species = json::array(), clips = json::array(), voice = json::array(), corrupt = json::array(),
       soundscapes = json::array();
  for (const Species& s : plan.species)
    species.push_back({{"label", s.label},
                       {"class", className(s.taxonClass)},
                       {"call", callKindName(s.call.kind)},
                       {"band_hz", {s.call.fLow, s.call.fHigh}},
                       {"element_rate_hz", s.call.elementRate},
                       {"confusable_with", s.confusableWith >= 0 ? json(plan.species[s.confusableWith].label) : json()}});
  for (const TrainClip& c : plan.clips) {
    std::string name = clipFileName(c, plan.species);
    clips.push_back({{"filename", name}, {"sample_rate", c.sampleRate}, {"channels", c.channels},
                     {"seconds", static_cast<double>(static_cast<size_t>(c.seconds * c.sampleRate)) / c.sampleRate},
                     {"focal_snr_db", c.focalSnrDb}});
    if (c.voiceSeconds > 0) voice.push_back({{"filename", name}, {"start", 0.0}, {"end", c.voiceSeconds}});
  }
  for (const CorruptClip& c : plan.corrupt)
    corrupt.push_back({{"filename", clipFileName(c.clip, plan.species)}, {"kind", corruptKindName(c.kind)}});
  for (const auto* set : {&plan.trainSoundscapes, &plan.testSoundscapes})
    for (const Soundscape& s : *set) {
      json calls = json::array();
      for (const PlacedCall& c : s.calls)
        calls.push_back({{"label", plan.species[c.species].label}, {"start", c.start}, {"end", c.end}, {"snr_db", c.snrDb}});
      soundscapes.push_back({{"filename", s.stem + ".ogg"},
                             {"set", set == &plan.trainSoundscapes ? "train_soundscapes" : "test_soundscapes"},
                             {"site", s.site}, {"night", s.night}, {"calls", calls}});
    }
  json truth = {{"generator", "chorus synth"}, {"preset", preset}, {"seed", seed},
                {"meaningful_overlap_seconds", kMeaningfulOverlapSeconds},
                {"species", species}, {"train_clips", clips}, {"voice_segments", voice},
                {"corrupt_files", corrupt}, {"soundscapes", soundscapes}};
  writeFileAtomic(file, truth.dump(1) + "\n");
}

}  // namespace chorus::stages::synth
