// The prediction API shared by `chorus infer` and `chorus pseudo`: an Ensemble of checkpoints,
// loaded once, run over soundscapes cut into the competition's 5 s windows, giving per-model,
// per-window logits (already averaged over the TTA variants). No torch in this header (the
// models live behind a pimpl), so stages and tests that only handle logits compile fast.
//
//   auto ensemble = Ensemble::load(modelDirs(work / "models"), {});
//   auto scapes   = listSoundscapes(data / "test_soundscapes");
//   Predictions p = predict(ensemble, scapes, options);                    // one process
//   Predictions p = predictSharded(ensemble, scapes, options, mpi, dir);   // every rank; full on rank 0
//   p.logit(m, row, k) ... p.rowIds[row] ... p.soundscapeOf[row]
//
// Windows: a soundscape of S seconds has ceil(S / 5) windows (at least one; S is taken a hair
// short so that 60.00001 s is 12), window j covering [5j, 5j + 5) s with row id `<stem>_<5j+5>`.
// A last window that runs past the end of the audio is moved in to end at the audio's last frame
// (the same rule the trainer's validation uses: real context instead of a silence the model never
// heard); a soundscape shorter than one window is repeated cyclically (dataset::readWindow's rule).
//
// Features: one log-mel per soundscape for every distinct set of mel parameters among the models
// (usually one), shared by every model with those parameters and every TTA variant. Each model
// gets its own normalisation (dataset::Normalisation from its checkpoint). With a feature store
// as input, a model whose parameters differ from the store's computes its own log-mel from the
// audio (the store's `source` under PredictOptions::data), or, with no audio, is refused with an
// InputError naming the checkpoint, the store and the differing parameter. Never wrong input.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chorus::dist {
class MpiContext;
}

namespace chorus::infer {

// ---- the models --------------------------------------------------------------------------

// What a checkpoint says of itself (state.json), without loading weights.
struct ModelInfo {
  std::string name;                 // the job folder's name: "efficientnet_b0-f0"
  std::filesystem::path dir;        // the checkpoint directory loaded (models/<name>/epoch-NNNN)
  std::string backbone, head;       // as trained
  int fold = -1;                    // the fold it held out (-1: unknown); pseudo's out-of-fold rule
  std::map<std::string, std::string> features;  // mel parameters + normalisation (norm_*), as trained
  double weight = 1.0;              // the reducer's per-model weight
  std::string engine;               // what runs it: torch | openvino (engine.hpp)
};

struct EnsembleOptions {
  std::string pointer = "best";     // which checkpoint of a job folder: best.json, else last.json
  std::vector<double> weights;      // per model, in the order given; empty: all 1
  int threads = 0;                  // torch intra-op threads; <= 0: every core (hardware_concurrency)
  std::string device = "cpu";       // cpu | cuda | auto
  // Weights (and so every activation map) in channels-last (NHWC) memory layout: EfficientNet-B0
  // ~1.5x faster at one thread. Numbers equal the NCHW layout's up to float rounding.
  bool channelsLast = true;
  // Each eval-mode BatchNorm folded into the convolution before it (load time, inference only):
  // EfficientNet-B0 ~1.3x more on top. Logits equal the unfolded model's up to float rounding.
  bool foldBatchNorm = true;
  // What runs the models (engine.hpp): auto (openvino on the CPU when built with it, torch on CUDA),
  // torch or openvino; precision f32, or bf16 (openvino on a CPU that reports BF16).
  std::string engine = "auto";
  std::string precision = "f32";
  std::filesystem::path species;    // species_list.csv giving the K output classes (its primary_label
                                    // column, in order); required: a model's outputs are only labels here
};

// The job folders under WORK/models that hold a finished-or-not checkpoint (best.json or
// last.json), in fold-major order (f0 of every backbone, then f1, ...), so that dropping models
// from the end of the list (the time budget) keeps every backbone as long as possible.
std::vector<std::filesystem::path> modelDirs(const std::filesystem::path& modelsFolder);

// A --models entry: a folder, a job name under WORK/models ("efficientnet_b0-f0"), or BACKBONE/FOLD
// (UsageError naming it when there is no such folder).
std::filesystem::path modelPath(const std::string& entry, const std::filesystem::path& work);

// Models loaded once, in eval mode, each with its mel parameters and normalisation.
class Ensemble {
 public:
  // Each path: a job folder (models/<name>/, via options.pointer) or a checkpoint directory itself.
  // Throws InputError naming the folder when a checkpoint is missing or unreadable, UsageError
  // when options.weights does not have one entry per model or the class count does not match the
  // checkpoint's head.
  static Ensemble load(const std::vector<std::filesystem::path>& dirs, const EnsembleOptions& options);
  Ensemble(Ensemble&&) noexcept;
  Ensemble& operator=(Ensemble&&) noexcept;
  ~Ensemble();

