// Predictions as HDF5, and the sharded prediction that writes one file per rank and joins them on
// rank 0. The HDF5 calls go through the store layer's checked wrappers (store/hdf5.hpp).
#include <algorithm>
#include <unordered_map>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "dist/mpi_context.hpp"
#include "dist/sharding.hpp"
#include "infer/predict.hpp"
#include "store/hdf5.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

void writePredictions(const fs::path& file, const Predictions& p) {
  std::lock_guard<std::recursive_mutex> lock(store::h5::libraryMutex());
  if (!file.parent_path().empty()) ensureDir(file.parent_path());
  const fs::path& temp = file;  // in messages
  {
    store::h5::Handle f = store::h5::createInMemory(file);  // small: written out whole, a full disk told plainly
    using store::h5::writeStrings;
    store::h5::writeArray<float>(f, "logits", p.logits, temp, hsize_t(std::max<size_t>(p.classes.size(), 1)));
    writeStrings(f, "model", p.models, temp);
    store::h5::writeArray<double>(f, "weight", p.weights, temp);
    store::h5::writeArray<int32_t>(f, "fold", std::vector<int32_t>(p.folds.begin(), p.folds.end()), temp);
    writeStrings(f, "class", p.classes, temp);
    writeStrings(f, "row_id", p.rowIds, temp);
    writeStrings(f, "soundscape", p.soundscapeOf, temp);
    writeStrings(f, "tta", p.tta, temp);
    writeStrings(f, "dropped_tta", p.droppedTta, temp);
    writeStrings(f, "dropped_models", p.droppedModels, temp);
    std::vector<std::string> ids, sources, reasons;
    for (const auto& x : p.failures) ids.push_back(x.id), sources.push_back(x.source), reasons.push_back(x.reason);
    writeStrings(f, "failure_id", ids, temp);
    writeStrings(f, "failure_source", sources, temp);
    writeStrings(f, "failure_reason", reasons, temp);
    store::h5::writeArray<double>(f, "seconds", {p.seconds, p.projectedSeconds}, temp);
    store::h5::saveInMemory(f, file);
  }
}

Predictions readPredictions(const fs::path& file) {
  std::lock_guard<std::recursive_mutex> lock(store::h5::libraryMutex());
  store::h5::Handle f = store::h5::openFile(file);
  using store::h5::readStrings;
  Predictions p;
  p.logits = store::h5::readArray<float>(f, "logits", file);
  p.models = readStrings(f, "model", file);
  p.weights = store::h5::readArray<double>(f, "weight", file);
  const auto folds = store::h5::readArray<int32_t>(f, "fold", file);
  p.folds.assign(folds.begin(), folds.end());
  p.classes = readStrings(f, "class", file);
  p.rowIds = readStrings(f, "row_id", file);
  p.soundscapeOf = readStrings(f, "soundscape", file);
  p.tta = readStrings(f, "tta", file);
  p.droppedTta = readStrings(f, "dropped_tta", file);
  p.droppedModels = readStrings(f, "dropped_models", file);
  const auto ids = readStrings(f, "failure_id", file), sources = readStrings(f, "failure_source", file),
             reasons = readStrings(f, "failure_reason", file);
  for (size_t i = 0; i < ids.size(); ++i) p.failures.push_back({ids[i], sources.at(i), reasons.at(i)});
  const auto seconds = store::h5::readArray<double>(f, "seconds", file);
  if (seconds.size() == 2) p.seconds = seconds[0], p.projectedSeconds = seconds[1];
  if (p.logits.size() != p.models.size() * p.rowIds.size() * p.classes.size() || p.soundscapeOf.size() != p.rowIds.size() ||
      p.weights.size() != p.models.size() || p.folds.size() != p.models.size())
    throw InputError(file.string() + ": inconsistent prediction file (sizes of logits, model, row_id, class differ)");
  return p;
}

