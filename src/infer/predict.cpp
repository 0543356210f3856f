// One process's prediction loop: a producer thread prepares the log-mel of the next soundscapes
// while the models run on the current one (windows x variants in one batch per model), and the
// time budget is decided on the first soundscapes.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "infer/soundscape_features.hpp"
#include "infer/time_budget.hpp"
#include "meta/soundscape_window.hpp"

namespace chorus::infer {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A bounded queue filled in soundscape order by one producer thread.
class Prefetcher {
 public:
  Prefetcher(const SoundscapeFeatures& features, size_t count, size_t depth)
      : features_(features), count_(count), depth_(std::max<size_t>(depth, 1)), thread_([this] { run(); }) {}
  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  PreparedSoundscape next() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty(); });
    PreparedSoundscape p = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return p;
  }

 private:
  void run() {
    for (size_t i = 0; i < count_; ++i) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return stop_ || queue_.size() < depth_; });
        if (stop_) return;
      }
      PreparedSoundscape p = features_.prepare(i);  // never throws for a bad file
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(p));
      changed_.notify_all();
    }
  }
  const SoundscapeFeatures& features_;
  size_t count_, depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<PreparedSoundscape> queue_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// The windows of one soundscape x every variant, in dB, per feature group: (W * V) x 1 x mels x frames,
// row w * V + v.
struct VariantBatch {
  int64_t rows = 0, mels = 0, frames = 0;
  std::vector<float> db;
  bool empty() const { return db.empty(); }
};

VariantBatch variantBatch(const SoundscapeFeatures& f, const PreparedSoundscape& p, size_t g,
                          const std::vector<std::string>& variants) {
  const int mels = f.mels(g), frames = f.windowFrames(g);
  const int64_t V = int64_t(variants.size());
  const size_t per = size_t(mels) * size_t(frames);
  VariantBatch x{int64_t(p.windows) * V, mels, frames, std::vector<float>(size_t(p.windows) * size_t(V) * per)};
  for (int w = 0; w < p.windows; ++w) {
    float* first = x.db.data() + size_t(w) * size_t(V) * per;
    f.window(p, g, w, first);
    for (int64_t v = 1; v < V; ++v) std::copy(first, first + per, first + size_t(v) * per);
    for (int64_t v = 0; v < V; ++v) applyVariant(variants[size_t(v)], first + size_t(v) * per, mels, frames);
  }
  return x;
}

// One soundscape's logits of one model: W x V x K, row-major.
struct VariantLogits {
  int64_t windows = 0, variants = 0, classes = 0;
  std::vector<float> values;

  // W x K: each window's mean over the variants in `keep` (null: every variant), summed in order.
  std::vector<float> mean(const std::vector<int64_t>* keep) const {
    std::vector<int64_t> all(static_cast<size_t>(variants));
    std::iota(all.begin(), all.end(), 0);
    const std::vector<int64_t>& used = keep ? *keep : all;
    std::vector<float> out(size_t(windows * classes), 0.0f);
    for (int64_t w = 0; w < windows; ++w)
      for (int64_t k = 0; k < classes; ++k) {
        float sum = 0;
        for (const int64_t v : used) sum += values[size_t((w * variants + v) * classes + k)];
        out[size_t(w * classes + k)] = sum / float(used.size());
      }
    return out;
  }
};

// A model's logits for every row of `db`: W x V x K. Normalised on the CPU ((dB - mean) / std in
// float), then through the model's engine `batch` rows at a time.
VariantLogits runModel(const Ensemble::Impl& e, size_t m, const VariantBatch& db, int64_t windows, int batch) {
  const auto& norm = e.norms[m];
  const float mean = float(norm.meanDb), spread = float(norm.stdDb);
  std::vector<float> x(db.db.size());
  for (size_t j = 0; j < x.size(); ++j) x[j] = (db.db[j] - mean) / spread;
  const int64_t per = db.mels * db.frames;
  VariantLogits out;
  for (int64_t first = 0; first < db.rows; first += batch) {
    const int64_t n = std::min<int64_t>(batch, db.rows - first);
    const auto part = e.engines[m]->logits(x.data() + first * per, n, 1, db.mels, db.frames);
    out.values.insert(out.values.end(), part.begin(), part.end());
  }
  out.windows = windows, out.variants = db.rows / windows, out.classes = int64_t(out.values.size()) / db.rows;
  return out;
}

// The rows predicted so far. While the time budget calibrates, a soundscape's logits are held with
// every variant (W x V x K per model); once it decides, the held rows keep only the kept variants'
// mean, like every later row, and go ahead of them.
struct Rows {
  explicit Rows(size_t models) : out(models), held(models) {}
  std::vector<std::vector<float>> out;           // per model: rows x K
  std::vector<std::vector<VariantLogits>> held;  // per model, one per calibration soundscape
  std::vector<std::string> heldRows, heldScapes;

