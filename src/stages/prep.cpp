#include "stages/prep.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/temporaries.hpp"
#include "meta/cleaning.hpp"
#include "meta/clock_time.hpp"
#include "meta/csv.hpp"
#include "meta/folds.hpp"
#include "meta/kaggle_tables.hpp"
#include "meta/species.hpp"

namespace chorus::stages {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// Everything prep read and decided, in the order it did it.
struct Prepared {
  std::vector<std::string> classes;
  meta::Taxonomy taxonomy;
  meta::TrainTable train;
  meta::SoundscapeLabels soundscapes;
  meta::Cleaned trainClean, windowClean;
  std::vector<int> trainFolds, windowFolds;
  std::vector<meta::SpeciesEntry> species;
  std::vector<std::string> warnings;
};

void validate(const PrepOptions& o) {
  if (o.data.empty() || o.work.empty()) throw UsageError("both --data and --work are required");
  if (o.folds < 2) throw UsageError("--n-folds must be at least 2, got " + std::to_string(o.folds));
  if (o.rareThreshold < 0) throw UsageError("--rare-threshold must not be negative");
  if (o.maxBadRows < 0) throw UsageError("--max-bad-rows must not be negative");
  if (!fs::is_directory(o.data)) throw InputError("data folder " + o.data.string() + " does not exist");
}

void readTables(const PrepOptions& o, Prepared& p) {
  p.classes = meta::readSubmissionClasses(o.data / "sample_submission.csv");
  p.taxonomy = meta::readTaxonomy(o.data / "taxonomy.csv");
  for (const auto& c : p.classes)
    if (!p.taxonomy.contains(c)) p.warnings.push_back("class " + c + " of sample_submission.csv is not in taxonomy.csv");
  std::set<std::string> classes(p.classes.begin(), p.classes.end());
  for (const auto& t : p.taxonomy.taxa)
    if (!classes.count(t.label)) p.warnings.push_back("taxonomy label " + t.label + " is not a sample_submission.csv class");

  p.train = meta::readTrainTable(o.data / "train.csv");
  p.trainClean = meta::cleanTrainClips(p.train, p.taxonomy, o.data / "train_audio");
  const fs::path windows = o.data / "train_soundscapes_labels.csv";
  if (fs::exists(windows)) {
    p.soundscapes = meta::readSoundscapeLabels(windows);
    p.windowClean = meta::cleanSoundscapeWindows(p.soundscapes, p.taxonomy, o.data / "train_soundscapes");
  } else {
    p.warnings.push_back(windows.string() + " not found: no labelled soundscape windows");
  }
}

void assignFolds(const PrepOptions& o, Prepared& p) {
  std::vector<std::string> labels, files;
  for (auto i : p.trainClean.kept) labels.push_back(p.train.clips[i].primaryLabel);
  if (labels.empty()) throw InputError(p.train.file + ": no usable rows left after cleaning (see prep_report.json)");
  p.trainFolds = meta::stratifiedKFold(labels, o.folds, o.seed);
  if (auto smallest = meta::smallestClass(labels); smallest < static_cast<std::size_t>(o.folds))
    p.warnings.push_back("the least populated class in train.csv has only " + std::to_string(smallest) +
                         " members, which is less than n_splits=" + std::to_string(o.folds));
  for (auto i : p.windowClean.kept) files.push_back(p.soundscapes.windows[i].filename);
  p.windowFolds = meta::groupedFolds(files, o.folds, o.seed);
  if (!files.empty() && std::set<std::string>(files.begin(), files.end()).size() < static_cast<std::size_t>(o.folds))
    p.warnings.push_back("fewer labelled soundscapes than folds: some folds have no soundscape windows");

  std::vector<const meta::TrainClip*> clips;
  std::vector<const meta::SoundscapeWindow*> kept;
  for (auto i : p.trainClean.kept) clips.push_back(&p.train.clips[i]);
  for (auto i : p.windowClean.kept) kept.push_back(&p.soundscapes.windows[i]);
  p.species = meta::countSpecies(p.classes, p.taxonomy, clips, kept);
}

void writeTrain(const fs::path& file, const Prepared& p) {
  AtomicFile out(file);
  std::vector<std::string> header = p.train.header;
  // A table that already has a fold column (an earlier prep's output) gets it replaced.
  auto foldColumn = static_cast<std::size_t>(std::find(header.begin(), header.end(), "fold") - header.begin());
  if (foldColumn == header.size()) header.push_back("fold");
  meta::writeCsvRow(out.stream(), header);
  for (std::size_t k = 0; k < p.trainClean.kept.size(); ++k) {
    std::vector<std::string> fields = p.train.clips[p.trainClean.kept[k]].fields;
    fields.resize(header.size());
    fields[foldColumn] = std::to_string(p.trainFolds[k]);
    meta::writeCsvRow(out.stream(), fields);
  }
  out.commit();
}

void writeWindows(const fs::path& file, const Prepared& p) {
  AtomicFile out(file);
  meta::writeCsvRow(out.stream(), {"filename", "start", "end", "primary_label", "start_s", "end_s", "fold"});
  for (std::size_t k = 0; k < p.windowClean.kept.size(); ++k) {
    const auto& w = p.soundscapes.windows[p.windowClean.kept[k]];
    std::string labels;
    for (const auto& l : w.labels) labels += (labels.empty() ? "" : ";") + l;
    meta::writeCsvRow(out.stream(), {w.filename, w.start, w.end, labels, meta::formatSeconds(w.startSeconds),
                                     meta::formatSeconds(w.endSeconds), std::to_string(p.windowFolds[k])});
  }
  out.commit();
}

void writeSpecies(const fs::path& file, const std::vector<meta::SpeciesEntry>& species) {
  AtomicFile out(file);
  meta::writeSpeciesCsv(out.stream(), species);
  out.commit();
}

std::vector<meta::SpeciesEntry> rareSpecies(const std::vector<meta::SpeciesEntry>& species, int threshold) {
  std::vector<meta::SpeciesEntry> rare;
  for (const auto& s : species)
    if (s.trainClips < static_cast<std::size_t>(threshold)) rare.push_back(s);
  return rare;
}

ordered_json reportJson(const PrepOptions& o, const Prepared& p, const PrepSummary& s) {
  // counts: {"dropped": {"duplicate": 3, ...}, "changed": {...}, "skipped": {...}}
  ordered_json counts = ordered_json::object(), issues = ordered_json::array();
  auto add = [&](const std::vector<meta::RowIssue>& list, const char* action) {
    for (const auto& i : list) {
      issues.push_back({{"file", i.file}, {"line", i.line}, {"kind", i.kind}, {"action", action}, {"reason", i.reason}});
      ordered_json& n = counts[action][i.kind];  // null until counted
      n = n.is_null() ? 1 : n.get<long>() + 1;
    }
  };
  add(p.train.unparsed, "dropped");
  add(p.trainClean.dropped, "dropped");
  add(p.trainClean.changed, "changed");
  add(p.soundscapes.unparsed, "dropped");
  add(p.soundscapes.duplicates, "dropped");
  add(p.windowClean.dropped, "dropped");
  add(p.windowClean.changed, "changed");
  add(p.taxonomy.issues, "skipped");
  // One table after another, each in line order, so the report reads like the files.
  std::map<std::string, std::size_t> fileOrder;
  for (const auto& i : issues) fileOrder.emplace(i["file"].get<std::string>(), fileOrder.size());
  auto key = [&](const ordered_json& i) { return std::make_pair(fileOrder[i["file"].get<std::string>()], i["line"].get<long>()); };
  std::stable_sort(issues.begin(), issues.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });

