#include "stages/features.hpp"

#include <unistd.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "audio/logmel.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/thread_pool.hpp"
#include "dist/mpi_context.hpp"
#include "dist/sharding.hpp"
#include "stages/features/items.hpp"
#include "stages/features/part_job.hpp"
#include "stages/features/on_root.hpp"
#include "stages/features/plan.hpp"
#include "stages/features/report.hpp"
#include "store/feature_store.hpp"
#include "store/master.hpp"

namespace chorus::stages {
namespace fs = std::filesystem;
using namespace features;

std::vector<std::string> featureSets(const std::string& set) {
  static const std::vector<std::string> all = {"train_audio", "train_soundscapes", "test_soundscapes"};
  if (set == "all") return all;
  for (const auto& s : all)
    if (s == set) return {s};
  throw UsageError("unknown feature set '" + set + "' (train_audio, train_soundscapes, test_soundscapes or all)");
}

namespace {

bool clipAnalysisFor(const FeaturesOptions& options, const std::string& set) {
  if (options.clipAnalysis == ClipAnalysis::Auto) return set == "train_audio";
  return options.clipAnalysis == ClipAnalysis::On;
}

}  // namespace

std::map<std::string, std::string> storeAttributes(const FeaturesOptions& options, const std::string& set) {
  auto a = options.mel.describe();
  a["set"] = set;
  const bool analysed = clipAnalysisFor(options, set);
  a["clip_analysis"] = analysed ? "true" : "false";
  if (analysed) {
    a["energy_frame_length"] = std::to_string(options.energy.frameLength);
    a["energy_hop"] = std::to_string(options.energy.hop);
    a["energy_smooth_frames"] = std::to_string(options.energy.smoothFrames);
  }
  return a;
}

namespace {

// Items, their costs and the parts, the same on every rank; rank 0 prepares the resume.
struct SetPlan {
  std::vector<SetItem> items;
  std::vector<Probe> probes;
  std::vector<PartPlan> parts;
  std::map<std::string, std::string> attributes;
};

SetPlan planSet(const FeaturesOptions& options, const std::string& set, SetSummary& summary,
                const dist::MpiContext& mpi) {
  const fs::path featuresDir = options.work / "features", partsDir = featuresDir / (set + ".parts");
  SetPlan plan;
  plan.items = itemsFromJson(onRoot(mpi, [&] { return itemsToJson(listSetItems(options.data, options.work, set)); }));
  plan.probes = probeItems(options.data, plan.items, mpi);
  plan.attributes = storeAttributes(options, set);
  summary.items = plan.items.size();
  summary.partSeconds = partSecondsFor(plan.probes, options.partSeconds);
  plan.parts = planParts(plan.items, plan.probes, summary.partSeconds, options.partFiles, plan.attributes, partsDir);
  summary.parts = plan.parts.size();
  if (options.decodeOnly) return plan;
  std::string done = onRoot(mpi, [&] {
    ensureDir(partsDir);
    prepareResume(plan.parts, partsDir, featuresDir / (set + ".h5"), options.retryFailed);
    std::string flags;
    for (const auto& p : plan.parts) flags += p.done ? '1' : '0';
    return flags;
  });
  for (size_t i = 0; i < plan.parts.size(); ++i) plan.parts[i].done = done[i] == '1';
  return plan;
}

// Shares the parts still to do by cost and computes this rank's, on options.threads threads (HDF5
// calls are serialised inside the store). Collective: if any rank fails, every rank throws.
PartResult computeShare(const FeaturesOptions& options, const std::string& set, const SetPlan& plan,
                        const PartJob& job, SetSummary& summary, const dist::MpiContext& mpi) {
  std::vector<size_t> todo;
  std::vector<double> costs;
  for (size_t i = 0; i < plan.parts.size(); ++i)
    if (!plan.parts[i].done) todo.push_back(i), costs.push_back(plan.parts[i].cost);
  summary.partsReused = plan.parts.size() - todo.size();
  summary.partsWritten = todo.size();
  const auto mine = dist::itemsOfRank(dist::assignByCost(costs, mpi.size()), mpi.rank());
  double myAudio = 0;
  for (size_t k : mine)
    for (size_t i = plan.parts[todo[k]].begin; i < plan.parts[todo[k]].end; ++i) myAudio += plan.probes[i].seconds;
  CHORUS_LOG(Info) << set << ": " << plan.items.size() << " items in " << plan.parts.size() << " parts of <= "
                   << summary.partSeconds << " audio-s, " << summary.partsReused
                   << " already finished; this rank takes " << mine.size() << " parts (" << myAudio << " audio-s)";

  std::mutex doneMutex;
  PartResult done;
  std::string error;
  try {
    Progress progress("features " + set + (mpi.size() > 1 ? " (rank 0's share)" : ""), myAudio, "audio-s");
    auto advance = [&](double seconds) {
      std::lock_guard<std::mutex> lock(doneMutex);
      progress.advance(seconds);
    };
    ThreadPool(resolvedThreads(options.threads)).parallelFor(mine.size(), [&](size_t k) {
      const PartPlan& part = plan.parts[todo[mine[k]]];
      PartResult r = options.decodeOnly ? decodePart(part, plan.items, job) : writePart(part, plan.items, job, advance);
      std::lock_guard<std::mutex> lock(doneMutex);
      if (options.decodeOnly) progress.advance(r.audioSeconds);
      done.items += r.items + r.failed;
      done.audioSeconds += r.audioSeconds;
    });
  } catch (const std::exception& e) {
    error = e.what();
    CHORUS_LOG(Error) << set << ": " << error;
  }
  // A rank that failed must not leave the others waiting in the next collective.
  if (!mpi.allTrue(error.empty()))
    throw Error(error.empty() ? "features " + set + ": another rank failed (see WORK/logs/features.rank*.log)" : error);
  return done;
}

// Rank 0 joins the parts into the master and reads it back as a reader will; every rank gets the
// counts and the failures.
void publishSet(const FeaturesOptions& options, const std::string& set, const SetPlan& plan, SetSummary& summary,
                const dist::MpiContext& mpi) {
  const fs::path masterPath = options.work / "features" / (set + ".h5");
  nlohmann::json joined = nlohmann::json::parse(onRoot(mpi, [&] {
    std::vector<fs::path> paths;
    for (const auto& p : plan.parts) paths.push_back(p.path);
    store::writeMaster(masterPath, paths, store::MasterOptions{options.mel.nMels, options.dtype, plan.attributes});
    store::FeatureStore master(masterPath);
    nlohmann::json j = {{"stored", master.items().size()}, {"frames", master.totalFrames()}};
    j["failures"] = nlohmann::json::array();
    for (const auto& f : master.failures()) j["failures"].push_back({f.index, f.id, f.source, f.reason});
    return j.dump();
  }));
  summary.stored = joined["stored"].get<size_t>();
  summary.frames = joined["frames"].get<int64_t>();
  for (const auto& f : joined["failures"]) summary.failures.push_back({f[0], f[1], f[2], f[3]});
  summary.failed = summary.failures.size();
}

SetSummary runSet(const FeaturesOptions& options, const std::string& set, const audio::LogMel& logmel,
                  const dist::MpiContext& mpi) {
  const auto start = std::chrono::steady_clock::now();
  SetSummary summary;
  summary.set = set;
  const SetPlan plan = planSet(options, set, summary, mpi);

  PartJob job;
  job.data = options.data;
  job.logmel = &logmel;
  job.energy = options.energy;
  job.clipAnalysis = clipAnalysisFor(options, set);
  job.store.nMels = options.mel.nMels;
  job.store.dtype = options.dtype;
  job.store.attributes = plan.attributes;
  PartResult mine = computeShare(options, set, plan, job, summary, mpi);
  summary.itemsComputed = size_t(mpi.sum(long(mine.items)));
  summary.audioSecondsComputed = double(mpi.sum(std::lround(mine.audioSeconds * 1000))) / 1000;

  if (!options.decodeOnly) publishSet(options, set, plan, summary, mpi);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.decodeOnly)
    CHORUS_LOG(Info) << set << ": " << summary.stored << " items stored, " << summary.failed << " failed, "
                     << summary.partsWritten << " parts written, " << summary.partsReused << " reused -> "
                     << (options.work / "features" / (set + ".h5")).string() << " (" << summary.seconds << " s)";
  return summary;
}

}  // namespace

