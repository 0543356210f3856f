// The infer stage: models and soundscapes found, predictions sharded over the ranks, reduced on
// rank 0 into the aligned submission, and WORK/infer/report.json.
#include <cstdlib>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/temporaries.hpp"
#include "infer/engine.hpp"
#include "infer/ensemble_run.hpp"
#include "infer/infer.hpp"
#include "infer/postprocess.hpp"
#include "infer/predict.hpp"
#include "infer/reducer.hpp"
#include "infer/submission.hpp"
#include "infer/teacher_member.hpp"
#include "store/feature_store.hpp"
#include "store/teacher_store.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;
using nlohmann::json;

void InferOptions::validate() const {
  if (data.empty()) throw UsageError("infer: --data is required");
  if (work.empty()) throw UsageError("infer: --work is required");
  if (out.empty()) throw UsageError("infer: --out is required");
  run.validate("infer");
  parseReduce(reduce);
  post.validate();
  if (!weights.empty() && !models.empty() && weights.size() != models.size())
    throw UsageError("infer: --weights needs one weight per --models entry");
  if (!(missingValue >= 0 && missingValue <= 1)) throw UsageError("infer: --missing-value must lie in [0, 1]");
  store::requireTeacherWeight(teacherWeight, "infer");
  if (!teacher.empty() && !fs::is_regular_file(teacher)) throw UsageError("infer: --teacher " + teacher.string() + ": no such file");
}

namespace {

std::vector<Soundscape> soundscapesOf(const InferOptions& o, const fs::path& storePath) {
  const fs::path folder = o.data / o.set;
  if (fs::is_directory(folder)) return listSoundscapes(folder);
  if (storePath.empty()) throw InputError(folder.string() + ": no such soundscape folder");
  std::vector<Soundscape> out;  // store only (no audio): every item, in store order
  const store::FeatureStore store(storePath);
  for (const auto& item : store.items()) out.push_back({item.id, {}, item.duration});
  return out;
}

// The teacher as a member: what it covered of these predictions, for the report.
// The reduced values of the (post-processed) `logits`: the models alone, or with the teacher as one
// more member (report: its part).
std::vector<double> reduced(const InferOptions& o, const Predictions& p, const std::vector<float>& logits,
                            const store::TeacherStore* teacher, json& report) {
  const Reduce how = parseReduce(o.reduce);
  if (!teacher) return reduce(logits, p.models.size(), p.rows(), p.classes.size(), p.weights, how);
  const TeacherColumns columns = teacherColumns(*teacher, p);
  report = teacherReport(o.teacher, *teacher, o.teacherWeight, p.classes, columns.covered, columns.rowsFound,
                         columns.rowsMissing);
  CHORUS_LOG(Info) << "infer: the teacher " << teacher->name << " joins the reducer with weight " << o.teacherWeight
                   << " on " << report["classes_covered"] << " classes, " << columns.rowsFound << " of " << p.rows()
                   << " windows";
  return reduceWithTeacher(logits, p.models.size(), p.rows(), p.classes.size(), p.weights, how, columns.values,
                           o.teacherWeight);
}

json reportJson(const InferOptions& o, const Ensemble& e, const Predictions& p, const SubmissionCounts& c, int ranks) {
  json failures = json::array();
  for (const auto& f : p.failures) failures.push_back({{"soundscape", f.id}, {"source", f.source}, {"reason", f.reason}});
  return {{"submission", o.out.string()},
          {"ranks", ranks},
          {"soundscapes_failed", failures},
          {"rows", c.rows},
          {"predicted_rows", p.rows()},
          {"missing_rows", c.missingRows},
          {"missing_value", o.missingValue},
          {"missing_examples", c.missingExamples},
          {"extra_rows", c.extraRows},
          {"models", p.models},
          {"weights", p.weights},
          {"tta", p.tta},
          {"dropped_tta", p.droppedTta},
          {"dropped_models", p.droppedModels},
          {"reduce", o.reduce},
          {"post_processing", o.post.describe()},
          {"engine", e.engine()},
          {"precision", e.precision()},
          {"openvino", openVinoVersion()},
          {"time_budget_minutes", ranks == 1 ? o.run.timeBudgetMinutes : 0.0},
          {"projected_seconds", p.projectedSeconds},
          {"seconds", p.seconds}};
}

void removeStaleInferTemporaries(const InferOptions& o, const fs::path& inferDir) {
  const size_t submission = removeStaleTemporaries(o.out.has_parent_path() ? o.out.parent_path() : ".",
                                                   o.out.filename().string() + ".tmp.");
  clearStaleTemporaries({inferDir, inferDir / "parts"}, "infer");
  if (submission) CHORUS_LOG(Info) << "infer: " << submission << " stale temporaries of " << o.out.string() << " removed";
}

std::vector<fs::path> modelsOf(const InferOptions& o) {
  std::vector<fs::path> dirs;
  if (o.models.empty()) dirs = modelDirs(o.work / "models");
  for (const auto& m : o.models) dirs.push_back(modelPath(m, o.work));
  return dirs;
}

// Rank 0: predictions.h5, the reduced submission and report.json; the stage's exit code.
ExitCode writeOutputs(const InferOptions& o, const EnsembleRunner& runner, const Ensemble& ensemble, const Predictions& p,
                      const store::TeacherStore* teacher, InferSummary& summary) {
  const fs::path inferDir = o.work / "infer";
  writePredictions(inferDir / "predictions.h5", p);
  std::vector<float> logits = p.logits;  // predictions.h5 keeps the raw ones
  postProcessLogits(logits, p.models.size(), p.rows(), p.classes.size(), p.soundscapeOf, o.post);
  json teacherReport;  // null: no teacher
  const auto values = reduced(o, p, logits, teacher, teacherReport);
  const fs::path sample = o.sampleSubmission.empty() ? o.data / "sample_submission.csv" : o.sampleSubmission;
  const SubmissionCounts counts = writeSubmission(o.out, sample, p.rowIds, p.classes, values, o.missingValue);
  json report = reportJson(o, ensemble, p, counts, runner.ranks());
  report["teacher"] = teacherReport;
  writeFileAtomic(inferDir / "report.json", report.dump(1) + "\n");
  summary.rows = counts.rows, summary.missingRows = counts.missingRows, summary.extraRows = counts.extraRows;
  CHORUS_LOG(Info) << "infer: " << o.out.string() << ": " << counts.rows << " rows (" << counts.missingRows
                   << " listed without audio, value " << o.missingValue << "; " << counts.extraRows
                   << " not in sample_submission), " << p.failures.size() << " soundscapes failed; "
                   << (inferDir / "report.json").string();
  return runner.exitCodeFor(p);
}

}  // namespace