  static void append(std::vector<float>& to, const VariantLogits& logits, const std::vector<int64_t>* keep,
                     std::vector<float>::iterator at) {
    const std::vector<float> mean = logits.mean(keep);
    to.insert(at, mean.begin(), mean.end());
  }
  void add(size_t m, VariantLogits logits, bool calibrating) {
    if (calibrating) held[m].push_back(std::move(logits));
    else append(out[m], logits, nullptr, out[m].end());
  }
  void addIds(Predictions& result, const std::string& soundscape, int windows, bool calibrating) {
    for (int w = 0; w < windows; ++w) {
      (calibrating ? heldRows : result.rowIds).push_back(meta::windowRowId(soundscape, w));
      (calibrating ? heldScapes : result.soundscapeOf).push_back(soundscape);
    }
  }
  // The held rows join the front, with the variants in `keep` (null: every variant).
  void settle(Predictions& result, const TimeBudget& budget, const std::vector<int64_t>* keep) {
    for (size_t m = 0; m < out.size(); ++m) {
      if (!budget.keepsModel(m)) continue;
      for (size_t j = held[m].size(); j-- > 0;) append(out[m], held[m][j], keep, out[m].begin());
      held[m].clear();
    }
    result.rowIds.insert(result.rowIds.begin(), heldRows.begin(), heldRows.end());
    result.soundscapeOf.insert(result.soundscapeOf.begin(), heldScapes.begin(), heldScapes.end());
    heldRows.clear(), heldScapes.clear();
  }
};

// One soundscape through every model the budget keeps; returns each model's seconds.
std::vector<double> predictSoundscape(const Ensemble& ensemble, const SoundscapeFeatures& features,
                                      const PreparedSoundscape& p, const TimeBudget& budget,
                                      const PredictOptions& o, Rows& rows) {
  const Ensemble::Impl& e = ensemble.impl();
  const size_t M = ensemble.size();
  const bool calibrating = budget.calibrating();
  const std::vector<std::string> variants = calibrating ? o.tta : budget.keptVariants();
  std::vector<VariantBatch> db(ensemble.featureGroups());
  std::vector<double> modelSeconds(M, 0.0);
  for (size_t m = 0; m < M; ++m) {
    if (!budget.keepsModel(m)) continue;
    const size_t g = e.group[m];
    if (db[g].empty()) db[g] = variantBatch(features, p, g, variants);
    const auto tm = Clock::now();
    VariantLogits logits = runModel(e, m, db[g], p.windows, o.batchWindows);  // W x V x K
    modelSeconds[m] = since(tm);
    rows.add(m, std::move(logits), calibrating);
  }
  return modelSeconds;
}

// The kept models' rows into `result`, with what the budget dropped.
void collect(const Ensemble::Impl& e, const TimeBudget& budget, Rows& rows, Predictions& result) {
  const size_t K = e.classes.size();
  result.classes = e.classes;
  result.tta = budget.keptVariants();
  result.droppedTta = budget.droppedVariants();
  for (size_t m = 0; m < rows.out.size(); ++m) {
    if (!budget.keepsModel(m)) {
      result.droppedModels.push_back(e.infos[m].name);
      continue;
    }
    if (rows.out[m].size() != result.rows() * K) throw Error("predict: internal row count mismatch for " + e.infos[m].name);
    result.models.push_back(e.infos[m].name);
    result.weights.push_back(e.infos[m].weight);
    result.folds.push_back(e.infos[m].fold);
    result.logits.insert(result.logits.end(), rows.out[m].begin(), rows.out[m].end());
  }
  std::reverse(result.droppedModels.begin(), result.droppedModels.end());  // in the order dropped: from the end
  result.projectedSeconds = budget.projectedSeconds();
}

}  // namespace

Predictions predict(const Ensemble& ensemble, const std::vector<Soundscape>& soundscapes, const PredictOptions& o) {
  validateTta(o.tta);
  if (o.batchWindows < 1) throw UsageError("predict: batch of at least one window");
  const auto started = Clock::now();
  const Ensemble::Impl& e = ensemble.impl();
  const size_t M = ensemble.size(), n = soundscapes.size();
  setTorchThreads(e.threads);
  SoundscapeFeatures features(e, soundscapes, o);
  TimeBudget budget(o.timeBudgetSeconds, o.calibrate, n, o.tta, M);
  Rows rows(M);
  Predictions result;
  Progress progress("infer: " + std::to_string(M) + " models x " + std::to_string(o.tta.size()) + " variants", double(n),
                    "soundscapes");
  Prefetcher prefetch(features, n, size_t(std::max(o.prefetch, 1)));
  for (size_t i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    const PreparedSoundscape p = prefetch.next();
    const Soundscape& s = soundscapes[p.index];
    if (!p.failure.empty()) {
      CHORUS_LOG(Warn) << "soundscape " << s.id << " failed: " << p.failure;
      result.failures.push_back({s.id, s.audio.string(), p.failure});
      budget.skipped();
    } else {
      const bool calibrating = budget.calibrating();
      const std::vector<double> modelSeconds = predictSoundscape(ensemble, features, p, budget, o, rows);
      rows.addIds(result, s.id, p.windows, calibrating);
      budget.measured(since(t0), modelSeconds, since(started));
      if (calibrating && !budget.calibrating()) {  // decided now
        const auto keep = budget.keptVariantIndices();
        rows.settle(result, budget, &keep);
      }
    }
    if (o.progress) progress.advance();
  }
  if (budget.calibrating()) {  // fewer soundscapes than the calibration: nothing dropped
    budget.finishWithoutDecision();
    rows.settle(result, budget, nullptr);
  }
  if (o.progress) progress.finish();
  collect(e, budget, rows, result);
  result.seconds = since(started);
  return result;
}

}  // namespace chorus::infer