  size_t size() const;
  const ModelInfo& info(size_t m) const;
  const std::vector<std::string>& classes() const;  // K, the models' output order
  // Models whose mel parameters are equal share one log-mel: group g's models and parameters.
  size_t featureGroups() const;
  const std::map<std::string, std::string>& groupFeatures(size_t g) const;  // the mel keys only
  const std::string& engine() const;     // as resolved: torch | openvino (a TorchScript member runs on torch)
  const std::string& precision() const;  // f32 | bf16

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  explicit Ensemble(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- the inputs ---------------------------------------------------------------------------

struct Soundscape {
  std::string id;                 // the file name ("BC2026_Test_0001_S05_20250227_010002.ogg"); row ids use its stem
  std::filesystem::path audio;    // the audio file (absolute, or relative to PredictOptions::data); may be empty with a store
  double seconds = 0;             // duration, for the windows' count and the cost sharding (0: probe the file)
};

// Every audio file in `folder` (not recursive), sorted by name, as absolute paths, durations from the headers
// (a file whose header cannot be read gets seconds 0 and fails later, named in the failures).
std::vector<Soundscape> listSoundscapes(const std::filesystem::path& folder);

// ---- the TTA variants ---------------------------------------------------------------------

// A variant transforms one window of log-mel dB (mels x frames) before normalisation:
//   "orig"     unchanged
//   "reverse"  frames in reverse order (time reversal)
//   "gain+3"   +3 dB on every bin (= a 10^(3/20) amplitude gain: power x 10^0.3 is +3 dB in dB)
//   "gain-3"   -3 dB
//   "gain+X" / "gain-X" any X in dB.
// Normalisation is fixed per model ((dB - mean) / std), so a gain really changes the input.
const std::vector<std::string>& defaultTta();  // orig, reverse, gain+3, gain-3
void validateTta(const std::vector<std::string>& variants);  // UsageError naming an unknown one
void applyVariant(const std::string& variant, float* db, int mels, int frames);

// ---- predicting ---------------------------------------------------------------------------

struct PredictOptions {
  std::filesystem::path data;       // base folder of relative Soundscape::audio (and of a store's sources)
  std::filesystem::path store;      // optional feature store holding the soundscapes (items by id)
  std::vector<std::string> tta = defaultTta();
  int batchWindows = 48;            // windows x variants per forward call (a minute x 4 variants)
  int prefetch = 2;                 // soundscapes decoded + log-mel'd ahead by a producer thread
  // Time budget for the whole predict call, seconds; <= 0: none. Measured on the first
  // `calibrate` soundscapes (all variants, all models kept apart); if the projection exceeds the
  // budget, variants are dropped from the END of `tta` (never "orig"), then models from the END of
  // the ensemble's order, until it fits (or one model with "orig" is left). The calibration
  // soundscapes' logits are then averaged over the kept variants only, so every row of the
  // result comes from the same models and variants. One process only (predictSharded ignores it).
  double timeBudgetSeconds = 0;
  int calibrate = 2;
  bool progress = true;             // a progress line with ETA (rank 0)
};

struct Failure {
  std::string id, source, reason;  // a soundscape that could not be decoded (its rows are absent)
};

// Per-model, per-window logits. Rows: soundscapes in input order, windows in time order.
struct Predictions {
  std::vector<std::string> models;      // M model names (ensemble order, dropped models removed)
  std::vector<double> weights;          // M reducer weights
  std::vector<int> folds;               // M held-out folds (-1 unknown)
  std::vector<std::string> classes;     // K
  std::vector<std::string> rowIds;      // N
  std::vector<std::string> soundscapeOf;  // N: the Soundscape::id of each row
  std::vector<float> logits;            // M x N x K, model-major: logits[(m * N + n) * K + k]
  std::vector<std::string> tta;         // the variants averaged (after any dropping)
  std::vector<std::string> droppedTta, droppedModels;  // by the time budget, in the order dropped
  std::vector<Failure> failures;
  double seconds = 0;                   // wall time of the prediction (this rank's, for predictSharded: the slowest)
  double projectedSeconds = 0;          // the time-budget projection for the full input (0: not measured)

  size_t rows() const { return rowIds.size(); }
  float logit(size_t m, size_t n, size_t k) const { return logits[(m * rows() + n) * classes.size() + k]; }
};

// One process: every soundscape, every model and variant. Intra-op threads for the models, and
// a producer thread decoding + computing the log-mel of the next soundscapes while the models run;
// windows x variants batched. A soundscape that fails to decode is named in `failures` and skipped.
Predictions predict(const Ensemble& ensemble, const std::vector<Soundscape>& soundscapes,
                    const PredictOptions& options);

// Collective, every rank of `mpi` with the same arguments: soundscapes shared by cost (duration,
// dist::assignByCost); each rank predicts its share and writes it atomically to
// partsDir/logits-r<rank>-of<size>.h5; rank 0 then reads every part and returns the whole
// Predictions in input order (other ranks return their own share). Identical numbers for any
// number of ranks (same batches per soundscape, same thread count).
Predictions predictSharded(const Ensemble& ensemble, const std::vector<Soundscape>& soundscapes,
                           const PredictOptions& options, const dist::MpiContext& mpi,
                           const std::filesystem::path& partsDir);

// Predictions as HDF5 (h5py-readable): datasets logits (M x N x K float32), row_id, soundscape,
// model, class, weight, fold; attributes tta, dropped_tta, dropped_models. Written atomically.
void writePredictions(const std::filesystem::path& file, const Predictions& predictions);
Predictions readPredictions(const std::filesystem::path& file);  // InputError naming the file

// The rows of several shares joined in the order of `soundscapes` (models and classes must agree).
Predictions joinPredictions(const std::vector<Predictions>& shares, const std::vector<Soundscape>& soundscapes);

}  // namespace chorus::infer
