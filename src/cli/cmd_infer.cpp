// chorus infer --data DIR --work WORK --out submission.csv [--models LIST] [--time-budget MIN] [--tta ...]
// Under mpirun: ranks share the soundscapes; without: the Kaggle mode (one process, threads, budget).
// Also read from the [infer] section of --config.
#include <memory>

#include "cli/commands.hpp"
#include "infer/infer.hpp"

namespace chorus::cli {

Command addInfer(CLI::App& parent) {
  auto o = std::make_shared<infer::InferOptions>();
  CLI::App* app = parent.add_subcommand(
      "infer",
      "Ensemble inference on the test soundscapes -> submission.csv aligned to sample_submission.csv.\n"
      "Every model x TTA variant on every 5 s window; logits averaged over variants; models combined by\n"
      "per-class rank averaging (rank / rows, in (0, 1]) or mean logits/probabilities. Under mpirun the\n"
      "soundscapes are shared by cost and rank 0 reduces; without it, one process with threads and a time\n"
      "budget. Writes WORK/infer/report.json (failed soundscapes, rows without audio, what the budget\n"
      "dropped) and WORK/infer/predictions.h5 (per-model logits). Exit code 4 when soundscapes failed.\n"
      "With --teacher STORE (a teacher store over the same soundscapes, README \"Teachers\"), the teacher\n"
      "joins the reducer as one more member: (1 - w) * models + w * teacher on each class it has, on the\n"
      "reducer's scale (ranks by default); classes it lacks keep the models' values.");
  app->add_option("--data", o->data, "Dataset root in the Kaggle layout (test_soundscapes/, sample_submission.csv)")->required();
  app->add_option("--work", o->work, "Work folder: models/ and meta/species_list.csv read, infer/ written")->required();
  app->add_option("--out", o->out, "The submission CSV to write")->required();
  app->add_option("--set", o->set, "Soundscape folder under --data")->capture_default_str();
  app->add_option("--models", o->models,
                  "Models: job folders, names under WORK/models (efficientnet_b0-f0) or BACKBONE/FOLD; default: "
                  "every trained model, fold-major (the time budget drops from the end of this list)");
  app->add_option("--weights", o->weights, "Per-model weights for the reducer (one per --models entry)");
  app->add_option("--reduce", o->reduce, "rank (per-class rank average), logits (mean logits), probs (mean probabilities)")
      ->check(CLI::IsMember({"rank", "logits", "probs"}))
      ->capture_default_str();
  app->add_option("--smoothing", o->post.smoothing,
                  "Temporal smoothing of each model's window probabilities within a soundscape, per class, before "
                  "the reducer: an odd-length kernel centred on the window, e.g. 0.2 0.6 0.2 (TOML: smoothing = "
                  "[0.2, 0.6, 0.2]); edge windows use the neighbours they have; default off (chorus tune-post "
                  "chooses one on the out-of-fold predictions)");
  app->add_option("--boost", o->post.boost,
                  "Per-file boost before the reducer: p + alpha x the soundscape's max of the class, / (1 + alpha), "
                  "after any smoothing; 0: off (the default)")
      ->capture_default_str();
  addEnsembleRunOptions(*app, o->run, /*timeBudget=*/true);
  app->add_flag("--from-store", o->fromStore, "Read log-mel from WORK/features/<set>.h5 instead of decoding the audio");
  app->add_option("--missing-value", o->missingValue,
                  "Value (every class) of a sample_submission row whose soundscape has no audio")
      ->capture_default_str();
  app->add_flag("!--no-channels-last", o->run.channelsLast,
                "Keep weights in NCHW instead of channels-last (NHWC); same numbers up to rounding, slower on CPU");
  app->add_flag("!--no-fold-batchnorm", o->run.foldBatchNorm,
                "Run each BatchNorm on its own instead of folding it into the convolution before it (same numbers "
                "up to rounding, slower)");
  app->add_option("--sample-submission", o->sampleSubmission, "Default: DATA/sample_submission.csv");
  app->add_option("--species", o->species, "The models' classes; default: WORK/meta/species_list.csv");
  app->add_option("--teacher", o->teacher,
                  "Teacher store (HDF5, README \"Teachers\") over the --set soundscapes, e.g. written by Perch or "
                  "tools/teacher_birdnet.py in the same notebook before chorus: one more member of the reducer")
      ->check(CLI::ExistingFile);
  app->add_option("--teacher-weight", o->teacherWeight,
                  "The teacher's share w of every class it has: (1 - w) * models + w * teacher (0.2-0.4 is what the "
                  "2026 winners gave Perch)")
      ->capture_default_str();
  auto timeout = std::make_shared<double>(900);
  addCollectiveTimeout(*app, *timeout);
  return {app, [app, o, timeout] {
            watchRanks(*app, o->work, *timeout, "infer");  // used only under a launcher
            return static_cast<int>(infer::runInfer(*o).exitCode);
          }};
}

}  // namespace chorus::cli
