// The loop of one job: AdamW over the layer-decay groups, warmup + cosine per step, gradient
// clipping, bf16 autocast on CUDA (fp32 on CPU); after every epoch, out-of-fold scoring, metrics,
// checkpoints. One code path for CPU and CUDA, for one process and a data-parallel group
// (data_parallel.hpp); on CPU a seed and a thread count fix every number.
#include <ATen/autocast_mode.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "dataset/training_data.hpp"
#include "dist/communicator.hpp"
#include "meta/metric.hpp"
#include "model/classifier.hpp"
#include "model/layer_decay.hpp"
#include "model/loss.hpp"
#include "stages/features.hpp"
#include "store/feature_store.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/data_parallel.hpp"
#include "train/distil.hpp"
#include "train/schedule.hpp"
#include "train/stop_signal.hpp"
#include "train/train.hpp"

namespace chorus::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// bf16 autocast for the forward pass on CUDA; nothing on CPU. Restores the previous setting.
struct Autocast {
  explicit Autocast(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
  }
  ~Autocast() {
    if (!on_) return;
    at::autocast::set_autocast_enabled(at::kCUDA, false);
    at::autocast::clear_cache();
  }
  bool on_;
};

// Macro AUC of the rows in `rows` (competition rule: classes without a positive are left out;
// a class without a negative has no AUC either). -1 when no class can be scored.
double scoreRows(const std::vector<size_t>& rows, const torch::Tensor& prob, const torch::Tensor& truth,
                 const std::vector<std::string>& classes) {
  const size_t n = rows.size(), K = classes.size();
  std::vector<std::string> kept;
  std::vector<double> t, s;
  auto P = prob.accessor<float, 2>();
  auto T = truth.accessor<float, 2>();
  for (size_t k = 0; k < K; ++k) {
    size_t positives = 0;
    for (size_t r : rows) positives += T[int64_t(r)][int64_t(k)] >= 0.5f;
    if (positives == 0 || positives == n) continue;
    kept.push_back(classes[k]);
    for (size_t r : rows) t.push_back(T[int64_t(r)][int64_t(k)] >= 0.5f ? 1.0 : 0.0);
    for (size_t r : rows) s.push_back(P[int64_t(r)][int64_t(k)]);
  }
  if (kept.empty()) return -1;
  return meta::macroRocAuc(kept, n, t, s).score;
}

struct Evaluation {
  torch::Tensor logits, targets;  // N x K, CPU float
};

// Sharded over the group: rank r scores held-out rows r, r + world, ...; the rows are summed into
// place (the others are zeros), so every rank ends with all of them and computes the same metrics.
Evaluation evaluate(model::Classifier& net, const dataset::TrainingData& data, const TrainOptions& o,
                    torch::Device device, DataParallel& dp) {
  const size_t n = data.split().valid.examples.size(), K = data.species().labels.size();
  const int64_t F = data.mels(), T = data.frames();
  Evaluation ev{torch::zeros({int64_t(n), int64_t(K)}), torch::zeros({int64_t(n), int64_t(K)})};
  net->eval();
  torch::NoGradGuard noGrad;
  const auto all = dataset::inOrder(n);
  std::vector<dataset::Slot> mine;
  std::vector<int64_t> rows;
  for (size_t i = size_t(dp.rank()); i < n; i += size_t(dp.size())) mine.push_back(all[i]), rows.push_back(int64_t(i));
  for (size_t first = 0; first < mine.size(); first += size_t(o.evalBatchSize)) {
    const int64_t b = int64_t(std::min(mine.size() - first, size_t(o.evalBatchSize)));
    torch::Tensor mel = torch::empty({b, 1, F, T}), target = torch::empty({b, int64_t(K)});
    data.batch({mine.begin() + long(first), mine.begin() + long(first) + b}, dataset::Mode::Validate, 0,
               mel.data_ptr<float>(), target.data_ptr<float>());
    torch::Tensor logits;
    {
      Autocast autocast(device.is_cuda());
      logits = net->forward(mel.to(device)).to(torch::kFloat).cpu();
    }
    const torch::Tensor at = torch::tensor(std::vector<int64_t>(rows.begin() + long(first), rows.begin() + long(first) + b));
    ev.logits.index_copy_(0, at, logits);
    ev.targets.index_copy_(0, at, target);
  }
  dp.sumOnHost(ev.logits);
  dp.sumOnHost(ev.targets);
  net->train();
  return ev;
}

