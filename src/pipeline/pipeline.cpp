#include "pipeline/pipeline.hpp"


#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/parse_number.hpp"
#include "core/progress.hpp"
#include "dist/mpi_context.hpp"
#include "dist/quiet_collectives.hpp"
#include "pipeline/stage_marker.hpp"
#include "report/oof.hpp"
#include "stages/score.hpp"

namespace chorus::pipeline {
namespace fs = std::filesystem;
namespace {

int runGuarded(const Step& step) {
  try {
    return step.run();
  } catch (const Error& e) {
    CHORUS_LOG(Error) << step.name << ": " << e.what();
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    CHORUS_LOG(Error) << step.name << ": " << e.what();
    return static_cast<int>(ExitCode::Failure);
  }
}

double scoreSubmission(const PipelineOptions& o, PipelineSummary& s) {
  if (o.solution.empty() || !fs::exists(o.solution) || s.submission.empty()) return -1;
  stages::ScoreOptions score;
  score.solution = o.solution;
  score.submission = s.submission;
  score.report = o.work / "score.json";
  std::ostringstream out;
  try {
    return stages::runScore(score, out);
  } catch (const Error& e) {
    CHORUS_LOG(Error) << "score: " << e.what();
    return -1;
  }
}

nlohmann::ordered_json byRound(const std::map<int, double>& scores) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [round, score] : scores) j["r" + std::to_string(round)] = score;
  return j;
}

nlohmann::ordered_json runJson(const PipelineOptions& o, const PipelineSummary& s) {
  nlohmann::ordered_json j = o.info;
  j["work"] = fs::absolute(o.work).string();
  j["finished_at"] = utcNow();
  j["exit_code"] = s.exitCode;
  if (!s.failedStage.empty()) j["failed_stage"] = s.failedStage;
  auto& stages = j["stages"] = nlohmann::ordered_json::array();
  for (const auto& st : s.stages)
    stages.push_back({{"stage", st.stage}, {"seconds", st.seconds}, {"skipped", st.skipped}, {"exit_code", st.exitCode}});
  auto& models = j["models"] = nlohmann::ordered_json::array();
  for (const auto& m : s.results.models) {
    models.push_back({{"name", m.name}, {"backbone", m.backbone}, {"fold", m.fold}, {"round", m.round},
                      {"epochs", m.epochs.size()}, {"best_epoch", m.bestEpoch}, {"oof_auc", m.bestScore}});
    if (!m.backboneWeightsFile.empty())  // train's identification (its report.json), not made again here
      models.back()["backbone_weights"] = {{"file", m.backboneWeightsFile}, {"sha256", m.backboneWeightsSha256}};
  }
  j["oof"] = {{"round", s.results.round}, {"rows", s.results.oof.kind}, {"per_backbone", s.results.oof.perBackbone},
              {"ensemble", s.results.oof.ensemble}, {"ensemble_by_round", byRound(s.results.oof.byRound)}};
  j["submission"] = s.submission.empty() ? "" : fs::absolute(s.submission).string();
  j["submission_score"] = s.submissionScore;
  j["issues"] = s.results.issues;
  return j;
}

