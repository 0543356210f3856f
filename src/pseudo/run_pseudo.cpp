// The pseudo stage: the teacher models and the train_soundscapes windows found, predictions sharded
// over the ranks (infer's predictSharded), then on rank 0 the out-of-fold selection and the outputs.
#include <nlohmann/json.hpp>
#include <regex>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "dist/mpi_context.hpp"
#include "infer/engine.hpp"
#include "pseudo/pseudo.hpp"
#include "store/feature_store.hpp"

namespace chorus::pseudo {
namespace fs = std::filesystem;
using nlohmann::json;

void PseudoStageOptions::validate() const {
  if (data.empty()) throw UsageError("pseudo: --data is required");
  if (work.empty()) throw UsageError("pseudo: --work is required");
  if (round < 1) throw UsageError("pseudo: --round must be at least 1 (round 1 learns from the models of round 0)");
  if (batchWindows < 1) throw UsageError("pseudo: --batch must be at least 1");
  if (maxFailures < 0) throw UsageError("pseudo: --max-failures must not be negative");
  if (!tta.empty()) infer::validateTta(tta);
  infer::validateEngineChoice(engine, precision);
  select.validate();
}

std::vector<fs::path> teacherModels(const fs::path& work, int round) {
  static const std::regex jobName(R"(.+-f[0-9]+(-r([0-9]+))?)");
  std::vector<fs::path> teachers;
  for (const auto& dir : infer::modelDirs(work / "models")) {
    std::smatch m;
    const std::string name = dir.filename().string();
    if (!std::regex_match(name, m, jobName)) continue;
    const int modelRound = m[2].matched ? std::stoi(m[2].str()) : 0;
    if (modelRound == round - 1) teachers.push_back(dir);
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

json reportJson(const PseudoStageOptions& o, const infer::Ensemble& e, const infer::Predictions& p, const Selection& s) {
  json perClass = json::object();
  for (size_t k = 0; k < p.classes.size(); ++k)
    if (s.nonzero[k] > 0) perClass[p.classes[k]] = {{"top", s.top[k]}, {"nonzero", s.nonzero[k]}};
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
          {"engine", e.engine()},
          {"precision", e.precision()},
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

}  // namespace

PseudoSummary runPseudo(const PseudoStageOptions& o) {
  o.validate();
  dist::MpiContext mpi;
  ensureDir(o.work / "logs");
  log::openFile(log::rankLogPath(o.work / "logs", "pseudo"));
  const fs::path dir = o.work / "pseudo" / ("r" + std::to_string(o.round));
  ensureDir(dir / "parts");

  // Read before any model work, so a bad table fails in seconds, not after the predictions.
  const auto folds = labelledSoundscapeFolds(o.work / "meta" / "soundscape_labels_with_folds.csv");
  infer::EnsembleOptions eo;
  eo.threads = o.threads;
  eo.device = o.device;
  eo.engine = o.engine, eo.precision = o.precision;
  eo.species = o.work / "meta" / "species_list.csv";
  const infer::Ensemble ensemble = infer::Ensemble::load(teacherModels(o.work, o.round), eo);

  infer::PredictOptions po;
  po.data = o.data;
  const fs::path storePath = o.work / "features" / "train_soundscapes.h5";
  if (fs::exists(storePath)) po.store = storePath;
  po.tta = o.tta.empty() ? infer::defaultTta() : o.tta;
  po.batchWindows = o.batchWindows;
  const auto soundscapes = soundscapesOf(o.data / "train_soundscapes", storePath);
  if (mpi.isRoot())
    CHORUS_LOG(Info) << "pseudo r" << o.round << ": " << soundscapes.size() << " soundscapes, " << ensemble.size()
                     << " teacher models, " << po.tta.size() << " TTA variants, " << mpi.size() << " ranks";
  const infer::Predictions p = infer::predictSharded(ensemble, soundscapes, po, mpi, dir / "parts");

  PseudoSummary summary;
  summary.dir = dir;
  std::string outcome = "0";
  if (mpi.isRoot()) {
    try {
      const Selection s = selectPseudoLabels(p, folds, o.select);
      infer::writePredictions(dir / "predictions.h5", p);
      writePseudoH5(dir / dataset::kPseudoH5Name, p.classes, s.kept, o.select, o.round);
      writeFileAtomic(dir / dataset::kPseudoCsvName, dataset::pseudoCsvText(p.classes, s.kept));
      writeFileAtomic(dir / "report.json", reportJson(o, ensemble, p, s).dump(1) + "\n");
      summary.windows = s.windows, summary.kept = s.kept.size(), summary.belowThreshold = s.belowThreshold;
      summary.noOutOfFoldModel = s.noOutOfFoldModel;
      const ExitCode code = long(p.failures.size()) > o.maxFailures ? ExitCode::PartialFailure : ExitCode::Ok;
      outcome = std::to_string(int(code));
      CHORUS_LOG(Info) << "pseudo r" << o.round << ": kept " << s.kept.size() << " of " << s.windows << " windows ("
                       << s.belowThreshold << " at or below " << o.select.threshold << ", " << s.noOutOfFoldModel
                       << " without an out-of-fold model), " << p.failures.size() << " soundscapes failed; "
                       << (dir / "report.json").string();
    } catch (const Error& e) {
      outcome = std::to_string(int(e.code())) + " " + e.what();
    }
  }
  outcome = mpi.broadcast(outcome);  // every rank ends with rank 0's outcome
  const int code = std::stoi(outcome);
  if (outcome.find(' ') != std::string::npos) throw Error(outcome.substr(outcome.find(' ') + 1), ExitCode(code));
  summary.exitCode = ExitCode(code);
  summary.soundscapes = soundscapes.size();
  summary.failed = p.failures.size();
  summary.models = p.models;
  return summary;
}

}  // namespace chorus::pseudo
