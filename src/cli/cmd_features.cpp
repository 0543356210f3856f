// chorus features --data DIR --work WORK [--set train_audio|train_soundscapes|test_soundscapes|all]
// Runs as one rank alone or as N ranks under mpirun/srun.
#include "cli/commands.hpp"
#include "dist/mpi_context.hpp"
#include "stages/features.hpp"

namespace chorus::cli {

Command addFeatures(CLI::App& parent) {
  auto options = std::make_shared<stages::FeaturesOptions>();
  auto dtype = std::make_shared<std::string>("float16");
  auto analysis = std::make_shared<std::string>("auto");
  auto timeout = std::make_shared<double>(900);
  auto* app = parent.add_subcommand(
      "features", "Log-mel feature stores, WORK/features/<set>.h5 (one HDF5 dataset per set, h5py-readable).\n"
                  "Run under mpirun to share the files among ranks; a rerun computes only what is missing.\n"
                  "Exit code 4 when files failed (named in WORK/features/report.json) beyond --max-failures.");
  app->add_option("--data", options->data, "Dataset root in the Kaggle layout")->required();
  app->add_option("--work", options->work, "Work folder: features/ and logs/ go here")->required();
  app->add_option("--set", options->set, "Which audio folder")
      ->check(CLI::IsMember({"train_audio", "train_soundscapes", "test_soundscapes", "all"}))
      ->capture_default_str();
  app->add_option("--dtype", *dtype,
                  "Stored dB values: float16 (half the disk and I/O; rounding error <= 0.031 dB over the "
                  "-100..+60 dB range) or float32 (exact)")
      ->check(CLI::IsMember({"float16", "float32"}))
      ->capture_default_str();
  app->add_option("--clip-analysis", *analysis,
                  "Energy peak and leading voice/silence segments for the training crop: auto (train_audio only), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  app->add_option("--part-seconds", options->partSeconds,
                  "Largest part file, in audio-s (the unit of sharing and resume; a small set gets smaller parts)")
      ->capture_default_str();
  app->add_option("--part-files", options->partFiles, "At most this many files per part")->capture_default_str();
  app->add_option("--threads", options->threads,
                  "CPU threads per process: parts each rank computes at once (0: every core)")
      ->capture_default_str();
  app->add_option("--max-failures", options->maxFailures, "Failed files tolerated before exit code 4")
      ->capture_default_str();
  app->add_flag("--retry-failed", options->retryFailed, "Recompute parts that recorded failed files");
  app->add_flag("--decode-only", options->decodeOnly, "Benchmark floor: decode every file, write nothing");
  addCollectiveTimeout(*app, *timeout);
  options->mel.addTo(*app);
  return {app, [app, options, dtype, analysis, timeout] {
            options->dtype = store::melDtypeFromString(*dtype);
            options->clipAnalysis = *analysis == "on"    ? stages::ClipAnalysis::On
                                    : *analysis == "off" ? stages::ClipAnalysis::Off
                                                         : stages::ClipAnalysis::Auto;
            watchRanks(*app, options->work, *timeout, "features");
            dist::MpiContext mpi;
            auto summary = stages::runFeatures(*options, mpi);
            return static_cast<int>(summary.exitCode);
          }};
}

}  // namespace chorus::cli
