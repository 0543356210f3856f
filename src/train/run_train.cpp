#include "core/error.hpp"
#include "core/log.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/train.hpp"

namespace chorus::train {

std::vector<JobResult> runTrain(const TrainOptions& options) {
  options.validate();
  std::vector<JobResult> results;
  for (const Job& job : jobsFor(options)) {
    const auto dir = options.work / "models" / job.name();
    const auto last = checkpointDir(dir, "last");
    if (last && !options.resume) {
      TrainState state = readState(*last);
      if (state.finished) {
        CHORUS_LOG(Info) << job.name() << ": finished earlier (best epoch " << state.bestEpoch << "), skipped";
        JobResult r;
        r.job = job, r.dir = dir, r.skipped = r.finished = true;
        r.epochs = state.epoch, r.bestScore = state.bestScore, r.bestEpoch = state.bestEpoch;
        results.push_back(r);
        continue;
      }
      if (!options.job.empty())
        throw UsageError("train: " + dir.string() + " holds an unfinished run: pass --resume to continue it, or remove it");
    }
    TrainOptions jobOptions = options;
    jobOptions.resume = last.has_value();  // over all jobs, an unfinished one continues where it stopped
    results.push_back(trainJob(jobOptions, job));
  }
  return results;
}

}  // namespace chorus::train
