// chorus synth --out DIR --solution FILE [--preset demo|small|full] [--seed N] [--corrupt N] [--species N]
#include "cli/commands.hpp"
#include "stages/synth.hpp"

namespace chorus::cli {

Command addSynth(CLI::App& parent) {
  auto options = std::make_shared<stages::SynthOptions>();
  auto* app = parent.add_subcommand(
      "synth",
      "Generate a synthetic BirdCLEF dataset in the Kaggle layout (taxonomy.csv, train.csv, train_audio/,\n"
      "train_soundscapes/ with their labels, test_soundscapes/, sample_submission.csv), and the hidden\n"
      "labels of the test windows in FILE, outside DIR. Same seed, same bytes.\n"
      "Presets: demo (12 species, ~150 clips, 8+6 soundscapes; seconds to make), small (30 species),\n"
      "full (234 species, realistic counts, 600 test soundscapes; an hour or more, several GB).");
  app->add_option("--out", options->out, "Dataset folder to write (created; a rerun overwrites it consistently)")
      ->type_name("DIR")
      ->required();
  app->add_option("--solution", options->solution,
                  "Solution CSV to write outside DIR: sample_submission's layout with 0/1. A side file\n"
                  "<FILE stem>_synth_truth.json next to it records voice segments, corrupt files and every call")
      ->type_name("FILE")
      ->required();
  app->add_option("--preset", options->preset, "Dataset size")
      ->check(CLI::IsMember({"demo", "small", "full"}))
      ->capture_default_str();
  app->add_option("--seed", options->seed, "Random seed: the dataset is a function of it")
      ->type_name("N")
      ->capture_default_str();
  app->add_option("--corrupt", options->corrupt,
                  "Add N broken files to train_audio/ and train.csv (zero bytes, truncated ogg, non-audio)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_option("--species", options->species, "Number of species, 1..234 (default: the preset's)")
      ->check(CLI::Range(1, 234));
  app->add_option("--train-clips", options->trainClips, "Number of train clips (default: the preset's)")
      ->check(CLI::PositiveNumber);
  app->add_option("--train-soundscapes", options->trainSoundscapes,
                  "Number of train soundscapes (default: the preset's)")
      ->check(CLI::Range(0, 9999));
  app->add_option("--test-soundscapes", options->testSoundscapes, "Number of test soundscapes (default: the preset's)")
      ->check(CLI::Range(0, 9999));
  return {app, [options] {
            stages::runSynth(*options);
            return 0;
          }};
}

}  // namespace chorus::cli