FeaturesSummary runFeatures(const FeaturesOptions& options, const dist::MpiContext& mpi) {
  options.mel.validate();
  if (!(options.partSeconds > 0)) throw UsageError("--part-seconds must be positive");
  if (options.partFiles < 1) throw UsageError("--part-files must be at least 1");
  if (options.maxFailures < 0) throw UsageError("--max-failures cannot be negative");
  if (options.threads < 0) throw UsageError("--threads must be 0 (every core) or more");
  const auto sets = featureSets(options.set);
  log::openFile(log::rankLogPath(options.work / "logs", "features"));
  char host[256] = "?";
  ::gethostname(host, sizeof host - 1);
  CHORUS_LOG(Info) << "features: rank " << mpi.rank() << " of " << mpi.size() << " on " << host << " (pid "
                   << ::getpid() << "), data "
                   << options.data.string() << ", work " << options.work.string() << ", set " << options.set
                   << (options.decodeOnly ? " (decode only)" : "");

  const audio::LogMel logmel(options.mel);
  FeaturesSummary summary;
  for (const auto& set : sets) {
    if (sets.size() > 1 && !fs::is_directory(options.data / set)) {
      if (mpi.isRoot()) CHORUS_LOG(Warn) << "features: no folder " << (options.data / set).string() << "; skipping " << set;
      continue;
    }
    summary.sets.push_back(runSet(options, set, logmel, mpi));
    summary.failed += summary.sets.back().failed;
  }
  summary.exitCode = long(summary.failed) > options.maxFailures ? ExitCode::PartialFailure : ExitCode::Ok;
  if (!options.decodeOnly) {
    onRoot(mpi, [&] {
      writeReport(options.work / "features" / "report.json", summary, options);
      return std::string();
    });
  }
  if (summary.failed && mpi.isRoot())
    CHORUS_LOG(Warn) << "features: " << summary.failed << " files failed (see " << (options.work / "features" / "report.json").string()
                     << ")" << (summary.exitCode == ExitCode::Ok ? ", tolerated by --max-failures" : "");
  return summary;
}

}  // namespace chorus::stages
