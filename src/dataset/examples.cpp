#include "dataset/examples.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/parse_number.hpp"
#include "meta/csv.hpp"
#include "meta/python_list.hpp"
#include "store/feature_store.hpp"

namespace chorus::dataset {

namespace fs = std::filesystem;

MetaFiles MetaFiles::inWork(const fs::path& work) {
  const fs::path meta = work / "meta";
  return {meta / "train_cleaned_stratified.csv", meta / "soundscape_labels_with_folds.csv",
          meta / "species_list.csv", meta / "rare_species.csv"};
}

int Species::index(const std::string& label) const {
  auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1 : int(it - labels.begin());
}

Species readSpecies(const fs::path& speciesList, const fs::path& rareSpecies) {
  Species s;
  const auto table = meta::CsvTable::read(speciesList);
  const size_t label = table.column("primary_label");
  for (const auto& row : table.rows()) {
    if (s.index(row.fields[label]) >= 0) throw InputError(table.fileName(), row.line, "species " + row.fields[label] + " repeats");
    s.labels.push_back(row.fields[label]);
  }
  s.rare.assign(s.labels.size(), false);
  if (!rareSpecies.empty()) {
    const auto rare = meta::CsvTable::read(rareSpecies);
    const size_t column = rare.column("primary_label");
    for (const auto& row : rare.rows()) {
      const int k = s.index(row.fields[column]);
      if (k < 0) throw InputError(rare.fileName(), row.line, "rare species " + row.fields[column] + " is not in " + speciesList.string());
      s.rare[size_t(k)] = true;
    }
  }
  return s;
}

audio::MelOptions melOptionsOf(const store::FeatureStore& store, bool absentMeansDefaults) {
  return audio::MelOptions::fromAttributes(store.attributes(), absentMeansDefaults);
}

double framesPerSecond(const store::FeatureStore& store) {
  auto value = [&](const char* key, double fallback) {
    auto it = store.attributes().find(key);
    if (it == store.attributes().end()) return fallback;
    if (const auto v = toDouble(it->second)) return *v;
    throw InputError(store.path().string() + ": attribute " + key + " is not a number: '" + it->second + "'");
  };
  const double rate = value("sample_rate", 32000), hop = value("hop", 512);
  if (!(rate > 0 && hop > 0)) throw InputError(store.path().string() + ": sample_rate and hop must be positive");
  return rate / hop;
}

namespace {

struct Reader {  // the row being read, for issues
  const meta::CsvTable& table;
  std::vector<meta::RowIssue>& issues;
  void issue(long line, const std::string& kind, const std::string& reason) {
    issues.push_back({table.fileName(), line, kind, reason});
  }
};

bool parseFold(Reader& r, const meta::CsvRow& row, size_t column, int& fold) {
  if (const auto f = toInteger(row.fields[column]); f && *f >= 0 && *f <= 1000) {
    fold = int(*f);
    return true;
  }
  r.issue(row.line, "bad_fold", "fold '" + row.fields[column] + "' is not a fold number");
  return false;
}

// Why an id has no store item: a failure the features stage recorded, or never computed.
std::string missingReason(const store::FeatureStore& store, const std::string& id) {
  for (const auto& f : store.failures())
    if (f.id == id) return "'" + id + "' failed in the features stage: " + f.reason;
  return "'" + id + "' is not in the feature store " + store.path().string();
}

void addTarget(Example& e, int k, float value) {
  for (auto& [index, v] : e.targets)
    if (index == k) {
      v = std::max(v, value);
      return;
    }
  e.targets.push_back({k, value});
}

void readClips(const fs::path& file, const Species& species, const store::FeatureStore& store,
               const SplitOptions& o, Split& split) {
  const auto table = meta::CsvTable::read(file);
  Reader r{table, split.issues};
  const size_t primary = table.column("primary_label"), secondary = table.column("secondary_labels"),
               filename = table.column("filename"), foldColumn = table.column("fold");
  for (const auto& row : table.rows()) {
    Example e;
    e.source = Source::Clip;
    e.line = row.line;
    e.id = row.fields[filename];
    if (!parseFold(r, row, foldColumn, e.fold)) continue;
    const int k = species.index(row.fields[primary]);
    if (k < 0) {
      r.issue(row.line, "unknown_label", "primary label " + row.fields[primary] + " is not in the species list");
      continue;
    }
    const auto item = store.find(e.id);
    if (!item) {
      r.issue(row.line, "missing_item", missingReason(store, e.id));
      continue;
    }
    e.item = *item;
    e.frameCount = store.items()[*item].frameCount;
    e.rare = species.rare[size_t(k)];
    addTarget(e, k, o.targets.primary);
    std::vector<std::string> extra;
    try {
      extra = meta::parsePythonStringList(row.fields[secondary]);
    } catch (const Error& error) {
      r.issue(row.line, "bad_secondary_labels", std::string("secondary labels ignored: ") + error.what());
    }
    for (const auto& label : extra) {
      const int s = species.index(label);
      if (s < 0)
        r.issue(row.line, "unknown_label", "secondary label " + label + " is not in the species list: ignored");
      else
        addTarget(e, s, o.targets.secondary);
    }
    (e.fold == o.fold ? split.valid : split.train).examples.push_back(std::move(e));
  }
}

bool parseSeconds(Reader& r, const meta::CsvRow& row, size_t column, double& value) {
  if (const auto v = toDouble(row.fields[column]); v && std::isfinite(*v)) {
    value = *v;
    return true;
  }
  r.issue(row.line, "bad_window", "'" + row.fields[column] + "' is not a number of seconds");
  return false;
}

void readWindows(const fs::path& file, const Species& species, const store::FeatureStore& store,
                 const SplitOptions& o, Split& split) {
  const auto table = meta::CsvTable::read(file);
  Reader r{table, split.issues};
  const size_t filename = table.column("filename"), labels = table.column("primary_label"),
               startColumn = table.column("start_s"), endColumn = table.column("end_s"),
               foldColumn = table.column("fold");
  const double fps = framesPerSecond(store);
  for (const auto& row : table.rows()) {
    Example e;
    e.source = Source::Soundscape;
    e.line = row.line;
    e.id = row.fields[filename];
    double start = 0, end = 0;
    if (!parseFold(r, row, foldColumn, e.fold) || !parseSeconds(r, row, startColumn, start) ||
        !parseSeconds(r, row, endColumn, end))
      continue;
    const auto item = store.find(e.id);
    if (!item) {
      r.issue(row.line, "missing_item", missingReason(store, e.id));
      continue;
    }
    const int64_t itemFrames = store.items()[*item].frameCount;
    e.item = *item;
    e.frameStart = std::llround(start * fps);
    e.frameCount = std::llround((end - start) * fps);
    e.endSeconds = end;
    if (end <= start || start < 0 || e.frameStart >= itemFrames) {
      r.issue(row.line, "bad_window", "window " + row.fields[startColumn] + "-" + row.fields[endColumn] +
                                          " s is empty or outside " + e.id);
      continue;
    }
    for (const auto& label : meta::splitLabels(row.fields[labels])) {
      const int k = species.index(label);
      if (k < 0)
        r.issue(row.line, "unknown_label", "label " + label + " is not in the species list: ignored");
      else
        addTarget(e, k, o.targets.soundscape);
    }
    (e.fold == o.fold ? split.valid : split.train).examples.push_back(std::move(e));
  }
}

}  // namespace

Split loadSplit(const MetaFiles& meta, const Species& species, const store::FeatureStore& clipStore,
                const store::FeatureStore* soundscapeStore, const SplitOptions& options) {
  Split split;
  readClips(meta.trainClips, species, clipStore, options, split);
  if (options.soundscapes && soundscapeStore && !meta.soundscapeWindows.empty())
    readWindows(meta.soundscapeWindows, species, *soundscapeStore, options, split);
  return split;
}

void denseTargets(const Example& example, size_t speciesCount, float* out) {
  std::fill(out, out + speciesCount, 0.0f);
  for (const auto& [k, v] : example.targets) out[k] = v;
}

}  // namespace chorus::dataset
