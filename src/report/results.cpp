#include "report/results.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/fs.hpp"
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

using OofByModel = std::map<std::string, Oof>;  // model name -> its out-of-fold predictions
using MembersByBackbone = std::map<std::string, std::vector<const Oof*>>;

// The job report's "backbone_weights" {file, sha256}, when the job started from pretrained weights.
void readStartingWeights(const fs::path& file, ModelRun& run, std::vector<std::string>& issues) {
  if (!fs::exists(file)) return;
  try {
    const nlohmann::json j = nlohmann::json::parse(readTextFile(file));
    if (!j.contains("backbone_weights")) return;
    run.backboneWeightsFile = j.at("backbone_weights").at("file").get<std::string>();
    run.backboneWeightsSha256 = j.at("backbone_weights").at("sha256").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    issues.push_back(file.string() + ": backbone_weights unreadable: " + e.what());
  } catch (const Error& e) {
    issues.push_back(e.what());
  }
}

// One model folder: its metrics (best epoch) and predictions, each file on its own, so that a broken
// metrics.csv does not hide the model's predictions.
ModelRun readModel(const fs::path& dir, const meta::Job& job, OofByModel& oofs, std::vector<std::string>& issues) {
  ModelRun run;
  run.name = job.name(), run.backbone = job.backbone, run.fold = job.fold, run.round = job.round;
  try {
    if (fs::exists(dir / "metrics.csv")) run.epochs = meta::readMetricsCsv(dir / "metrics.csv");
    const meta::BestEpoch best = meta::bestEpoch(run.epochs);
    run.bestScore = best.score, run.bestEpoch = best.epoch;
  } catch (const Error& e) {
    issues.push_back(e.what());
  }
  try {
    if (fs::exists(dir / "oof.csv")) oofs[run.name] = readOof(dir / "oof.csv");
  } catch (const Error& e) {
    issues.push_back(e.what());
  }
  readStartingWeights(dir / "report.json", run, issues);
  return run;
}

// Every model folder of WORK/models, sorted by round, backbone and fold.
void readModels(const fs::path& work, Results& results, OofByModel& oofs) {
  const fs::path models = work / "models";
  if (fs::is_directory(models))
    for (const auto& entry : fs::directory_iterator(models))
      if (const auto job = entry.is_directory() ? meta::parseJobName(entry.path().filename().string()) : std::nullopt)
        results.models.push_back(readModel(entry.path(), *job, oofs, results.issues));
  std::sort(results.models.begin(), results.models.end(), [](const ModelRun& a, const ModelRun& b) {
    return std::tie(a.round, a.backbone, a.fold) < std::tie(b.round, b.backbone, b.fold);
  });
  for (const auto& m : results.models) results.round = std::max(results.round, m.round);
}

// Round `round`'s models with predictions over `classes` (empty: the first model's), by backbone.
MembersByBackbone membersOfRound(const Results& results, const OofByModel& oofs, int round,
                                 const std::vector<std::string>* classes, std::vector<std::string>* issues) {
  MembersByBackbone members;
  for (const auto& m : results.models) {
    auto it = oofs.find(m.name);
    if (m.round != round || it == oofs.end()) continue;
    if (!classes) classes = &it->second.classes;
    if (it->second.classes != *classes) {
      if (issues) issues->push_back("models/" + m.name + "/oof.csv: class columns differ from the other models'; left out");
      continue;
    }
    members[m.backbone].push_back(&it->second);
  }
  return members;
}

// Soundscape rows when any member has a labelled one, else clips.
std::string oofKind(const MembersByBackbone& members, const Truth& soundscapes) {
  for (const auto& [backbone, oofs] : members)
    for (const Oof* o : oofs)
      if (auto it = o->rows.find("soundscape"); it != o->rows.end())
        for (const auto& row : it->second)
          if (soundscapes.count(row.first)) return "soundscape";
  return "clip";
}

// The ensemble's and each backbone's pooled out-of-fold score of the latest round, the gain of each
// noisy-student round on the same rows and rules, and the per-class table; scored as the submission
// is made (its reducer over backbones, folds pooled).
void scoreEnsemble(const fs::path& work, const OofByModel& oofs, const MembersByBackbone& latest, Results& results) {
  const Truth soundscapes = soundscapeTruth(work);
  results.oof.kind = oofKind(latest, soundscapes);
  const Truth truth = results.oof.kind == "soundscape" ? soundscapes : clipTruth(work);
  const auto& classes = latest.begin()->second.front()->classes;
  const infer::Reduce how = submissionReducer(work);
  std::set<std::string> leftOut;
  for (const auto& [backbone, members] : latest) {
    try {
      const auto oof = pooledOof({{backbone, members}}, results.oof.kind, truth, classes);
      results.oof.perBackbone[backbone] = scoreOof(oof, how, {}, leftOut).score;
    } catch (const Error& e) {
      results.issues.push_back(backbone + " out-of-fold score: " + e.what());
    }
  }
  const auto pooled = pooledOof(latest, results.oof.kind, truth, classes);
  results.oof.rows = pooled.rows();
  results.oof.reducer = infer::toString(how);
  const auto ensemble = scoreOof(pooled, how, {}, leftOut);
  for (const auto& c : leftOut)
    results.issues.push_back("class " + c + " is positive on every out-of-fold " + results.oof.kind +
                             " row: no AUC, left out of the out-of-fold scores");
  results.oof.ensemble = ensemble.score;
  for (int round = 0; round <= results.round; ++round) {
    const MembersByBackbone members = membersOfRound(results, oofs, round, &classes, nullptr);
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
}

}  // namespace

Results readResults(const fs::path& work) {
  Results results;
  OofByModel oofs;
  readModels(work, results, oofs);
  const MembersByBackbone latest = membersOfRound(results, oofs, results.round, nullptr, &results.issues);
  if (latest.empty()) return results;
  try {
    scoreEnsemble(work, oofs, latest, results);
  } catch (const Error& e) {
    results.issues.push_back(std::string("ensemble out-of-fold score: ") + e.what());
  }
  return results;
}

}  // namespace chorus::report
