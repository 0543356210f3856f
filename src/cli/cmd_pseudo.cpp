// chorus pseudo --data DIR --work WORK [--round N] [--threshold 0.5] [--floor X] [--reduce probs|logits] ...
// The command line of pseudo::runPseudo; also read from the [pseudo] section of --config.
#include <memory>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "infer/reducer.hpp"
#include "pseudo/pseudo.hpp"

namespace chorus::cli {

Command addPseudo(CLI::App& parent) {
  auto o = std::make_shared<pseudo::PseudoStageOptions>();
  auto reduce = std::make_shared<std::string>("probs");
  CLI::App* app = parent.add_subcommand(
      "pseudo",
      "Pseudo-labelling (NB3, noisy student): the models of round N-1 predict every 5 s window of\n"
      "train_soundscapes (shared over mpirun ranks, TTA averaged), out of fold: a soundscape labelled in\n"
      "fold j only by the models of fold j, unlabelled ones by every model. Windows whose top probability\n"
      "exceeds --threshold are kept as soft labels, values below --floor zeroed, in\n"
      "WORK/pseudo/rN/pseudo_labels_soft.csv (row_id,filename,start_s,end_s,<classes>) and .h5, with\n"
      "report.json (kept/dropped counts, per class, models per fold). Train on them with\n"
      "chorus train --pseudo WORK/pseudo/rN. Exit code 4 when soundscapes failed.\n"
      "With --teacher STORE (a teacher store over train_soundscapes, README \"Teachers\"): the labels come\n"
      "from the teacher alone (--teacher-weight 1, the default; no models needed), or on each class the\n"
      "teacher has, w * teacher + (1 - w) * ensemble (probabilities); report.json names the teacher.");
  app->add_option("--data", o->data, "Dataset root in the Kaggle layout (train_soundscapes/)")->required();
  app->add_option("--work", o->work, "Work folder: models/, meta/, features/ read; pseudo/rN/ written")->required();
  app->add_option("--round", o->round,
                  "Round N: labels from the models of round N-1 (<backbone>-f<k> for N = 1, <backbone>-f<k>-r<N-1> after)")
      ->capture_default_str();
  app->add_option("--threshold", o->select.threshold, "Keep a window whose top probability exceeds this")
      ->capture_default_str();
  app->add_option("--floor", o->select.floor, "Soft-label values below this become 0")->capture_default_str();
  app->add_option("--reduce", *reduce, "Ensemble: probs (mean probabilities) or logits (sigmoid of mean logits)")
      ->check(CLI::IsMember({"probs", "logits"}))
      ->capture_default_str();
  addEnsembleRunOptions(*app, o->run, /*timeBudget=*/false);
  app->add_option("--teacher", o->teacher,
                  "Teacher store (HDF5, README \"Teachers\") over train_soundscapes: pseudo-labels from a pretrained "
                  "model (BirdNET, Perch, a bigger chorus ensemble); its rows of other audio are ignored")
      ->check(CLI::ExistingFile);
  app->add_option("--teacher-weight", o->teacherWeight,
                  "The teacher's share w of each class it has: w * teacher + (1 - w) * ensemble (probabilities); 1: "
                  "the teacher alone (classes it lacks 0, listed in report.json), no models loaded")
      ->capture_default_str();
  auto timeout = std::make_shared<double>(900);
  addCollectiveTimeout(*app, *timeout);
  return {app, [app, o, reduce, timeout] {
            o->select.reduce = infer::parseReduce(*reduce);
            watchRanks(*app, o->work, *timeout, "pseudo");  // used only under a launcher
            const auto s = pseudo::runPseudo(*o);
            CHORUS_LOG(Info) << "pseudo: " << s.dir.string() << ": " << s.kept << " of " << s.windows << " windows kept";
            return static_cast<int>(s.exitCode);
          }};
}

}  // namespace chorus::cli
