// The loop of one job: AdamW over the layer-decay groups, warmup + cosine per step, gradient
// clipping, bf16 autocast on CUDA (fp32 on CPU); after every epoch, out-of-fold scoring, metrics,
// checkpoints. One code path for CPU and CUDA, for one process and a data-parallel group
// (data_parallel.hpp); on CPU a seed and a thread count fix every number.
#include <ATen/autocast_mode.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/temporaries.hpp"
#include "core/thread_pool.hpp"
#include "dataset/training_data.hpp"
#include "dist/communicator.hpp"
#include "meta/metric.hpp"
#include "meta/soundscape_window.hpp"
#include "model/build_info.hpp"
#include "model/checkpoint.hpp"
#include "model/classifier.hpp"
#include "model/layer_decay.hpp"
#include "model/loss.hpp"
#include "store/feature_store.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/data_parallel.hpp"
#include "train/distil.hpp"
#include "train/schedule.hpp"
#include "train/stop_signal.hpp"
#include "train/train.hpp"
#include "train/weight_average.hpp"

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

// Macro AUC of the rows in `rows`, soft targets counted positive from 0.5, by the metric's rule for
// which classes count (meta::macroRocAucOrNone: -1 when none can be scored).
double scoreRows(const std::vector<size_t>& rows, const torch::Tensor& prob, const torch::Tensor& truth,
                 const std::vector<std::string>& classes) {
  std::vector<double> t, s;  // column-major, as the metric takes them
  auto P = prob.accessor<float, 2>();
  auto T = truth.accessor<float, 2>();
  for (size_t k = 0; k < classes.size(); ++k) {
    for (size_t r : rows) t.push_back(T[int64_t(r)][int64_t(k)] >= 0.5f ? 1.0 : 0.0);
    for (size_t r : rows) s.push_back(P[int64_t(r)][int64_t(k)]);
  }
  return meta::macroRocAucOrNone(classes, rows.size(), t, s);
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
[[noreturn]] void throwStopped(const meta::Job& job, int64_t step) {
  const int sig = StopSignals::received() ? StopSignals::received() : SIGTERM;
  throw Error(job.name() + ": stopped by signal " + std::to_string(sig) + " after step " + std::to_string(step) +
                  ", checkpoint written; continue with --resume",
              ExitCode(128 + sig));
}

// The group mean of a per-rank number.
double groupMean(DataParallel& dp, double mine) {
  torch::Tensor t = torch::tensor({mine}, torch::kDouble);
  dp.sumOnHost(t);
  return t.item<double>() / double(dp.size());
}

// Every rank's number, by rank (exact: the others add zeros).
std::vector<double> gatherByRank(DataParallel& dp, double mine) {
  torch::Tensor t = torch::zeros({int64_t(dp.size())}, torch::kDouble);
  t[dp.rank()] = mine;
  dp.sumOnHost(t);
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

// The competition's row id of a held-out example: the clip's id, or soundscape stem + "_" + end second.
std::string validRowId(const dataset::Example& e) {
  if (e.source == dataset::Source::Clip) return e.id;
  return meta::windowRowId(e.id, meta::windowEndingAt(e.endSeconds));
}

// Everything one job trains with, set up once and passed down to each step: the options as given
// (never copied), the device and the group, the data, the model with its optimizer and schedule,
// and the state the next checkpoint records.
struct Session {
  Session(const TrainOptions& options, const meta::Job& job) : o(options), job(job) {}
  const TrainOptions& o;
  const meta::Job& job;
  bool cuda = false;
  torch::Device device{torch::kCPU};
  std::unique_ptr<dist::Communicator> host, nccl;
  std::unique_ptr<DataParallel> dp;
  std::unique_ptr<dataset::TrainingData> data;
  fs::path dir;  // WORK/models/<job>
  model::Classifier net{nullptr};
  model::Classifier average{nullptr};     // --ema-decay: the moving average of net (null: off)
  std::vector<model::ParamGroup> groups;  // layer-decay groups, in the optimizer's order
  std::vector<torch::Tensor> params;      // all of them, flat
  std::unique_ptr<torch::optim::AdamW> optimizer;
  std::unique_ptr<Distiller> distil;  // --distil: the teacher's term (null: off)
  int64_t stepsPerEpoch = 0;
  LrSchedule schedule;
  TrainState state;
  std::map<std::string, std::string> storeFeatures;  // the clip store's mel parameters
  std::map<std::string, std::string> normalisation;  // the data's input normalisation, described
  const std::vector<std::string>& classes() const { return data->species().labels; }
  // The weights evaluated each epoch and kept as the checkpoint's weights.pt: the average's, if any.
  model::Classifier& kept() { return average ? average : net; }
  // What a checkpoint holds beyond the kept model and the optimizer: the training weights when they
  // are not the kept ones, the distillation head.
  std::function<void(const fs::path&)> saveExtra() const {
    if (!distil && !average) return {};
    return [this](const fs::path& checkpoint) {
      if (average) model::saveWeights(*net, checkpoint / "train_weights.pt");
      if (distil) distil->save(checkpoint);
    };
  }
};

// Where the next epoch starts: step 0, or (after a mid-epoch stop) the step and loss sum reached.
struct Position {
  int64_t step = 0;
  double lossSum = 0;
};

// Set up, 1: the device and the group (MPI for host memory, NCCL for the gradients on CUDA; this
// process alone without one), torch's threads and determinism.
void openGroup(Session& s, const JobGroup& group) {
  const std::string& device = s.o.device;
  s.cuda = model::usesCuda(device);
  if (device == "cuda" && !torch::cuda::is_available()) throw UsageError("train: --device cuda, but CUDA is not available");
  s.device = s.cuda ? torch::Device(torch::kCUDA, int8_t(group.cudaDevice)) : torch::Device(torch::kCPU);
  dist::CommOptions commOptions;
  commOptions.timeoutSeconds = s.o.collectiveTimeout;
  commOptions.name = s.job.name() + (group.label.empty() ? "" : ", " + group.label);
  commOptions.device = group.cudaDevice;
  s.host = dist::makeMpiCommunicator(group.ranks, commOptions);  // the local stand-in when alone
  if (s.cuda && !group.ranks.alone()) s.nccl = dist::makeNcclCommunicator(group.ranks, commOptions);
  s.dp = std::make_unique<DataParallel>(*s.host, s.nccl ? *s.nccl : *s.host);
  at::set_num_threads(resolvedThreads(s.o.threads));
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
}

// Set up, 2: the fold's data (the rows it left out go into report.json, step 4).
void openData(Session& s) {
  const dataset::DataOptions options = s.o.dataFor(s.job.fold);
  s.data = std::make_unique<dataset::TrainingData>(options);
  s.normalisation = options.normalisation.describe();
  s.storeFeatures = dataset::melOptionsOf(*s.data->source().clips).describe();
  s.dir = s.o.work / "models" / s.job.name();
  ensureDir(s.dir);
  if (s.dp->isRoot()) clearStaleTemporaries({s.dir}, s.job.name());
}

// --layer-decay resolved (auto: on for pretrained weights): given now, or recorded by the checkpoint
// a resume continues (which need not name them again).
double layerDecayOf(const Session& s) {
  bool pretrained = !s.o.backboneWeightsFor(s.job.backbone).empty();
  if (const auto last = s.o.resume ? checkpointDir(s.dir, "last") : std::nullopt; last && !pretrained)
    pretrained = readState(*last).config.backboneWeights.has_value();
  return s.o.layerDecayFor(pretrained);
}

// Set up, 3: the model (seeded), AdamW over its layer-decay groups, the schedule, the fresh state.
void buildModel(Session& s) {
  const TrainOptions& o = s.o;
  torch::manual_seed(o.seed);
  model::ModelOptions modelOptions = o.modelFor(s.job.backbone, int(s.classes().size()));
  if (o.resume && checkpointDir(s.dir, "last")) modelOptions.backboneWeights.clear();  // the checkpoint holds them
  s.net = model::makeModel(modelOptions);
  s.net->to(s.device);
  if (o.emaDecay > 0) {
    // Built without drawing from the generator: the training run is the one without --ema-decay.
    at::Generator cpu = at::globalContext().defaultGenerator(at::kCPU);
    const torch::Tensor generator = cpu.get_state();
    modelOptions.backboneWeights.clear();  // copied from net in resume()
    s.average = model::makeModel(modelOptions);
    s.average->to(s.device);
    cpu.set_state(generator);
  }
  s.groups = model::layerDecayGroups(*s.net, layerDecayOf(s), o.weightDecay);
  s.optimizer = std::make_unique<torch::optim::AdamW>(model::adamwParamGroups(s.groups, torch::optim::AdamWOptions(o.lr)));
  for (const auto& g : s.groups) s.params.insert(s.params.end(), g.params.begin(), g.params.end());
  s.distil = makeDistiller(o, *s.data, s.net, s.device);
  if (s.distil) s.distil->join(*s.optimizer, s.params);

  const int64_t examples = int64_t(s.data->plan(1).share(s.dp->rank(), s.dp->size(), true).size());
  s.stepsPerEpoch = (examples + o.batchSize - 1) / o.batchSize;
  if (o.maxStepsPerEpoch > 0) s.stepsPerEpoch = std::min(s.stepsPerEpoch, o.maxStepsPerEpoch);
  s.schedule = {o.lr, o.minLr, int64_t(std::llround(o.warmupEpochs * double(s.stepsPerEpoch))), s.stepsPerEpoch * o.epochs};
  s.schedule.validate();

  s.state.seed = o.seed;
  s.state.config = jobConfig(o, s.job, s.stepsPerEpoch, s.dp->size());
  s.state.config.layerDecay = layerDecayOf(s);  // a resume that does not name the weights again
  s.state.features = s.storeFeatures;
  for (const auto& [k, v] : s.normalisation) s.state.features[k] = v;
}

// Set up, 4: report.json: the rows the fold's data left out, and the weights the backbone started
// from (file and sha256, as the checkpoints record them).
void writeJobReport(const Session& s) {
  if (!s.dp->isRoot()) return;
  json issues = json::array();
  for (const auto& i : s.data->split().issues)
    issues.push_back({{"file", i.file}, {"line", i.line}, {"kind", i.kind}, {"reason", i.reason}});
  json report = {{"job", s.job.name()}, {"issues", issues}};
  if (const auto& weights = s.state.config.backboneWeights) {
    report["backbone_weights"] = {{"file", weights->file}, {"sha256", weights->sha256}};
    CHORUS_LOG(Info) << s.job.name() << ": the backbone starts from " << weights->file << " (sha256 " << weights->sha256 << ")";
  }
  writeFileAtomic(s.dir / "report.json", report.dump(1) + "\n");
  if (!issues.empty())
    CHORUS_LOG(Warn) << s.job.name() << ": " << issues.size() << " rows left out, named in " << (s.dir / "report.json").string();
}

// Resume: with --resume, the last checkpoint's weights, optimizer, generators and state (refused
// when its features or options differ from this run's); then the root's model on every rank.
Position resume(Session& s) {
  Position at;
  const auto last = s.o.resume ? checkpointDir(s.dir, "last") : std::nullopt;
  if (last) {
    TrainState saved = readState(*last);
    requireSameFeatures(saved, last->string(), s.storeFeatures, s.data->source().clips->path().string());
    requireSameConfig(saved.config, s.state.config, last->string());
    loadCheckpoint(*last, *s.net, *s.optimizer, s.average ? &*s.average : nullptr);
    if (s.distil) s.distil->load(*last);
    s.state = saved;
    if (s.dp->isRoot() && repairBestPointer(s.dir, saved))
      CHORUS_LOG(Warn) << s.job.name() << ": best.json did not name best epoch " << saved.bestEpoch << "; repaired";
    if (s.state.partial) {
      const auto& sums = s.state.partialLosses;  // this rank's; an older checkpoint kept the group mean
      const double mine = sums.size() == size_t(s.dp->size()) ? sums[size_t(s.dp->rank())] : sums.empty() ? 0 : sums[0];
      at = {s.state.step - int64_t(s.state.epoch) * s.stepsPerEpoch, mine};
      s.state.partial = false, s.state.partialLosses.clear();
    }
    CHORUS_LOG(Info) << s.job.name() << ": resumed after epoch " << s.state.epoch << " (step " << s.state.step << ")";
  }
  s.dp->broadcastFromRoot(*s.net);  // one model on every rank (seeded alike already; on CUDA also bit-equal)
  if (s.average && !last) copyWeights(*s.average, *s.net);  // the average starts at the initial weights
  if (s.average) s.dp->broadcastFromRoot(*s.average);
  if (s.distil) s.distil->broadcastFromRoot(*s.dp);
  return at;
}

// One optimizer step on the batch of slots [first, first + b) of `order`; its loss.
double trainStep(Session& s, const std::vector<dataset::Slot>& order, size_t first, int epoch) {
  const int64_t b = int64_t(std::min(order.size() - first, size_t(s.o.batchSize)));
  const int64_t F = s.data->mels(), T = s.data->frames(), K = int64_t(s.classes().size());
  torch::Tensor mel = torch::empty({b, 1, F, T}), target = torch::empty({b, K});
  const std::vector<dataset::Slot> slots(order.begin() + long(first), order.begin() + long(first) + b);
  s.data->batch(slots, dataset::Mode::Train, epoch, mel.data_ptr<float>(), target.data_ptr<float>());
  const double lr = s.schedule.at(s.state.step);
  for (size_t g = 0; g < s.groups.size(); ++g)
    static_cast<torch::optim::AdamWOptions&>(s.optimizer->param_groups()[g].options()).lr(lr * s.groups[g].lrScale);
  if (s.distil) s.distil->setLr(*s.optimizer, lr);
  s.optimizer->zero_grad();
  torch::Tensor logits, features;  // features: only where the distillation's cosine term needs them
  {
    Autocast autocast(s.cuda);
    if (s.distil) std::tie(logits, features) = s.distil->forward(s.net, mel.to(s.device));
    else logits = s.net->forward(mel.to(s.device));
  }
  torch::Tensor loss = model::multiLabelLoss(logits.to(torch::kFloat), target.to(s.device), s.o.loss);
  if (s.distil) loss = s.distil->addTerm(loss, logits, features, slots, epoch);
  loss.backward();
  s.dp->averageGradients(s.params);
  if (s.o.gradClip > 0) torch::nn::utils::clip_grad_norm_(s.params, s.o.gradClip);
  s.optimizer->step();
  if (s.average) updateAverage(*s.average, *s.net, s.o.emaDecay);
  ++s.state.step;
  return loss.item<double>();
}

// Stopped between steps: a mid-epoch checkpoint the next --resume continues from, then exit.
[[noreturn]] void stopMidEpoch(Session& s, double lossSum) {
  s.dp->averageBuffers(*s.net);  // running statistics update linearly: averaging now or later agrees
  if (s.average) s.dp->averageBuffers(*s.average);  // so does their moving average
  TrainState partial = s.state;
  partial.partial = true, partial.partialLosses = gatherByRank(*s.dp, lossSum);
  if (s.dp->isRoot()) saveCheckpoint(s.dir, {"last"}, partial, *s.kept(), *s.optimizer, s.saveExtra());
  s.dp->requireSameModel(*s.net);  // also waits for the root's checkpoint
  throwStopped(s.job, s.state.step);
}

struct EpochRun {
  double lossSum = 0;  // this rank's, over every step of the epoch (those before a resume included)
  double lr = 0;       // the rate of the last step
};

// Epoch: the training steps from `at`, logged with their throughput (what tools/bench_dp.sh reads
// to rate data parallelism); the running statistics averaged and the ranks checked to agree.
EpochRun trainEpoch(Session& s, int epoch, Position at) {
  const auto started = std::chrono::steady_clock::now();
  const auto order = s.data->plan(epoch).share(s.dp->rank(), s.dp->size(), true);
  s.net->train();
  EpochRun run{at.lossSum, 0};
  const double reduceSecondsBefore = s.dp->gradientSeconds();
  for (int64_t step = at.step; step < s.stepsPerEpoch; ++step) {
    run.lr = s.schedule.at(s.state.step);
    run.lossSum += trainStep(s, order, size_t(step) * size_t(s.o.batchSize), epoch);
    if (s.dp->anyRank(StopSignals::received() != 0) && step + 1 < s.stepsPerEpoch) stopMidEpoch(s, run.lossSum);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const int64_t steps = s.stepsPerEpoch - at.step, ranks = s.dp->size();
  if (s.dp->isRoot())
    CHORUS_LOG(Info) << s.job.name() << " epoch " << epoch << " steps: " << steps << " x " << s.o.batchSize << " x "
                     << ranks << " ranks in " << seconds << " s, " << double(steps * s.o.batchSize * ranks) / seconds
                     << " samples/s"
                     << (ranks > 1 ? ", gradient all-reduce " + std::to_string(s.dp->gradientSeconds() - reduceSecondsBefore) + " s"
                                   : std::string());
  if (s.distil) s.distil->endEpoch(*s.dp, s.dir, epoch);
  s.dp->averageBuffers(*s.net);
  if (s.average) s.dp->averageBuffers(*s.average);
  if (ranks > 1) s.dp->requireSameModel(*s.net);
  return run;
}

struct Scored {
  meta::EpochMetrics metrics;
  torch::Tensor prob;  // held-out rows x classes: the out-of-fold predictions of this epoch
};

// Evaluate: the held-out clips and soundscape windows, scored apart; the epoch's metrics row.
Scored evaluateEpoch(Session& s, int epoch, const EpochRun& run, std::chrono::steady_clock::time_point started) {
  Evaluation ev = evaluate(s.kept(), *s.data, s.o, s.device, *s.dp);
  meta::EpochMetrics m;
  m.epoch = epoch, m.step = s.state.step, m.lr = run.lr;
  m.trainLoss = groupMean(*s.dp, run.lossSum) / double(s.stepsPerEpoch);
  std::vector<size_t> clipRows, scapeRows;
  const auto& valid = s.data->split().valid.examples;
  for (size_t i = 0; i < valid.size(); ++i) (valid[i].source == dataset::Source::Clip ? clipRows : scapeRows).push_back(i);
  torch::Tensor prob = torch::sigmoid(ev.logits);
  if (!valid.empty()) m.valLoss = model::multiLabelLoss(ev.logits, ev.targets, s.o.loss).item<double>();
  m.clipAuc = scoreRows(clipRows, prob, ev.targets, s.classes());
  m.soundscapeAuc = scoreRows(scapeRows, prob, ev.targets, s.classes());
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return {m, prob};
}

// The out-of-fold rows of `prob`, in held-out order.
std::vector<OofRow> oofRows(const Session& s, const torch::Tensor& prob) {
  const auto& valid = s.data->split().valid.examples;
  const int64_t K = int64_t(s.classes().size());
  std::vector<OofRow> rows;
  for (size_t i = 0; i < valid.size(); ++i) {
    const float* p = prob[int64_t(i)].data_ptr<float>();
    rows.push_back({valid[i].source == dataset::Source::Clip ? "clip" : "soundscape", validRowId(valid[i]),
                    std::vector<float>(p, p + K)});
  }
  return rows;
}

// Keep: the epoch joins the state (best so far or not, early stopping), then the root writes its
// out-of-fold predictions when it is the best, the checkpoint and metrics.csv.
void keep(Session& s, const Scored& scored) {
  const meta::EpochMetrics& m = scored.metrics;
  TrainState& state = s.state;
  state.metrics.push_back(m);
  state.epoch = m.epoch;
  std::vector<std::string> pointers = {"last"};
  const bool best = meta::betterThanBest(m, state.bestEpoch, state.bestScore);
  if (best) {
    state.bestScore = meta::headlineScore(m), state.bestEpoch = m.epoch, state.sinceBest = 0;
    pointers.push_back("best");
  } else {
    ++state.sinceBest;
  }
  state.finished = state.epoch >= s.o.epochs || (s.o.patience > 0 && state.sinceBest >= s.o.patience);
  if (s.dp->isRoot()) {
    // The files the checkpoint vouches for first, the checkpoint (its last.json: the job's marker)
    // last: a kill before it redoes the epoch and rewrites them alike.
    if (best) writeOofCsv(s.dir / "oof.csv", s.job.fold, s.classes(), oofRows(s, scored.prob));
    writeFileAtomic(s.dir / "metrics.csv", meta::metricsCsv(state.metrics));
    saveCheckpoint(s.dir, pointers, state, *s.kept(), *s.optimizer, s.saveExtra());
    CHORUS_LOG(Info) << s.job.name() << " epoch " << m.epoch << "/" << s.o.epochs << ": train loss " << m.trainLoss
                     << ", val loss " << m.valLoss << ", clip AUC " << m.clipAuc << ", soundscape AUC "
                     << m.soundscapeAuc << ", " << m.seconds << " s";
  }
}

// Stop: after a stop signal on any rank, the epoch's checkpoint being written, exit resumable.
void stopIfSignalled(Session& s) {
  if (!s.dp->anyRank(StopSignals::received() != 0) || s.state.finished) return;
  s.dp->requireSameModel(*s.net);
  throwStopped(s.job, s.state.step);
}

}  // namespace

JobResult trainJob(const TrainOptions& options, const meta::Job& job, const JobGroup& group) {
  options.validate();
  Session s(options, job);
  openGroup(s, group);
  StopSignals stopSignals;
  openData(s);
  buildModel(s);
  writeJobReport(s);
  Position at = resume(s);

  int ranThisRun = 0;
  double secondsThisRun = 0;
  while (!s.state.finished && s.state.epoch < options.epochs && (options.stopAfter == 0 || ranThisRun < options.stopAfter)) {
    const auto started = std::chrono::steady_clock::now();
    const int epoch = s.state.epoch + 1;
    const EpochRun run = trainEpoch(s, epoch, at);
    at = {};
    const Scored scored = evaluateEpoch(s, epoch, run, started);
    keep(s, scored);
    ++ranThisRun, secondsThisRun += scored.metrics.seconds;
    stopIfSignalled(s);
  }

  JobResult result;
  result.job = job, result.dir = s.dir, result.issues = s.data->split().issues.size();
  result.finished = s.state.finished, result.epochs = s.state.epoch;
  result.bestScore = s.state.bestScore, result.bestEpoch = s.state.bestEpoch;
  result.secondsPerEpoch = ranThisRun ? secondsThisRun / ranThisRun : 0;
  result.modelDigest = s.dp->requireSameModel(*s.net);
  return result;
}

}  // namespace chorus::train