  std::vector<std::size_t> clipsPerFold(o.folds, 0), windowsPerFold(o.folds, 0);
  std::vector<std::set<std::string>> filesPerFold(o.folds);
  for (int f : p.trainFolds) ++clipsPerFold[f];
  for (std::size_t k = 0; k < p.windowFolds.size(); ++k) {
    ++windowsPerFold[p.windowFolds[k]];
    filesPerFold[p.windowFolds[k]].insert(p.soundscapes.windows[p.windowClean.kept[k]].filename);
  }
  std::vector<std::size_t> soundscapesPerFold;
  for (const auto& f : filesPerFold) soundscapesPerFold.push_back(f.size());
  std::size_t withoutClips = std::count_if(p.species.begin(), p.species.end(), [](const auto& e) { return e.trainClips == 0; });

  return {{"stage", "prep"},
          {"status", s.parseErrors > static_cast<std::size_t>(o.maxBadRows) ? "bad_rows"
                     : s.skippedBadRows > 0                                    ? "rows_skipped"
                                                                               : "ok"},
          {"data", o.data.string()},
          {"work", o.work.string()},
          {"options", {{"n_folds", o.folds}, {"seed", o.seed}, {"rare_threshold", o.rareThreshold}, {"max_bad_rows", o.maxBadRows}}},
          {"train", {{"rows", s.trainRows}, {"kept", s.trainKept}, {"changed", p.trainClean.changed.size()}}},
          {"soundscape_labels",
           {{"rows", p.soundscapes.windows.size() + p.soundscapes.unparsed.size() + s.duplicateWindowRows},
            {"exact_duplicates", s.duplicateWindowRows},
            {"kept_windows", s.soundscapeWindows},
            {"soundscapes", s.soundscapeFiles}}},
          {"species", {{"classes", s.species}, {"rare", s.rare}, {"without_train_clips", withoutClips}}},
          {"folds",
           {{"train_clips", clipsPerFold}, {"soundscape_windows", windowsPerFold}, {"soundscapes", soundscapesPerFold}}},
          {"counts", counts},
          {"warnings", p.warnings},
          {"issues", issues}};
}

