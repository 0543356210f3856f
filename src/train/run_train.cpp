// The jobs of a run, spread over rank groups; skipping finished jobs; one failing rank ending the run.
#include <unistd.h>

#include <cstdlib>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/parse_number.hpp"
#include "dist/communicator.hpp"
#include "dist/mpi_context.hpp"
#include "dist/rank_groups.hpp"
#include "model/build_info.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/train.hpp"

namespace chorus::train {
namespace {

// The result of a job finished before this run, or nothing when it has to (re)run.
std::optional<JobResult> finishedEarlier(const TrainOptions& options, const meta::Job& job) {
  const auto dir = options.work / "models" / job.name();
  const auto last = checkpointDir(dir, "last");
  if (!last || options.resume) return std::nullopt;
  TrainState state = readState(*last);
  if (!state.finished) {
    if (!options.job.empty())
      throw UsageError("train: " + dir.string() + " holds an unfinished run: pass --resume to continue it, or remove it");
    return std::nullopt;
  }
  if (repairBestPointer(dir, state))
    CHORUS_LOG(Warn) << job.name() << ": best.json did not name best epoch " << state.bestEpoch << "; repaired";
  CHORUS_LOG(Info) << job.name() << ": finished earlier (best epoch " << state.bestEpoch << "), skipped";
  JobResult r;
  r.job = job, r.dir = dir, r.skipped = r.finished = true;
  r.epochs = state.epoch, r.bestScore = state.bestScore, r.bestEpoch = state.bestEpoch;
  return r;
}

JobResult runJob(const TrainOptions& options, const meta::Job& job, const JobGroup& group) {
  if (auto done = finishedEarlier(options, job)) return *done;
  TrainOptions jobOptions = options;
  // Over all jobs, an unfinished one continues where it stopped.
  jobOptions.resume = checkpointDir(options.work / "models" / job.name(), "last").has_value();
  return trainJob(jobOptions, job, group);
}

int arrayTaskFromEnvironment() {
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  if (!id || !*id) return -1;
  const auto task = toInteger(id);
  if (!task || *task < 0) throw UsageError(std::string("train: SLURM_ARRAY_TASK_ID is not a task number: '") + id + "'");
  return int(*task);
}

void validateDistributed(const TrainOptions& o) {
  if (o.jobsPerGpu < 1) throw UsageError("train: --jobs-per-gpu must be at least 1");
  if (!(o.collectiveTimeout > 0)) throw UsageError("train: --collective-timeout must be positive");
}

}  // namespace

std::vector<meta::Job> selectJobs(const TrainOptions& options, int arrayTask) {
  std::vector<meta::Job> jobs = jobsFor(options);
  if (!options.job.empty() || arrayTask < 0) return jobs;
  if (size_t(arrayTask) >= jobs.size())
    throw UsageError("train: SLURM_ARRAY_TASK_ID " + std::to_string(arrayTask) + " is past the last of the " +
                     std::to_string(jobs.size()) + " jobs (array indices 0-" + std::to_string(jobs.size() - 1) + ")");
  return {jobs[size_t(arrayTask)]};
}

std::vector<JobResult> runTrain(const TrainOptions& options) {
  options.validate();
  validateDistributed(options);
  std::vector<JobResult> results;
  for (const meta::Job& job : selectJobs(options, arrayTaskFromEnvironment())) results.push_back(runJob(options, job, {}));
  return results;
}

std::vector<JobResult> runTrain(const TrainOptions& options, const dist::MpiContext& world) {
  log::openFile(log::rankLogPath(options.work / "logs", "train"));
  char host[256] = "?";
  ::gethostname(host, sizeof host - 1);
  CHORUS_LOG(Info) << "train: rank " << world.rank() << " of " << world.size() << " on " << host << " (pid "
                   << ::getpid() << ")";
  // Everything that can be refused is refused on every rank alike, before any group forms.
  options.validate();
  validateDistributed(options);
  const std::vector<meta::Job> jobs = selectJobs(options, arrayTaskFromEnvironment());
  const dist::GroupLayout layout = dist::layoutGroups(world.size(), world.rank(), jobs.size());
  dist::GroupComm groupComm(world, layout);  // collective: every rank, idle ones too
  const bool cuda = model::usesCuda(options.device);
  const dist::NodeRank node = dist::nodeRank(world);  // collective as well
  if (layout.group < 0) {
    CHORUS_LOG(Warn) << "train: rank " << world.rank() << " is idle: " << jobs.size() << " jobs in groups of "
                     << layout.groupSize << " leave " << world.size() - layout.groups * layout.groupSize
                     << " ranks without work";
    return {};
  }
  if (world.rank() == 0 && world.size() > 1)
    CHORUS_LOG(Info) << "train: " << jobs.size() << " jobs on " << layout.groups << " groups of " << layout.groupSize
                     << " ranks";

  JobGroup group;
  group.ranks = groupComm.group();
  group.label = "group " + std::to_string(layout.group) + " of " + std::to_string(layout.groups);
  std::vector<JobResult> results;
  const meta::Job* current = nullptr;
  try {
    if (cuda) group.cudaDevice = dist::deviceFor(node, int(torch::cuda::device_count()), options.jobsPerGpu);
    for (size_t j : layout.jobs) {
      current = &jobs[j];
      results.push_back(runJob(options, jobs[j], group));
    }
  } catch (const Error& e) {
    // Stopped by a signal: the whole group agreed and saved; its exit code says "resumable".
    if (int(e.code()) > 128 || world.size() == 1) throw;
    dist::abortRun("train: rank " + std::to_string(world.rank()) + " (" + group.label +
                       (current ? ", job " + current->name() : std::string()) + ") failed: " + e.what(),
                   int(e.code()));
  } catch (const std::exception& e) {
    if (world.size() == 1) throw;
    dist::abortRun("train: rank " + std::to_string(world.rank()) + " (" + group.label +
                   (current ? ", job " + current->name() : std::string()) + ") failed: " + e.what());
  }
  return results;
}

}  // namespace chorus::train