std::string fixed(double v, int digits = 4) {
  if (v < 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

PipelineSummary runPipeline(const PipelineOptions& o, const std::vector<Step>& steps, const dist::MpiContext& mpi) {
  PipelineSummary s;
  if (mpi.isRoot()) ensureDir(o.work);
  bool rerunRest = false;  // a stage that ran again makes every later one stale
  for (const Step& step : steps) {
    StageOutcome outcome{step.name};
    // Rank 0 decides from its marker; every rank follows.
    int skip = 0;
    std::optional<StageMarker> marker;
    if (mpi.isRoot()) {
      marker = readMarker(o.work, step.name);
      skip = !rerunRest && marker && marker->fingerprint == step.fingerprint;
      if (!skip) removeMarker(o.work, step.name);
    }
    skip = dist::exitCodeFromRoot(skip, mpi);
    if (skip) {
      outcome.skipped = true;
      outcome.seconds = marker ? marker->seconds : 0;
      outcome.exitCode = marker ? marker->exitCode : 0;
      log::console("run: " + step.name + ": complete (" + fixed(outcome.seconds, 1) + " s earlier), skipped");
      s.stages.push_back(outcome);
      continue;
    }
    rerunRest = true;
    log::console("run: " + step.name + " ...");
    const auto start = std::chrono::steady_clock::now();
    int rc = 0;
    if (step.collective) {
      rc = dist::worstExitCode(runGuarded(step), mpi);
    } else {
      if (mpi.isRoot()) rc = runGuarded(step);
      rc = dist::exitCodeFromRoot(rc, mpi);
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.exitCode = rc;
    s.stages.push_back(outcome);
    if (rc != 0 && rc != static_cast<int>(ExitCode::PartialFailure)) {
      s.exitCode = rc;
      s.failedStage = step.name;
      log::console("run: " + step.name + " failed (exit " + std::to_string(rc) + "); rerun to continue from here");
      break;
    }
    if (rc != 0) s.exitCode = rc;
    if (mpi.isRoot()) writeMarker(o.work, {step.name, step.fingerprint, outcome.seconds, rc, utcNow()});
    log::console("run: " + step.name + " done in " + Progress::formatDuration(outcome.seconds));
  }
  if (mpi.isRoot()) {
    s.results = report::readResults(o.work);
    if (s.failedStage.empty() && fs::exists(o.submission)) s.submission = o.submission;
    s.submissionScore = scoreSubmission(o, s);
    writeFileAtomic(o.work / "run.json", runJson(o, s).dump(2) + "\n");
    if (o.report) writeWorkReport(o.work);
  }
  mpi.barrier();
  return s;
}

std::string summaryText(const PipelineSummary& s) {
  std::ostringstream out;
  out << "run summary\n  stages:\n";
  double total = 0;
  for (const auto& st : s.stages) {
    total += st.seconds;
    out << "    " << st.stage << std::string(st.stage.size() < 12 ? 12 - st.stage.size() : 1, ' ')
        << Progress::formatDuration(st.seconds) << (st.skipped ? "  (done earlier, skipped)" : "")
        << (st.exitCode ? "  exit " + std::to_string(st.exitCode) : "") << "\n";
  }
  out << "    total       " << Progress::formatDuration(total) << "\n";
  out << "  out-of-fold AUC per model (best epoch):\n";
  for (const auto& m : s.results.models)
    out << "    " << m.name << "  " << fixed(m.bestScore) << "  (epoch " << m.bestEpoch << " of " << m.epochs.size()
        << ")\n";
  for (const auto& [backbone, score] : s.results.oof.perBackbone)
    out << "  out-of-fold AUC " << backbone << ", folds pooled: " << fixed(score) << "\n";
  out << "  ensemble out-of-fold AUC (" << s.results.oof.rows << " " << s.results.oof.kind
      << " rows): " << fixed(s.results.oof.ensemble) << "\n";
  if (s.results.oof.byRound.size() > 1) {  // noisy student: the gain of each round
    out << "  ensemble out-of-fold AUC by pseudo-label round:";
    double previous = -1;
    for (const auto& [round, score] : s.results.oof.byRound) {
      out << "  r" << round << " " << fixed(score);
      char gain[32];
      std::snprintf(gain, sizeof gain, " (%+.4f)", score - previous);
      if (previous >= 0 && score >= 0) out << gain;
      previous = score;
    }
    out << "\n";
  }
  out << "  submission: " << (s.submission.empty() ? std::string("none") : s.submission.string()) << "\n";
  if (s.submissionScore >= 0) out << "  submission score against the hidden solution: " << fixed(s.submissionScore) << "\n";
  for (const auto& issue : s.results.issues) out << "  issue: " << issue << "\n";
  if (!s.failedStage.empty()) out << "  FAILED at " << s.failedStage << " (exit " << s.exitCode << ")\n";
  return out.str();
}

std::vector<report::StageTime> recordedStageTimes(const fs::path& work) {
  std::vector<StageMarker> markers;
  if (fs::is_directory(work / "stages"))
    for (const auto& e : fs::directory_iterator(work / "stages"))
      if (e.path().extension() == ".json")
        if (auto m = readMarker(work, e.path().stem().string())) markers.push_back(*m);
  // Pipeline order: synth, prep, features, train, then pseudo-rN and train-rN by round, infer last;
  // ties (finishing times have whole seconds) never reorder them.
  auto rank = [](const StageMarker& m) {
    static const std::vector<std::string> first = {"synth", "prep", "features", "train"};
    auto at = std::find(first.begin(), first.end(), m.stage);
    if (at != first.end()) return int(at - first.begin());
    for (const char* prefix : {"pseudo-r", "train-r"})
      if (m.stage.rfind(prefix, 0) == 0)
        return 10 + 2 * int(toInteger(m.stage.substr(std::string(prefix).size())).value_or(0)) + (prefix[0] == 't');
    return m.stage == "infer" ? 1000 : 999;
  };
  std::sort(markers.begin(), markers.end(), [&](const StageMarker& a, const StageMarker& b) {
    return std::make_pair(rank(a), a.finishedAt) < std::make_pair(rank(b), b.finishedAt);
  });
  std::vector<report::StageTime> times;
  for (const auto& m : markers)
    times.push_back({m.stage, m.seconds, m.exitCode ? "exit " + std::to_string(m.exitCode) : ""});
  return times;
}

fs::path writeWorkReport(const fs::path& work) {
  report::ReportInput in;
  in.title = "chorus run: " + fs::absolute(work).lexically_normal().string();
  in.results = report::readResults(work);
  for (const auto& m : in.results.models) {  // per_class_auc.csv beside each model's oof.csv
    try {
      report::writePerClassAuc(work, m.name, report::submissionReducer(work));
    } catch (const Error& e) {
      in.results.issues.push_back("models/" + m.name + "/per_class_auc.csv: " + e.what());
    }
  }
  in.stages = recordedStageTimes(work);
  const fs::path runJsonFile = work / "run.json";
  if (fs::exists(runJsonFile)) {
    try {
      auto j = nlohmann::json::parse(readTextFile(runJsonFile));
      auto fact = [&](const char* key, const std::string& label) {
        if (!j.contains(key)) return;
        const auto& v = j[key];
        if (v.is_number() && v.get<double>() < 0) return;  // -1: not known
        std::string text = v.is_string() ? v.get<std::string>() : v.is_number() ? fixed(v.get<double>()) : v.dump();
        if (!text.empty()) in.facts.emplace_back(label, text);
      };
      fact("submission", "submission");
      fact("submission_score", "submission score (hidden solution)");
      fact("git", "git revision");
      fact("finished_at", "finished");
    } catch (const std::exception& e) {
      in.results.issues.push_back(runJsonFile.string() + ": " + e.what());
    }
  }
  in.facts.emplace_back("ensemble out-of-fold AUC", fixed(in.results.oof.ensemble));
  const fs::path file = work / "report.html";
  report::writeReportHtml(file, in);
  return file;
}

}  // namespace chorus::pipeline
