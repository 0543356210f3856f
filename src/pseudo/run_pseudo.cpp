// The pseudo stage: the models of round n-1 (and/or a teacher store) and the train_soundscapes
// windows found, predictions sharded over the ranks (infer's predictSharded), then on rank 0 the
// out-of-fold selection (or the teacher's labels) and the outputs.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/temporaries.hpp"
#include "infer/engine.hpp"
#include "infer/ensemble_run.hpp"
#include "infer/teacher_member.hpp"
#include "meta/job_name.hpp"
#include "pseudo/pseudo.hpp"
#include "pseudo/teacher_labels.hpp"
#include "store/feature_store.hpp"

namespace chorus::pseudo {
namespace fs = std::filesystem;
using nlohmann::json;

void PseudoStageOptions::validate() const {
  if (data.empty()) throw UsageError("pseudo: --data is required");
  if (work.empty()) throw UsageError("pseudo: --work is required");
  if (round < 1) throw UsageError("pseudo: --round must be at least 1 (round 1 learns from the models of round 0)");
  run.validate("pseudo");
  select.validate();
  TeacherLabelOptions{select, teacherWeight}.validate();
  if (!teacher.empty() && !std::filesystem::is_regular_file(teacher))
    throw UsageError("pseudo: --teacher " + teacher.string() + ": no such file");
}

std::vector<fs::path> teacherModels(const fs::path& work, int round) {
  std::vector<fs::path> teachers;
  for (const auto& dir : infer::modelDirs(work / "models")) {
    const auto job = meta::parseJobName(dir.filename().string());
    if (job && job->round == round - 1) teachers.push_back(dir);
  }
  if (teachers.empty())
    throw UsageError("pseudo: round " + std::to_string(round) + " needs the models of round " + std::to_string(round - 1) +
                     " (" + (round == 1 ? std::string("<backbone>-f<k>") : "<backbone>-f<k>-r" + std::to_string(round - 1)) +
                     ") under " + (work / "models").string() + "; there are none");
  return teachers;
}

namespace {

// The windows to label: the store's items when there is a store (the dataset reads its windows
// from there), else the audio folder.
std::vector<infer::Soundscape> soundscapesOf(const fs::path& folder, const fs::path& storePath) {
  if (!fs::exists(storePath)) return infer::listSoundscapes(folder);
  std::vector<infer::Soundscape> out;
  const store::FeatureStore store(storePath);
  for (const auto& item : store.items()) out.push_back({item.id, folder / item.id, item.duration});
  return out;
}

// The ensemble of round - 1 on every window, through the runner (sharded under MPI, else in this
// one process, as infer's Kaggle mode).
infer::Predictions predictWindows(const PseudoStageOptions& o, const std::vector<infer::Soundscape>& soundscapes,
                                  const fs::path& storePath, const infer::EnsembleRunner& runner, const fs::path& dir,
                                  json& engine) {
  const infer::Ensemble ensemble = runner.load(teacherModels(o.work, o.round), o.work / "meta" / "species_list.csv");
  engine = {{"engine", ensemble.engine()}, {"precision", ensemble.precision()}};
  const infer::PredictOptions po = runner.predictOptions(o.data, fs::exists(storePath) ? storePath : fs::path());
  if (runner.root())
    CHORUS_LOG(Info) << "pseudo r" << o.round << ": " << soundscapes.size() << " soundscapes, " << ensemble.size()
                     << " models of round " << o.round - 1 << ", " << po.tta.size() << " TTA variants, "
                     << (runner.kaggleMode() ? std::string("one process (no MPI)") : std::to_string(runner.ranks()) + " MPI ranks")
                     << (o.teacher.empty() ? "" : ", blended with the teacher " + o.teacher.string());
  return runner.predict(ensemble, soundscapes, po, dir / "parts");
}

// The teacher's rows of the soundscapes being labelled; rows of other audio are counted and dropped.
struct TeacherInput {
  store::TeacherStore store;
  size_t otherRows = 0, soundscapesWithout = 0;
};
TeacherInput teacherOf(const PseudoStageOptions& o, const std::vector<infer::Soundscape>& soundscapes) {
  TeacherInput t;
  const store::TeacherStore all = store::readTeacherStore(o.teacher);
  std::set<std::string> ids;
  for (const auto& s : soundscapes) ids.insert(s.id);
  t.store = store::rowsOfItems(all, ids);
  t.otherRows = all.rows() - t.store.rows();
  const std::set<std::string> scored(t.store.itemIds.begin(), t.store.itemIds.end());
  t.soundscapesWithout = ids.size() - scored.size();
  return t;
}

json teacherJson(const PseudoStageOptions& o, const TeacherInput& in, const TeacherSelection& t,
                 const std::vector<std::string>& classes) {
  json report = infer::teacherReport(o.teacher, in.store, o.teacherWeight, classes, t.covered, t.teacherRows,
                                     t.rowsWithoutTeacher);
  report["mode"] = o.teacherAlone() ? "teacher alone" : "blend of probabilities: w * teacher + (1 - w) * ensemble";
  report["soundscapes_without_teacher"] = in.soundscapesWithout;
  report["rows_of_other_audio"] = in.otherRows;
  return report;
}

json reportJson(const PseudoStageOptions& o, const infer::Predictions& p, const std::vector<std::string>& classes,
                const Selection& s, const json& teacher, const json& engine) {
  json perClass = json::object();
  for (size_t k = 0; k < classes.size(); ++k)
    if (s.nonzero[k] > 0) perClass[classes[k]] = {{"top", s.top[k]}, {"nonzero", s.nonzero[k]}};
  json groups = json::array();
  for (const auto& [fold, models] : s.modelsByFold)
    groups.push_back({{"soundscapes", fold < 0 ? "unlabelled" : "labelled, fold " + std::to_string(fold)},
                      {"windows", s.windowsByFold.at(fold)},
                      {"models", models}});
  json failures = json::array();
  for (const auto& f : p.failures) failures.push_back({{"soundscape", f.id}, {"source", f.source}, {"reason", f.reason}});
  return {{"round", o.round},
          {"threshold", o.select.threshold},
          {"floor", o.select.floor},
          {"reduce", infer::toString(o.select.reduce)},
          {"tta", p.tta},
          {"models", p.models},
          {"teacher", teacher},
          {"engine", engine.value("engine", "none")},  // none: the teacher alone, no models run
          {"precision", engine.value("precision", "")},
          {"openvino", infer::openVinoVersion()},
          {"out_of_fold", groups},
          {"windows", s.windows},
          {"kept", s.kept.size()},
          {"dropped_below_threshold", s.belowThreshold},
          {"dropped_no_out_of_fold_model", s.noOutOfFoldModel},
          {"per_class", perClass},
          {"soundscapes_failed", failures},
          {"seconds", p.seconds}};
}

// Rank 0: the labels (ensemble, teacher alone or blend) and every output file.
Selection writeLabels(const PseudoStageOptions& o, const infer::Predictions& p, const TeacherInput* teacher,
                      const std::map<std::string, int>& folds, const fs::path& dir, const json& engine) {
  std::vector<std::string> classes = p.classes;
  Selection s;
  json teacherReport;  // null without a teacher
  if (!teacher) {
    s = selectPseudoLabels(p, folds, o.select);
  } else {
    TeacherLabelOptions to;
    to.select = o.select;
    to.teacherWeight = o.teacherWeight;
    if (o.teacherAlone()) classes = dataset::readSpecies(o.work / "meta" / "species_list.csv", {}).labels;
    const TeacherSelection t = o.teacherAlone() ? teacherPseudoLabels(teacher->store, classes, to)
                                                : blendedPseudoLabels(teacher->store, p, folds, to);
    s = t.selection;
    teacherReport = teacherJson(o, *teacher, t, classes);
  }
  if (!p.models.empty()) infer::writePredictions(dir / "predictions.h5", p);
  writePseudoH5(dir / dataset::kPseudoH5Name, classes, s.kept, o.select, o.round);
  writeFileAtomic(dir / dataset::kPseudoCsvName, dataset::pseudoCsvText(classes, s.kept));
  writeFileAtomic(dir / "report.json", reportJson(o, p, classes, s, teacherReport, engine).dump(1) + "\n");
  return s;
}

}  // namespace

PseudoSummary runPseudo(const PseudoStageOptions& o) {
  o.validate();
  // MPI only under a launcher or inside chorus run (the rule infer follows: one runner).
  const infer::EnsembleRunner runner("pseudo", o.run);
  ensureDir(o.work / "logs");
  log::openFile(log::rankLogPath(o.work / "logs", "pseudo"));
  const fs::path dir = o.work / "pseudo" / ("r" + std::to_string(o.round));
  ensureDir(dir / "parts");
  if (runner.root()) clearStaleTemporaries({dir, dir / "parts"}, "pseudo r" + std::to_string(o.round));

  // Read before any model work, so a bad table or store fails in seconds, not after the predictions.
  const auto folds = labelledSoundscapeFolds(o.work / "meta" / "soundscape_labels_with_folds.csv");
  const fs::path storePath = o.work / "features" / "train_soundscapes.h5";
  const auto soundscapes = soundscapesOf(o.data / "train_soundscapes", storePath);
  std::optional<TeacherInput> teacher;
  if (!o.teacher.empty()) teacher = teacherOf(o, soundscapes);
  if (runner.root() && o.teacherAlone())
    CHORUS_LOG(Info) << "pseudo r" << o.round << ": labels from the teacher " << teacher->store.name << " alone ("
                     << teacher->store.rows() << " windows of " << soundscapes.size() << " soundscapes)";
  // The teacher alone needs no models: no predictions (an empty set).
  json engine = json::object();  // what ran the models (none for the teacher alone)
  const infer::Predictions p =
      o.teacherAlone() ? infer::Predictions{} : predictWindows(o, soundscapes, storePath, runner, dir, engine);

  PseudoSummary summary;
  summary.dir = dir;
  summary.exitCode = runner.finishOnRoot([&] {
    const Selection s = writeLabels(o, p, teacher ? &*teacher : nullptr, folds, dir, engine);
    summary.windows = s.windows, summary.kept = s.kept.size(), summary.belowThreshold = s.belowThreshold;
    summary.noOutOfFoldModel = s.noOutOfFoldModel;
    CHORUS_LOG(Info) << "pseudo r" << o.round << ": kept " << s.kept.size() << " of " << s.windows << " windows ("
                     << s.belowThreshold << " at or below " << o.select.threshold << ", " << s.noOutOfFoldModel
                     << " without an out-of-fold model), " << p.failures.size() << " soundscapes failed; "
                     << (dir / "report.json").string();
    return runner.exitCodeFor(p);
  });
  summary.soundscapes = soundscapes.size();
  summary.failed = p.failures.size();
  summary.models = p.models;
  if (teacher) summary.teacher = teacher->store.name;
  return summary;
}

}  // namespace chorus::pseudo
