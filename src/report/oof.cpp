#include "report/oof.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/parse_number.hpp"
#include "meta/csv.hpp"
#include "meta/kaggle_tables.hpp"
#include "meta/soundscape_window.hpp"

namespace chorus::report {
namespace fs = std::filesystem;

Oof readOof(const fs::path& file) {
  auto t = meta::CsvTable::read(file);
  Oof oof;
  const size_t first = 3;  // row_id, kind, fold
  if (t.header().size() <= first || t.header()[0] != "row_id" || t.header()[1] != "kind")
    throw InputError(file.string(), 1, "expected row_id,kind,fold,<classes...>");
  oof.classes.assign(t.header().begin() + first, t.header().end());
  for (size_t r = 0; r < t.size(); ++r) {
    const auto& fields = t.rows()[r].fields;
    std::vector<double> p(oof.classes.size());
    for (size_t c = 0; c < p.size(); ++c)
      p[c] = parseDouble(t.at(r, t.header()[first + c].c_str()),
                         file.string() + ":" + std::to_string(t.rows()[r].line) + ": " + oof.classes[c]);
    oof.rows[fields[1]][fields[0]] = std::move(p);
  }
  return oof;
}

Truth soundscapeTruth(const fs::path& work) {
  Truth truth;
  const fs::path file = work / "meta" / "soundscape_labels_with_folds.csv";
  if (!fs::exists(file)) return truth;
  auto t = meta::CsvTable::read(file);
  for (size_t r = 0; r < t.size(); ++r) {
    const double end = parseDouble(t.at(r, "end_s"), file.string() + ":" + std::to_string(t.rows()[r].line) + ": end_s");
    const std::string id = meta::windowRowId(t.at(r, "filename"), meta::windowEndingAt(end));
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

namespace {

// A soundscape row id "<stem>_<end>" -> (stem, end seconds); a clip's id is its own file.
std::pair<std::string, double> fileAndEnd(const std::string& id, const std::string& kind) {
  const auto cut = id.rfind('_');
  if (kind != "soundscape" || cut == std::string::npos) return {id, 0};
  const auto end = toDouble(id.substr(cut + 1));
  return end ? std::pair{id.substr(0, cut), *end} : std::pair{id, 0.0};
}

double logit(double p) {
  p = std::clamp(p, 1e-7, 1 - 1e-7);
  return std::log(p / (1 - p));
}

}  // namespace

OofPredictions pooledOof(const std::map<std::string, std::vector<const Oof*>>& members, const std::string& kind,
                         const Truth& truth, const std::vector<std::string>& classes) {
  OofPredictions out;
  out.classes = classes;
  // Each member: row id -> its pooled prediction (a row held out by several models: their mean logit).
  std::vector<std::map<std::string, std::pair<std::vector<double>, int>>> pooled;
  for (const auto& [name, models] : members) {
    out.members.push_back(name);
    auto& mine = pooled.emplace_back();
    for (const Oof* m : models) {
      auto it = m->rows.find(kind);
      if (it == m->rows.end()) continue;
      for (const auto& [id, p] : it->second) {
        if (!truth.count(id)) continue;
        auto& slot = mine[id];
        if (slot.first.empty()) slot.first.assign(classes.size(), 0.0);
        for (size_t c = 0; c < classes.size(); ++c) slot.first[c] += logit(p[c]);
        ++slot.second;
      }
    }
  }
  if (pooled.empty()) return out;
  std::vector<std::pair<std::pair<std::string, double>, std::string>> ids;  // ((file, end), id)
  for (const auto& [id, slot] : pooled.front()) {
    bool everyone = true;
    for (const auto& other : pooled) everyone = everyone && other.count(id);
    if (everyone) ids.push_back({fileAndEnd(id, kind), id});
  }
  std::sort(ids.begin(), ids.end());
  const size_t M = pooled.size(), N = ids.size(), K = classes.size();
  std::unordered_map<std::string, size_t> column;
  for (size_t c = 0; c < K; ++c) column[classes[c]] = c;
  out.logits.assign(M * N * K, 0.f);
  out.truth.assign(K * N, 0.0);
  for (size_t n = 0; n < N; ++n) {
    const std::string& id = ids[n].second;
    out.rowIds.push_back(id);
    out.fileOf.push_back(ids[n].first.first);
    for (size_t m = 0; m < M; ++m) {
      const auto& slot = pooled[m].at(id);
      for (size_t k = 0; k < K; ++k) out.logits[(m * N + n) * K + k] = float(slot.first[k] / slot.second);
    }
    for (const auto& label : truth.at(id))
      if (auto c = column.find(label); c != column.end()) out.truth[c->second * N + n] = 1.0;
  }
  return out;
}

meta::MetricResult scoreOof(const OofPredictions& oof, infer::Reduce how, const infer::PostProcessOptions& post,
                            std::set<std::string>& leftOut) {
  const size_t M = oof.members.size(), N = oof.rows(), K = oof.classes.size();
  std::vector<float> logits = oof.logits;
  infer::postProcessLogits(logits, M, N, K, oof.fileOf, post);
  const std::vector<double> values = infer::reduce(logits, M, N, K, std::vector<double>(M, 1.0), how);  // N x K
  std::vector<double> s(N * K);  // column-major, as the metric takes them
  for (size_t k = 0; k < K; ++k)
    for (size_t n = 0; n < N; ++n) s[k * N + n] = values[n * K + k];
  meta::MetricResult result = meta::macroRocAuc(oof.classes, N, oof.truth, s, meta::AllPositive::LeaveOut);
  leftOut.insert(result.allPositive.begin(), result.allPositive.end());
  return result;
}

bool writePerClassAuc(const fs::path& work, const std::string& job, infer::Reduce how) {
  const fs::path dir = work / "models" / job;
  if (!fs::exists(dir / "oof.csv")) return false;
  const Oof oof = readOof(dir / "oof.csv");
  std::string kind = "soundscape";
  Truth truth = soundscapeTruth(work);
  auto pooled = pooledOof({{job, {&oof}}}, kind, truth, oof.classes);
  if (pooled.rows() == 0) kind = "clip", truth = clipTruth(work), pooled = pooledOof({{job, {&oof}}}, kind, truth, oof.classes);
  std::set<std::string> leftOut;
  const auto result = scoreOof(pooled, how, {}, leftOut);
  std::string csv = "class,positives,auc,rows,kind\n";
  char auc[32];
  for (const auto& c : result.scored) {
    std::snprintf(auc, sizeof auc, "%.6f", c.auc);
    csv += c.name + "," + std::to_string(c.positives) + "," + auc + "," + std::to_string(pooled.rows()) + "," + kind + "\n";
  }
  writeFileAtomic(dir / "per_class_auc.csv", csv);
  return true;
}

infer::Reduce submissionReducer(const fs::path& work) {
  const fs::path file = work / "infer" / "report.json";
  if (!fs::exists(file)) return infer::Reduce::Rank;
  try {
    const auto j = nlohmann::json::parse(readTextFile(file));
    return infer::parseReduce(j.value("reduce", std::string("rank")));
  } catch (const std::exception& e) {
    throw InputError(file.string() + ": " + e.what());
  }
}

}  // namespace chorus::report
