// What `chorus infer` and `chorus pseudo` share: one typed struct of how the ensemble runs
// (engine, precision, device, threads, batch, TTA, failures tolerated, the time budget), bound once
// by both command lines (cli::addEnsembleRunOptions), and the one runner both stages go through:
// the MPI world (sharded under a launcher or inside chorus run, else one process with no MPI at
// all), the ensemble loaded and run with those options, and rank 0's outcome made every rank's.
// No torch here.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infer/predict.hpp"

namespace chorus::dist {
class MpiContext;
}

namespace chorus::infer {

struct EnsembleRunOptions {
  std::string engine = "auto";      // auto | torch | openvino (engine.hpp)
  std::string precision = "f32";    // f32 | bf16 (openvino only)
  std::string device = "auto";      // cpu | cuda | auto (CUDA when usable, as in train: model::usesCuda)
  int threads = 0;                  // CPU threads per process, whatever the engine; 0: every core
  int batchWindows = 48;            // windows x TTA variants per forward call
  std::vector<std::string> tta;     // empty: defaultTta()
  long maxFailures = 0;             // failed soundscapes tolerated before exit code 4
  // Minutes for the prediction, Kaggle mode only: a single process (no launcher) that asked for it.
  // Under MPI it is ignored (and said so); <= 0: none.
  double timeBudgetMinutes = 0;
  bool channelsLast = true;         // torch engine: EnsembleOptions::channelsLast
  bool foldBatchNorm = true;        // torch engine: EnsembleOptions::foldBatchNorm

  void validate(const std::string& stage) const;  // UsageError naming the stage and the first bad value
  std::vector<std::string> variants() const;      // tta, or the default ones
};

class EnsembleRunner {
 public:
  // The MPI world (dist::mpiIfLaunched) and the run options, validated.
  EnsembleRunner(std::string stage, EnsembleRunOptions options);
  ~EnsembleRunner();

  bool root() const;
  int ranks() const;
  bool kaggleMode() const { return !mpi_; }  // one process, no MPI
  const EnsembleRunOptions& options() const { return options_; }

  // The models in `dirs` with the run's engine, precision, device and threads.
  Ensemble load(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& species,
                const std::vector<double>& weights = {}) const;
  // The run's TTA, batch and (Kaggle mode) time budget, over `data` (and `store` when not empty).
  PredictOptions predictOptions(const std::filesystem::path& data, const std::filesystem::path& store) const;
  // Every rank: sharded under MPI (parts in `partsDir`, the whole on rank 0), else in this process.
  Predictions predict(const Ensemble& ensemble, const std::vector<Soundscape>& soundscapes, const PredictOptions& options,
                      const std::filesystem::path& partsDir) const;
  // PartialFailure when more soundscapes failed than tolerated, else Ok.
  ExitCode exitCodeFor(const Predictions& predictions) const;

  // Collective: `finish` runs on rank 0 only; its exit code, or the error it threw (a chorus::Error
  // keeps its code, anything else is a Failure), becomes every rank's: returned, or rethrown as an
  // Error with the same code and message.
  ExitCode finishOnRoot(const std::function<ExitCode()>& finish) const;

 private:
  std::string stage_;
  EnsembleRunOptions options_;
  std::unique_ptr<dist::MpiContext> mpi_;
};

}  // namespace chorus::infer
