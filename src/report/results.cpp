#include "report/results.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "core/error.hpp"
#include "meta/csv.hpp"
#include "meta/job_name.hpp"
#include "meta/kaggle_tables.hpp"
#include "meta/metric.hpp"

namespace chorus::report {
namespace fs = std::filesystem;
namespace {

double number(const meta::CsvTable& t, size_t row, const char* column) {
  const std::string& field = t.at(row, column);
  try {
    return std::stod(field);
  } catch (const std::exception&) {
    throw InputError(t.fileName(), t.rows()[row].line, std::string(column) + " is not a number: '" + field + "'");
  }
}

// Out-of-fold predictions of one model: row id -> probabilities, per kind.
struct Oof {
  std::vector<std::string> classes;
  std::map<std::string, std::unordered_map<std::string, std::vector<double>>> rows;  // kind -> id -> p
};

Oof readOof(const fs::path& file) {
  auto t = meta::CsvTable::read(file);
  Oof oof;
  const size_t first = 3;  // row_id, kind, fold
  if (t.header().size() <= first || t.header()[0] != "row_id" || t.header()[1] != "kind")
    throw InputError(file.string(), 1, "expected row_id,kind,fold,<classes...>");
  oof.classes.assign(t.header().begin() + first, t.header().end());
  for (size_t r = 0; r < t.size(); ++r) {
    std::vector<double> p(oof.classes.size());
    for (size_t c = 0; c < p.size(); ++c) p[c] = number(t, r, t.header()[first + c].c_str());
    oof.rows[t.rows()[r].fields[1]][t.rows()[r].fields[0]] = std::move(p);
  }
  return oof;
}

// Truth of the out-of-fold rows: row id -> positive labels. Soundscape windows are keyed by the
// competition's row_id (file stem + "_" + end second), clips by their train_audio file name.
using Truth = std::unordered_map<std::string, std::vector<std::string>>;

Truth soundscapeTruth(const fs::path& work) {
  Truth truth;
  const fs::path file = work / "meta" / "soundscape_labels_with_folds.csv";
  if (!fs::exists(file)) return truth;
  auto t = meta::CsvTable::read(file);
  for (size_t r = 0; r < t.size(); ++r) {
    const std::string id = fs::path(t.at(r, "filename")).stem().string() + "_" + t.at(r, "end_s");
    for (const auto& label : meta::splitLabels(t.at(r, "primary_label"))) truth[id].push_back(label);
  }
  return truth;
}

Truth clipTruth(const fs::path& work) {
  Truth truth;
  const fs::path file = work / "meta" / "train_cleaned_stratified.csv";
  if (!fs::exists(file)) return truth;
  auto t = meta::CsvTable::read(file);
  for (size_t r = 0; r < t.size(); ++r) truth[t.at(r, "filename")] = {t.at(r, "primary_label")};
  return truth;
}

double logit(double p) {
  p = std::clamp(p, 1e-7, 1 - 1e-7);
  return std::log(p / (1 - p));
}

// Pools predictions over folds (each row is held out once per backbone) and averages logits over
// the members; rows without truth are left out. Returns the metric and fills `rows` and `leftOut`.
meta::MetricResult score(const std::vector<const Oof*>& members, const std::string& kind, const Truth& truth,
                         const std::vector<std::string>& classes, size_t& rows, std::set<std::string>& leftOut) {
  std::map<std::string, std::pair<std::vector<double>, int>> pooled;  // id -> (logit sum, members)
  for (const Oof* m : members) {
    auto it = m->rows.find(kind);
    if (it == m->rows.end()) continue;
    for (const auto& [id, p] : it->second) {
      if (!truth.count(id)) continue;
      auto& slot = pooled[id];
      if (slot.first.empty()) slot.first.assign(classes.size(), 0.0);
      for (size_t c = 0; c < classes.size(); ++c) slot.first[c] += logit(p[c]);
      ++slot.second;
    }
  }
  rows = pooled.size();
  std::unordered_map<std::string, size_t> column;
  for (size_t c = 0; c < classes.size(); ++c) column[classes[c]] = c;
  std::vector<double> y(rows * classes.size(), 0.0), s(rows * classes.size(), 0.0);
  size_t r = 0;
  for (const auto& [id, slot] : pooled) {
    for (size_t c = 0; c < classes.size(); ++c) s[c * rows + r] = slot.first[c] / slot.second;
    for (const auto& label : truth.at(id)) {
      auto c = column.find(label);
      if (c != column.end()) y[c->second * rows + r] = 1.0;
    }
    ++r;
  }
  // A class positive on every out-of-fold row has no AUC (the metric refuses it); on small folds
  // that happens, so it is left out here, and named, rather than losing the whole score.
  std::vector<std::string> kept;
  std::vector<double> yKept, sKept;
  for (size_t c = 0; c < classes.size(); ++c) {
    size_t positives = 0;
    for (size_t i = 0; i < rows; ++i) positives += y[c * rows + i] > 0;
    if (rows > 0 && positives == rows) {
      leftOut.insert(classes[c]);
      continue;
    }
    kept.push_back(classes[c]);
    yKept.insert(yKept.end(), y.begin() + c * rows, y.begin() + (c + 1) * rows);
    sKept.insert(sKept.end(), s.begin() + c * rows, s.begin() + (c + 1) * rows);
  }
  return meta::macroRocAuc(kept, rows, yKept, sKept);
}

std::map<std::string, size_t> trainClipCounts(const fs::path& work) {
  std::map<std::string, size_t> counts;
  const fs::path file = work / "meta" / "species_list.csv";
  if (!fs::exists(file)) return counts;
  auto t = meta::CsvTable::read(file);
  for (size_t r = 0; r < t.size(); ++r) counts[t.at(r, "primary_label")] = size_t(number(t, r, "train_clips"));
  return counts;
}

}  // namespace

Results readResults(const fs::path& work) {
  Results results;
  std::map<std::string, Oof> oofs;  // model name -> predictions
  const fs::path models = work / "models";
  if (fs::is_directory(models)) {
    for (const auto& entry : fs::directory_iterator(models)) {
      const auto job = entry.is_directory() ? meta::parseJobName(entry.path().filename().string()) : std::nullopt;
      if (!job) continue;
      ModelRun run;
      run.name = job->name(), run.backbone = job->backbone, run.fold = job->fold, run.round = job->round;
      // Each file on its own: a broken metrics.csv must not hide the model's predictions.
      try {
        if (fs::exists(entry.path() / "metrics.csv")) run.epochs = meta::readMetricsCsv(entry.path() / "metrics.csv");
        const meta::BestEpoch best = meta::bestEpoch(run.epochs);
        run.bestScore = best.score, run.bestEpoch = best.epoch;
      } catch (const Error& e) {
        results.issues.push_back(e.what());
      }
      try {
        if (fs::exists(entry.path() / "oof.csv")) oofs[run.name] = readOof(entry.path() / "oof.csv");
      } catch (const Error& e) {
        results.issues.push_back(e.what());
      }
      results.models.push_back(run);
    }
  }
  std::sort(results.models.begin(), results.models.end(), [](const ModelRun& a, const ModelRun& b) {
    return std::tie(a.round, a.backbone, a.fold) < std::tie(b.round, b.backbone, b.fold);
  });
  for (const auto& m : results.models) results.round = std::max(results.round, m.round);

  // The latest round's models with predictions, grouped by backbone.
  std::map<std::string, std::vector<const Oof*>> byBackbone;
  std::vector<const Oof*> all;
  for (const auto& m : results.models) {
    auto it = oofs.find(m.name);
    if (m.round != results.round || it == oofs.end()) continue;
    if (!all.empty() && it->second.classes != all.front()->classes) {
      results.issues.push_back("models/" + m.name + "/oof.csv: class columns differ from the other models'; left out");
      continue;
    }
    byBackbone[m.backbone].push_back(&it->second);
    all.push_back(&it->second);
  }
  if (all.empty()) return results;
  try {
    const Truth soundscapes = soundscapeTruth(work);
    bool anySoundscape = false;
    for (const Oof* o : all) {
      auto it = o->rows.find("soundscape");
      if (it == o->rows.end()) continue;
      for (const auto& row : it->second) anySoundscape = anySoundscape || soundscapes.count(row.first);
    }
    results.oof.kind = anySoundscape ? "soundscape" : "clip";
    const Truth truth = anySoundscape ? soundscapes : clipTruth(work);
    const auto& classes = all.front()->classes;
    std::set<std::string> leftOut;
    for (const auto& [backbone, members] : byBackbone) {
      size_t rows = 0;
      try {
        results.oof.perBackbone[backbone] = score(members, results.oof.kind, truth, classes, rows, leftOut).score;
      } catch (const Error& e) {
        results.issues.push_back(backbone + " out-of-fold score: " + e.what());
      }
    }
    auto ensemble = score(all, results.oof.kind, truth, classes, results.oof.rows, leftOut);
    for (const auto& c : leftOut)
      results.issues.push_back("class " + c + " is positive on every out-of-fold " + results.oof.kind +
                               " row: no AUC, left out of the out-of-fold scores");
    results.oof.ensemble = ensemble.score;
    const auto counts = trainClipCounts(work);
    for (const auto& c : ensemble.scored) {
      auto n = counts.find(c.name);
      results.oof.classes.push_back({c.name, c.positives, n == counts.end() ? 0 : n->second, c.auc});
    }
    std::stable_sort(results.oof.classes.begin(), results.oof.classes.end(),
                     [](const ClassResult& a, const ClassResult& b) { return a.auc < b.auc; });
  } catch (const Error& e) {
    results.issues.push_back(std::string("ensemble out-of-fold score: ") + e.what());
  }
  return results;
}

}  // namespace chorus::report
