#include "report/results.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "core/error.hpp"
#include "core/parse_number.hpp"
#include "meta/csv.hpp"
#include "meta/job_name.hpp"
#include "meta/kaggle_tables.hpp"
#include "meta/metric.hpp"
#include "meta/metrics_csv.hpp"
#include "report/oof.hpp"

namespace chorus::report {
namespace fs = std::filesystem;
namespace {

double number(const meta::CsvTable& t, size_t row, const char* column) {
  const std::string& field = t.at(row, column);
  if (const auto v = toDouble(field)) return *v;
  throw InputError(t.fileName(), t.rows()[row].line, std::string(column) + " is not a number: '" + field + "'");
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
    // Scored as the submission is made: the submission's reducer over backbones, folds pooled.
    const infer::Reduce how = submissionReducer(work);
    std::set<std::string> leftOut;
    for (const auto& [backbone, members] : byBackbone) {
      try {
        const auto oof = pooledOof({{backbone, members}}, results.oof.kind, truth, classes);
        results.oof.perBackbone[backbone] = scoreOof(oof, how, {}, leftOut).score;
      } catch (const Error& e) {
        results.issues.push_back(backbone + " out-of-fold score: " + e.what());
      }
    }
    const auto pooled = pooledOof(byBackbone, results.oof.kind, truth, classes);
    results.oof.rows = pooled.rows();
    results.oof.reducer = infer::toString(how);
    auto ensemble = scoreOof(pooled, how, {}, leftOut);
    for (const auto& c : leftOut)
      results.issues.push_back("class " + c + " is positive on every out-of-fold " + results.oof.kind +
                               " row: no AUC, left out of the out-of-fold scores");
    results.oof.ensemble = ensemble.score;
    // Every round's ensemble on the same rows and rules: the gain of each noisy-student round.
    for (int round = 0; round <= results.round; ++round) {
      std::map<std::string, std::vector<const Oof*>> members;
      for (const auto& m : results.models)
        if (auto it = oofs.find(m.name); m.round == round && it != oofs.end() && it->second.classes == classes)
          members[m.backbone].push_back(&it->second);
      if (members.empty()) continue;
      std::set<std::string> ignored;  // named above for the latest round
      try {
        results.oof.byRound[round] = scoreOof(pooledOof(members, results.oof.kind, truth, classes), how, {}, ignored).score;
      } catch (const Error& e) {
        results.issues.push_back("round " + std::to_string(round) + " out-of-fold score: " + e.what());
      }
    }
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