// After a stop signal and its checkpoint: exit code 128 + signal (a rank whose group stopped on
// another rank's signal reports SIGTERM).
[[noreturn]] void throwStopped(const Job& job, int64_t step) {
  const int sig = StopSignals::received() ? StopSignals::received() : SIGTERM;
  throw Error(job.name() + ": stopped by signal " + std::to_string(sig) + " after step " + std::to_string(step) +
                  ", checkpoint written; continue with --resume",
              ExitCode(128 + sig));
}

// The group mean of a per-rank number.
double groupMean(DataParallel& dp, double mine) {
  torch::Tensor t = torch::tensor({float(mine)});
  dp.sumOnHost(t);
  return double(t.item<float>()) / double(dp.size());
}

// The competition's row id of a held-out example: the clip's id, or soundscape stem + "_" + end second.
std::string validRowId(const dataset::Example& e) {
  if (e.source == dataset::Source::Clip) return e.id;
  return fs::path(e.id).stem().string() + "_" + std::to_string(std::lround(e.endSeconds));
}

}  // namespace

JobResult trainJob(const TrainOptions& options, const Job& job, const JobGroup& group) {
  options.validate();
  const bool cuda = options.device == "cuda" || (options.device == "auto" && torch::cuda::is_available());
  if (options.device == "cuda" && !torch::cuda::is_available()) throw UsageError("train: --device cuda, but CUDA is not available");
  const torch::Device device = cuda ? torch::Device(torch::kCUDA, int8_t(group.cudaDevice)) : torch::Device(torch::kCPU);

  // The group: MPI for host memory, NCCL for the gradients on CUDA; this process alone without one.
  dist::CommOptions commOptions;
  commOptions.timeoutSeconds = options.collectiveTimeout;
  commOptions.name = job.name() + (group.label.empty() ? "" : ", " + group.label);
  commOptions.device = group.cudaDevice;
  const bool alone = group.comm == MPI_COMM_NULL;
  auto host = alone ? dist::makeLocalCommunicator() : dist::makeMpiCommunicator(group.comm, commOptions);
  auto nccl = cuda && !alone ? dist::makeNcclCommunicator(group.comm, commOptions) : nullptr;
  DataParallel dp(*host, nccl ? *nccl : *host);
  TrainOptions o = options;
  o.world = dp.size(), o.rank = dp.rank();
  StopSignals stopSignals;
  at::set_num_threads(o.threads);
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);

  dataset::DataOptions dataOptions;
  dataOptions.work = o.work;
  dataOptions.fold = job.fold;
  dataOptions.targets.secondary = float(o.secondaryTarget);
  dataOptions.sampler.seed = o.seed;
  dataOptions.augment = o.resolvedAugmentations();
  dataOptions.crop = o.crop;
  dataOptions.sampler.rareRepeats = o.rareRepeats;
  dataOptions.pseudo = o.pseudo;  // noisy student: pseudo-labelled windows, stronger noise
  dataOptions.threads = o.threads;  // batch assembly: the same numbers whatever the thread count
  dataset::TrainingData data(dataOptions);
  const auto& classes = data.species().labels;
  const auto storeFeatures = stages::storeMelOptions(*data.source().clips).describe();
  const fs::path dir = o.work / "models" / job.name();
  ensureDir(dir);
  if (dp.isRoot()) {
    json issues = json::array();
    for (const auto& i : data.split().issues) issues.push_back({{"file", i.file}, {"line", i.line}, {"kind", i.kind}, {"reason", i.reason}});
    writeFileAtomic(dir / "report.json", json{{"job", job.name()}, {"issues", issues}}.dump(1) + "\n");
    if (!issues.empty())
      CHORUS_LOG(Warn) << job.name() << ": " << issues.size() << " rows left out, named in " << (dir / "report.json").string();
  }

  model::ModelOptions mo = o.model;
  mo.backbone = job.backbone;
  mo.numClasses = int(classes.size());
  torch::manual_seed(o.seed);
  model::Classifier net = model::makeModel(mo);
  net->to(device);
  const auto groups = model::layerDecayGroups(*net, o.layerDecay, o.weightDecay);
  torch::optim::AdamW optimizer(model::adamwParamGroups(groups, torch::optim::AdamWOptions(o.lr)));
  std::vector<torch::Tensor> params;
  for (const auto& g : groups) params.insert(params.end(), g.params.begin(), g.params.end());
  const auto distil = makeDistiller(o, data, net, device);  // --distil: the teacher's term (null: off)
  if (distil) distil->join(optimizer, params);
  const auto saveDistil = [&](const fs::path& checkpoint) {
    if (distil) distil->save(checkpoint);
  };

  const int64_t examples = int64_t(data.plan(1).share(o.rank, o.world, true).size());
  int64_t stepsPerEpoch = (examples + o.batchSize - 1) / o.batchSize;
  if (o.maxStepsPerEpoch > 0) stepsPerEpoch = std::min(stepsPerEpoch, o.maxStepsPerEpoch);
  LrSchedule schedule{o.lr, o.minLr, int64_t(std::llround(o.warmupEpochs * double(stepsPerEpoch))), stepsPerEpoch * o.epochs};
  schedule.validate();

  TrainState state;
  state.seed = o.seed;
  state.config = describeConfig(o, job, stepsPerEpoch);
  state.features = storeFeatures;
  for (const auto& [k, v] : dataOptions.normalisation.describe()) state.features[k] = v;
  int64_t resumeStep = 0;  // within the first epoch of this run (after a mid-epoch stop)
  double resumeLoss = 0;
  if (o.resume) {
    if (auto last = checkpointDir(dir, "last")) {
      TrainState saved = readState(*last);
      requireSameFeatures(saved, last->string(), storeFeatures, data.source().clips->path().string());
      requireSameConfig(saved.config, state.config, last->string());
      loadCheckpoint(*last, *net, optimizer);
      if (distil) distil->load(*last);
      state = saved;
      if (state.partial) {
        resumeStep = state.step - int64_t(state.epoch) * stepsPerEpoch, resumeLoss = state.partialLoss;
        state.partial = false, state.partialLoss = 0;
      }
      CHORUS_LOG(Info) << job.name() << ": resumed after epoch " << state.epoch << " (step " << state.step << ")";
    }
  }
  dp.broadcastFromRoot(*net);  // one model on every rank (seeded alike already; on CUDA also bit-equal)
  if (distil) distil->broadcastFromRoot(dp);

  JobResult result;
  result.job = job, result.dir = dir, result.issues = data.split().issues.size();
  const int64_t F = data.mels(), T = data.frames(), K = int64_t(classes.size());
  int ranThisRun = 0;
  double secondsThisRun = 0;
  while (!state.finished && state.epoch < o.epochs && (o.stopAfter == 0 || ranThisRun < o.stopAfter)) {
    const auto started = std::chrono::steady_clock::now();
    const int epoch = state.epoch + 1;
    const auto order = data.plan(epoch).share(o.rank, o.world, true);
    net->train();
    double lossSum = resumeLoss, lr = 0;
    const double reduceSecondsBefore = dp.gradientSeconds();
    const int64_t firstStep = resumeStep;
    resumeStep = 0, resumeLoss = 0;
    for (int64_t s = firstStep; s < stepsPerEpoch; ++s) {
      const size_t first = size_t(s) * size_t(o.batchSize);
      const int64_t b = int64_t(std::min(order.size() - first, size_t(o.batchSize)));
      torch::Tensor mel = torch::empty({b, 1, F, T}), target = torch::empty({b, K});
      const std::vector<dataset::Slot> slots(order.begin() + long(first), order.begin() + long(first) + b);
      data.batch(slots, dataset::Mode::Train, epoch, mel.data_ptr<float>(), target.data_ptr<float>());
      lr = schedule.at(state.step);
      for (size_t g = 0; g < groups.size(); ++g)
        static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[g].options()).lr(lr * groups[g].lrScale);
      if (distil) distil->setLr(optimizer, lr);
      optimizer.zero_grad();
      torch::Tensor logits, features;  // features: only where the distillation's cosine term needs them
      {
        Autocast autocast(cuda);
        if (distil) std::tie(logits, features) = distil->forward(net, mel.to(device));
        else logits = net->forward(mel.to(device));
      }
      torch::Tensor loss = model::multiLabelLoss(logits.to(torch::kFloat), target.to(device), o.loss);
      if (distil) loss = distil->addTerm(loss, logits, features, slots, epoch);
      loss.backward();
      dp.averageGradients(params);
      if (o.gradClip > 0) torch::nn::utils::clip_grad_norm_(params, o.gradClip);
      optimizer.step();
      lossSum += loss.item<double>();
      ++state.step;
      if (dp.anyRank(StopSignals::received() != 0) && s + 1 < stepsPerEpoch) {
        // Stopped between steps: a mid-epoch checkpoint the next --resume continues from.
        dp.averageBuffers(*net);  // running statistics update linearly: averaging now or later agrees
        TrainState partial = state;
        partial.partial = true, partial.partialLoss = groupMean(dp, lossSum);
        if (dp.isRoot()) saveCheckpoint(dir, {"last"}, partial, *net, optimizer, saveDistil);
        dp.requireSameModel(*net);  // also waits for the root's checkpoint
        throwStopped(job, state.step);
      }
    }

    // The training steps alone (no validation): what tools/bench_dp.sh reads to rate data parallelism.
    const double stepSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (dp.isRoot())
      CHORUS_LOG(Info) << job.name() << " epoch " << epoch << " steps: " << stepsPerEpoch - firstStep << " x "
                       << o.batchSize << " x " << dp.size() << " ranks in " << stepSeconds << " s, "
                       << double((stepsPerEpoch - firstStep) * o.batchSize * dp.size()) / stepSeconds << " samples/s"
                       << (dp.size() > 1 ? ", gradient all-reduce " + std::to_string(dp.gradientSeconds() - reduceSecondsBefore) + " s"
                                         : std::string());
    if (distil) distil->endEpoch(dp, dir, epoch);
    dp.averageBuffers(*net);
    if (dp.size() > 1) dp.requireSameModel(*net);
    Evaluation ev = evaluate(net, data, o, device, dp);
    EpochMetrics m;
    m.epoch = epoch, m.step = state.step, m.lr = lr, m.trainLoss = groupMean(dp, lossSum) / double(stepsPerEpoch);
    std::vector<size_t> clipRows, scapeRows;
    const auto& valid = data.split().valid.examples;
    for (size_t i = 0; i < valid.size(); ++i) (valid[i].source == dataset::Source::Clip ? clipRows : scapeRows).push_back(i);
    torch::Tensor prob = torch::sigmoid(ev.logits);
    if (!valid.empty()) m.valLoss = model::multiLabelLoss(ev.logits, ev.targets, o.loss).item<double>();
    m.clipAuc = scoreRows(clipRows, prob, ev.targets, classes);
    m.soundscapeAuc = scoreRows(scapeRows, prob, ev.targets, classes);
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    state.metrics.push_back(m);
    state.epoch = epoch;

    std::vector<std::string> pointers = {"last"};
    const double score = headlineScore(m);
    if (state.bestEpoch == 0 || score > state.bestScore) {
      state.bestScore = score, state.bestEpoch = epoch, state.sinceBest = 0;
      pointers.push_back("best");
      std::vector<OofRow> rows;
      for (size_t i = 0; i < valid.size(); ++i) {
        const float* p = prob[int64_t(i)].data_ptr<float>();
        rows.push_back({valid[i].source == dataset::Source::Clip ? "clip" : "soundscape", validRowId(valid[i]),
                        std::vector<float>(p, p + K)});
      }
      if (dp.isRoot()) writeOofCsv(dir / "oof.csv", job.fold, classes, rows);
    } else {
      ++state.sinceBest;
    }
    state.finished = state.epoch >= o.epochs || (o.patience > 0 && state.sinceBest >= o.patience);
    if (dp.isRoot()) {
      saveCheckpoint(dir, pointers, state, *net, optimizer, saveDistil);
      writeFileAtomic(dir / "metrics.csv", metricsCsv(state.metrics));
    }
    if (dp.isRoot()) CHORUS_LOG(Info) << job.name() << " epoch " << epoch << "/" << o.epochs << ": train loss " << m.trainLoss
                     << ", val loss " << m.valLoss << ", clip AUC " << m.clipAuc << ", soundscape AUC "
                     << m.soundscapeAuc << ", " << m.seconds << " s";
    ++ranThisRun;
    secondsThisRun += m.seconds;
    if (dp.anyRank(StopSignals::received() != 0) && !state.finished) {  // the epoch's checkpoint is written
      dp.requireSameModel(*net);
      throwStopped(job, state.step);
    }
  }
  result.finished = state.finished, result.epochs = state.epoch;
  result.bestScore = state.bestScore, result.bestEpoch = state.bestEpoch;
  result.secondsPerEpoch = ranThisRun ? secondsThisRun / ranThisRun : 0;
  result.modelDigest = dp.requireSameModel(*net);
  return result;
}

}  // namespace chorus::train
