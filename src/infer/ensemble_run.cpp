#include "infer/ensemble_run.hpp"

#include "core/log.hpp"
#include "dist/launcher.hpp"
#include "dist/mpi_context.hpp"
#include "infer/engine.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

void EnsembleRunOptions::validate(const std::string& stage) const {
  if (batchWindows < 1) throw UsageError(stage + ": --batch-size must be at least 1");
  if (threads < 0) throw UsageError(stage + ": --threads must be 0 (every core) or more");
  if (maxFailures < 0) throw UsageError(stage + ": --max-failures must not be negative");
  if (device != "cpu" && device != "cuda" && device != "auto")
    throw UsageError(stage + ": --device must be cpu, cuda or auto, not \"" + device + "\"");
  if (!tta.empty()) validateTta(tta);
  validateEngineChoice(engine, precision);
}

namespace {

// rank 0's outcome of a stage: its exit code, or the error it threw.
struct StageOutcome {
  ExitCode code = ExitCode::Ok;
  std::string error;  // non-empty: rethrown on every rank as Error(error, code)
};

}  // namespace

std::vector<std::string> EnsembleRunOptions::variants() const { return tta.empty() ? defaultTta() : tta; }

EnsembleRunner::EnsembleRunner(std::string stage, EnsembleRunOptions options)
    : stage_(std::move(stage)), options_(std::move(options)) {
  options_.validate(stage_);
  mpi_ = dist::mpiIfLaunched();
  if (mpi_ && options_.timeBudgetMinutes > 0 && mpi_->isRoot())
    CHORUS_LOG(Warn) << stage_ << ": --time-budget applies to one process without MPI (Kaggle mode); ignored on "
                     << mpi_->size() << " ranks";
}

EnsembleRunner::~EnsembleRunner() = default;

bool EnsembleRunner::root() const { return !mpi_ || mpi_->isRoot(); }
int EnsembleRunner::ranks() const { return mpi_ ? mpi_->size() : 1; }

Ensemble EnsembleRunner::load(const std::vector<fs::path>& dirs, const fs::path& species,
                              const std::vector<double>& weights) const {
  EnsembleOptions eo;
  eo.weights = weights;
  eo.threads = options_.threads;
  eo.device = options_.device;
  eo.channelsLast = options_.channelsLast;
  eo.foldBatchNorm = options_.foldBatchNorm;
  eo.engine = options_.engine, eo.precision = options_.precision;
  eo.species = species;
  return Ensemble::load(dirs, eo);
}

PredictOptions EnsembleRunner::predictOptions(const fs::path& data, const fs::path& store) const {
  PredictOptions po;
  po.data = data;
  po.store = store;
  po.tta = options_.variants();
  po.batchWindows = options_.batchWindows;
  po.timeBudgetSeconds = kaggleMode() ? options_.timeBudgetMinutes * 60.0 : 0.0;
  return po;
}

Predictions EnsembleRunner::predict(const Ensemble& ensemble, const std::vector<Soundscape>& soundscapes,
                                    const PredictOptions& po, const fs::path& partsDir) const {
  return mpi_ ? predictSharded(ensemble, soundscapes, po, *mpi_, partsDir) : infer::predict(ensemble, soundscapes, po);
}

ExitCode EnsembleRunner::exitCodeFor(const Predictions& p) const {
  return long(p.failures.size()) > options_.maxFailures ? ExitCode::PartialFailure : ExitCode::Ok;
}

ExitCode EnsembleRunner::finishOnRoot(const std::function<ExitCode()>& finish) const {
  StageOutcome outcome;
  if (root()) {
    try {
      outcome.code = finish();
    } catch (const Error& e) {
      outcome.code = e.code(), outcome.error = e.what();
    } catch (const std::exception& e) {  // no rank may wait for an outcome that never comes
      outcome.code = ExitCode::Failure, outcome.error = e.what();
    }
  }
  if (mpi_) {
    // The code as a number (a sum to which only rank 0 contributes), the message as text.
    outcome.code = ExitCode(mpi_->sum(root() ? long(outcome.code) : 0L));
    outcome.error = mpi_->broadcast(outcome.error);
  }
  if (!outcome.error.empty()) throw Error(outcome.error, outcome.code);
  return outcome.code;
}

}  // namespace chorus::infer
