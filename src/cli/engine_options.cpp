// How the ensemble runs, the options infer and pseudo share (infer::EnsembleRunOptions): bound once
// here, so that they mean the same in both.
#include "cli/commands.hpp"
#include "infer/ensemble_run.hpp"

namespace chorus::cli {

namespace {

void addEngineOptions(CLI::App& app, std::string& engine, std::string& precision) {
  app.add_option("--engine", engine,
                 "What runs the models: openvino (OpenVINO on the CPU: each model's IR, model.xml/.bin, is written "
                 "beside its checkpoint on first use or by `chorus export`), torch (libtorch, CPU or CUDA), or auto "
                 "(openvino on the CPU when this chorus was built with it, torch on CUDA)")
      ->check(CLI::IsMember({"auto", "torch", "openvino"}))
      ->capture_default_str();
  app.add_option("--precision", precision,
                 "f32, or bf16 (openvino only, on a CPU that reports bf16: AVX512-BF16 or AMX; an error elsewhere)")
      ->check(CLI::IsMember({"f32", "bf16"}))
      ->capture_default_str();
}

}  // namespace

void addEnsembleRunOptions(CLI::App& app, infer::EnsembleRunOptions& run, bool timeBudget) {
  app.add_option("--tta", run.tta, "TTA variants: orig reverse gain+3 gain-3 (default all four), gain+X/gain-X in dB");
  app.add_option("--threads", run.threads, "CPU threads per process, whatever the engine (0: every core)")->capture_default_str();
  app.add_option("--batch-size", run.batchWindows, "Windows x TTA variants per forward call")->capture_default_str();
  app.add_option("--device", run.device, "cpu, cuda or auto (CUDA when available, as in train)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  addEngineOptions(app, run.engine, run.precision);
  app.add_option("--max-failures", run.maxFailures, "Failed soundscapes tolerated before exit code 4")->capture_default_str();
  if (timeBudget)
    app.add_option("--time-budget", run.timeBudgetMinutes,
                   "Minutes for the whole prediction, Kaggle mode only (one process, no mpirun; ignored under MPI; <= 0: "
                   "none, the default; configs/kaggle.toml sets 85): measured on the first soundscapes; if it would not "
                   "fit, TTA variants are dropped from the end of --tta, then models from the end of the list")
        ->capture_default_str();
}

}  // namespace chorus::cli