InferSummary runInfer(const InferOptions& o) {
  o.validate();
  const EnsembleRunner runner("infer", o.run);
  ensureDir(o.work / "logs");
  log::openFile(log::rankLogPath(o.work / "logs", "infer"));
  const fs::path inferDir = o.work / "infer";
  ensureDir(inferDir / "parts");
  if (runner.root()) removeStaleInferTemporaries(o, inferDir);  // one rank looks (the others' are theirs: live pids)

  const Ensemble ensemble = runner.load(modelsOf(o), o.species.empty() ? o.work / "meta" / "species_list.csv" : o.species,
                                        o.weights);
  // Read on every rank before the predictions, so a bad store fails in seconds and nowhere waits.
  std::optional<store::TeacherStore> teacher;
  if (!o.teacher.empty()) teacher = store::readTeacherStore(o.teacher);

  const PredictOptions po = runner.predictOptions(o.data, o.fromStore ? o.work / "features" / (o.set + ".h5") : fs::path());
  const std::vector<Soundscape> soundscapes = soundscapesOf(o, po.store);
  if (runner.root())
    CHORUS_LOG(Info) << "infer: " << soundscapes.size() << " soundscapes, " << ensemble.size() << " models ("
                     << ensemble.featureGroups() << " feature groups), " << po.tta.size() << " TTA variants, "
                     << runner.ranks() << (runner.kaggleMode() ? " process (no MPI)" : " MPI ranks") << ", engine "
                     << ensemble.engine() << " " << ensemble.precision();
  const Predictions p = runner.predict(ensemble, soundscapes, po, inferDir / "parts");

  InferSummary summary;
  summary.exitCode = runner.finishOnRoot(
      [&] { return writeOutputs(o, runner, ensemble, p, teacher ? &*teacher : nullptr, summary); });
  summary.soundscapes = soundscapes.size();
  summary.failed = p.failures.size();
  summary.models = p.models, summary.tta = p.tta, summary.droppedModels = p.droppedModels, summary.droppedTta = p.droppedTta;
  summary.seconds = p.seconds, summary.projectedSeconds = p.projectedSeconds;
  return summary;
}

}  // namespace chorus::infer