Predictions joinPredictions(const std::vector<Predictions>& shares, const std::vector<Soundscape>& soundscapes) {
  if (shares.empty()) return {};
  Predictions out;
  const Predictions& first = shares.front();
  out.models = first.models, out.weights = first.weights, out.folds = first.folds, out.classes = first.classes;
  out.tta = first.tta, out.droppedTta = first.droppedTta, out.droppedModels = first.droppedModels;
  // Where each soundscape's rows are: (share, first row, count).
  struct Span { size_t share, begin, count; };
  std::unordered_map<std::string, Span> spans;
  for (size_t s = 0; s < shares.size(); ++s) {
    const Predictions& p = shares[s];
    if (p.models != first.models || p.classes != first.classes || p.tta != first.tta)
      throw Error("join: rank shares disagree on models, classes or TTA variants");
    for (size_t r = 0; r < p.rows(); ++r) {
      auto [it, fresh] = spans.try_emplace(p.soundscapeOf[r], Span{s, r, 0});
      ++it->second.count;
    }
    out.failures.insert(out.failures.end(), p.failures.begin(), p.failures.end());
    out.seconds = std::max(out.seconds, p.seconds);
    out.projectedSeconds = std::max(out.projectedSeconds, p.projectedSeconds);
  }
  std::vector<const Span*> order;
  for (const auto& s : soundscapes)
    if (auto it = spans.find(s.id); it != spans.end()) order.push_back(&it->second);
  for (const Span* sp : order)
    for (size_t r = sp->begin; r < sp->begin + sp->count; ++r) {
      out.rowIds.push_back(shares[sp->share].rowIds[r]);
      out.soundscapeOf.push_back(shares[sp->share].soundscapeOf[r]);
    }
  const size_t K = out.classes.size(), N = out.rowIds.size();
  out.logits.reserve(out.models.size() * N * K);
  for (size_t m = 0; m < out.models.size(); ++m)
    for (const Span* sp : order) {
      const Predictions& p = shares[sp->share];
      const float* begin = p.logits.data() + (m * p.rows() + sp->begin) * K;
      out.logits.insert(out.logits.end(), begin, begin + sp->count * K);
    }
  // Failures in input order too, so the report does not depend on the rank count.
  std::unordered_map<std::string, size_t> position;
  for (size_t i = 0; i < soundscapes.size(); ++i) position[soundscapes[i].id] = i;
  std::stable_sort(out.failures.begin(), out.failures.end(),
                   [&](const Failure& a, const Failure& b) { return position[a.id] < position[b.id]; });
  return out;
}

Predictions predictSharded(const Ensemble& ensemble, const std::vector<Soundscape>& soundscapes,
                           const PredictOptions& options, const dist::MpiContext& mpi, const fs::path& partsDir) {
  std::vector<double> costs;
  for (const auto& s : soundscapes) costs.push_back(s.seconds + 0.5);  // + opening the file (features' itemCost)
  const auto owner = dist::assignByCost(costs, mpi.size());
  std::vector<Soundscape> mine;
  for (size_t i : dist::itemsOfRank(owner, mpi.rank())) mine.push_back(soundscapes[i]);
  PredictOptions o = options;
  if (mpi.size() > 1 && o.timeBudgetSeconds > 0) {
    // Dropping per rank would mix ensembles across rows; the budget is the single-process mode's.
    if (mpi.isRoot()) CHORUS_LOG(Warn) << "infer: --time-budget applies to one process only; ignored with " << mpi.size() << " ranks";
    o.timeBudgetSeconds = 0;
  }
  o.progress = options.progress && mpi.isRoot();
  const fs::path part = partsDir / ("logits-r" + std::to_string(mpi.rank()) + "-of" + std::to_string(mpi.size()) + ".h5");
  bool ok = true;
  std::string failure;
  try {
    Predictions p = predict(ensemble, mine, o);
    writePredictions(part, p);
    CHORUS_LOG(Info) << "rank " << mpi.rank() << ": " << mine.size() << " soundscapes, " << p.rows() << " windows in "
                     << p.seconds << " s -> " << part.string();
  } catch (const std::exception& e) {
    ok = false;
    failure = e.what();
    CHORUS_LOG(Error) << "rank " << mpi.rank() << ": prediction failed: " << e.what();
  }
  if (!mpi.allTrue(ok)) throw Error(ok ? "infer: another rank failed (see its log)" : failure);
  if (!mpi.isRoot()) return readPredictions(part);
  std::vector<Predictions> shares;
  for (int r = 0; r < mpi.size(); ++r)
    shares.push_back(readPredictions(partsDir / ("logits-r" + std::to_string(r) + "-of" + std::to_string(mpi.size()) + ".h5")));
  return joinPredictions(shares, soundscapes);
}

}  // namespace chorus::infer