// Rows of any table that did not parse, in the order the tables were read.
std::vector<meta::RowIssue> unparsedRows(const Prepared& p) {
  std::vector<meta::RowIssue> rows;
  for (const auto& i : p.taxonomy.issues)
    if (i.kind == "parse_error") rows.push_back(i);
  rows.insert(rows.end(), p.train.unparsed.begin(), p.train.unparsed.end());
  rows.insert(rows.end(), p.soundscapes.unparsed.begin(), p.soundscapes.unparsed.end());
  return rows;
}

void summarise(const Prepared& p, PrepSummary& s) {
  s.trainRows = p.train.clips.size() + p.train.unparsed.size();
  s.trainKept = p.trainClean.kept.size();
  s.soundscapeWindows = p.windowClean.kept.size();
  s.duplicateWindowRows = p.soundscapes.duplicates.size();
  s.species = p.species.size();
  s.parseErrors = unparsedRows(p).size();
  s.changedRows = p.trainClean.changed.size() + p.windowClean.changed.size();
  for (const auto* list : {&p.trainClean.dropped, &p.windowClean.dropped}) {
    for (const auto& i : *list) {
      if (i.kind == "missing_audio") ++s.droppedMissingAudio;
      if (i.kind == "unknown_label") ++s.droppedUnknownLabel;
      if (i.kind == "duplicate") ++s.droppedDuplicate;
    }
  }
  std::set<std::string> files;
  for (auto i : p.windowClean.kept) files.insert(p.soundscapes.windows[i].filename);
  s.soundscapeFiles = files.size();
  s.skippedBadRows = s.parseErrors + s.droppedMissingAudio + s.droppedUnknownLabel;
}

// Every row prep dropped, by file and line: a count and the first ten on the console (sorted by file
// path, then line), all of them in the report.
void printRowIssues(const Prepared& p) {
  std::vector<meta::RowIssue> dropped = unparsedRows(p);
  for (const auto* list : {&p.trainClean.dropped, &p.soundscapes.duplicates, &p.windowClean.dropped})
    dropped.insert(dropped.end(), list->begin(), list->end());
  if (dropped.empty()) return;
  std::stable_sort(dropped.begin(), dropped.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  std::ostringstream out;
  out << "prep: " << dropped.size() << " rows dropped" << (dropped.size() > 10 ? ", the first ten:" : ":");
  for (std::size_t k = 0; k < dropped.size() && k < 10; ++k)
    out << "\n  " << dropped[k].file << ":" << dropped[k].line << ": " << dropped[k].kind << ": " << dropped[k].reason;
  if (dropped.size() > 10) out << "\n  ... and " << dropped.size() - 10 << " more in prep_report.json";
  log::console(out.str());
}

// The tables prep writes: removed when a run fails, so that no later stage reads an older run's.
void removeOutputs(const fs::path& meta) {
  for (const char* name : {"train_cleaned_stratified.csv", "soundscape_labels_with_folds.csv", "species_list.csv",
                           "rare_species.csv"})
    fs::remove(meta / name);
}

void printSummary(const PrepSummary& s, const Prepared& p) {
  std::ostringstream out;
  out << "prep: train.csv " << s.trainRows << " rows, " << s.trainKept << " kept (dropped: " << s.droppedDuplicate
      << " duplicate, " << s.droppedUnknownLabel << " unknown label, " << s.droppedMissingAudio
      << " missing audio; " << s.parseErrors << " rows did not parse)\n"
      << "prep: " << s.soundscapeWindows << " labelled soundscape windows in " << s.soundscapeFiles << " files ("
      << s.duplicateWindowRows << " exact duplicate rows dropped)\n"
      << "prep: " << s.species << " species, " << s.rare << " rare; " << p.warnings.size() << " warnings\n"
      << "prep: report " << s.report.string();
  log::console(out.str());
}

}  // namespace

PrepSummary runPrep(const PrepOptions& options) {
  validate(options);
  const fs::path meta = options.work / "meta";
  Prepared p;
  PrepSummary s;
  s.report = meta / "prep_report.json";
  clearStaleTemporaries({meta}, "prep");  // a killed run's half-written tables
  try {
    readTables(options, p);
    assignFolds(options, p);
  } catch (const Error& e) {
    removeOutputs(meta);  // an earlier run's tables must not outlive a failed one
    ordered_json failed = {{"stage", "prep"}, {"status", "failed"}, {"error", e.what()}, {"data", options.data.string()},
                           {"work", options.work.string()}, {"warnings", p.warnings}};
    writeFileAtomic(s.report, failed.dump(2) + "\n");
    throw;
  }
  summarise(p, s);
  const auto rare = rareSpecies(p.species, options.rareThreshold);
  s.rare = rare.size();
  const bool tooManyBadRows = s.parseErrors > static_cast<std::size_t>(options.maxBadRows);
  if (tooManyBadRows) {
    removeOutputs(meta);
  } else {
    writeTrain(meta / "train_cleaned_stratified.csv", p);
    writeWindows(meta / "soundscape_labels_with_folds.csv", p);
    writeSpecies(meta / "species_list.csv", p.species);
    writeSpecies(meta / "rare_species.csv", rare);
  }
  // The report last: it is what says the tables above are complete.
  writeFileAtomic(s.report, reportJson(options, p, s).dump(2) + "\n");
  for (const auto& w : p.warnings) CHORUS_LOG(Warn) << "prep: " << w;
  printRowIssues(p);
  printSummary(s, p);

  if (tooManyBadRows) {
    const meta::RowIssue first = unparsedRows(p).front();
    throw InputError(first.file, first.line,
                     first.reason + " (" + std::to_string(s.parseErrors) + " rows did not parse, " +
                         std::to_string(options.maxBadRows) + " tolerated: no tables written; all named in " +
                         s.report.string() + ")");
  }
  s.exitCode = s.skippedBadRows > 0 ? ExitCode::PartialFailure : ExitCode::Ok;
  return s;
}

}  // namespace chorus::stages
