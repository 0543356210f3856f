// The loop of one job: AdamW over the layer-decay groups, warmup + cosine per step, gradient
// clipping, bf16 autocast on CUDA (fp32 on CPU); after every epoch, out-of-fold scoring, metrics,
// checkpoints. One code path for CPU and CUDA; on CPU a seed and a thread count fix every number.
#include <ATen/autocast_mode.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "dataset/training_data.hpp"
#include "meta/metric.hpp"
#include "model/classifier.hpp"
#include "model/layer_decay.hpp"
#include "model/loss.hpp"
#include "stages/features.hpp"
#include "store/feature_store.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/schedule.hpp"
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

std::string configJson(const TrainOptions& o, const Job& job, int64_t stepsPerEpoch) {
  return json{{"backbone", job.backbone}, {"fold", job.fold}, {"head", o.model.head}, {"drop_rate", o.model.dropRate},
              {"drop_path_rate", o.model.dropPathRate}, {"loss", o.loss.kind == model::LossKind::Bce ? "bce" : "asl"},
              {"gamma_neg", o.loss.gammaNeg}, {"gamma_pos", o.loss.gammaPos}, {"clip", o.loss.clip},
              {"epochs", o.epochs}, {"batch_size", o.batchSize}, {"steps_per_epoch", stepsPerEpoch},
              {"lr", o.lr}, {"min_lr", o.minLr}, {"warmup_epochs", o.warmupEpochs}, {"weight_decay", o.weightDecay},
              {"layer_decay", o.layerDecay}, {"grad_clip", o.gradClip}, {"patience", o.patience},
              {"secondary_target", o.secondaryTarget}, {"augment", o.augment}, {"seed", o.seed}, {"threads", o.threads}, {"world", o.world}}
      .dump();
}

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

Evaluation evaluate(model::Classifier& net, const dataset::TrainingData& data, const TrainOptions& o,
                    torch::Device device) {
  const size_t n = data.split().valid.examples.size(), K = data.species().labels.size();
  const int64_t F = data.mels(), T = data.frames();
  Evaluation ev{torch::empty({int64_t(n), int64_t(K)}), torch::empty({int64_t(n), int64_t(K)})};
  net->eval();
  torch::NoGradGuard noGrad;
  const auto slots = dataset::inOrder(n);
  for (size_t first = 0; first < n; first += size_t(o.evalBatchSize)) {
    const int64_t b = int64_t(std::min(n - first, size_t(o.evalBatchSize)));
    torch::Tensor mel = torch::empty({b, 1, F, T});
    data.batch({slots.begin() + long(first), slots.begin() + long(first) + b}, dataset::Mode::Validate, 0,
               mel.data_ptr<float>(), ev.targets[int64_t(first)].data_ptr<float>());
    Autocast autocast(device.is_cuda());
    ev.logits.narrow(0, int64_t(first), b).copy_(net->forward(mel.to(device)).to(torch::kFloat).cpu());
  }
  net->train();
  return ev;
}

// The competition's row id of a held-out example: the clip's id, or soundscape stem + "_" + end second.
std::string validRowId(const dataset::Example& e) {
  if (e.source == dataset::Source::Clip) return e.id;
  return fs::path(e.id).stem().string() + "_" + std::to_string(std::lround(e.endSeconds));
}

}  // namespace

JobResult trainJob(const TrainOptions& o, const Job& job) {
  o.validate();
  const bool cuda = o.device == "cuda" || (o.device == "auto" && torch::cuda::is_available());
  if (o.device == "cuda" && !torch::cuda::is_available()) throw UsageError("train: --device cuda, but CUDA is not available");
  const torch::Device device = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  at::set_num_threads(o.threads);
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);

  dataset::DataOptions dataOptions;
  dataOptions.work = o.work;
  dataOptions.fold = job.fold;
  dataOptions.targets.secondary = float(o.secondaryTarget);
  dataOptions.sampler.seed = o.seed;
  if (!o.augment) dataOptions.augment = dataset::AugmentOptions::none();
  dataOptions.threads = o.threads;  // batch assembly: the same numbers whatever the thread count
  dataset::TrainingData data(dataOptions);
  const auto& classes = data.species().labels;
  const auto storeFeatures = stages::storeMelOptions(*data.source().clips).describe();
  const fs::path dir = o.work / "models" / job.name();
  ensureDir(dir);
  {
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

  const int64_t examples = int64_t(data.plan(1).share(o.rank, o.world, true).size());
  int64_t stepsPerEpoch = (examples + o.batchSize - 1) / o.batchSize;
  if (o.maxStepsPerEpoch > 0) stepsPerEpoch = std::min(stepsPerEpoch, o.maxStepsPerEpoch);
  LrSchedule schedule{o.lr, o.minLr, int64_t(std::llround(o.warmupEpochs * double(stepsPerEpoch))), stepsPerEpoch * o.epochs};
  schedule.validate();

  TrainState state;
  state.seed = o.seed;
  state.config = configJson(o, job, stepsPerEpoch);
  state.features = storeFeatures;
  for (const auto& [k, v] : dataOptions.normalisation.describe()) state.features[k] = v;
  if (o.resume) {
    if (auto last = checkpointDir(dir, "last")) {
      TrainState saved = readState(*last);
      requireSameFeatures(saved, last->string(), storeFeatures, data.source().clips->path().string());
      if (json::parse(saved.config) != json::parse(state.config))
        throw UsageError("train: " + last->string() + " was trained with other options (" + saved.config +
                         "); resume with the same ones");
      loadCheckpoint(*last, *net, optimizer);
      state = saved;
      CHORUS_LOG(Info) << job.name() << ": resumed after epoch " << state.epoch << " (step " << state.step << ")";
    }
  }

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
    double lossSum = 0, lr = 0;
    for (int64_t s = 0; s < stepsPerEpoch; ++s) {
      const size_t first = size_t(s) * size_t(o.batchSize);
      const int64_t b = int64_t(std::min(order.size() - first, size_t(o.batchSize)));
      torch::Tensor mel = torch::empty({b, 1, F, T}), target = torch::empty({b, K});
      data.batch({order.begin() + long(first), order.begin() + long(first) + b}, dataset::Mode::Train, epoch,
                 mel.data_ptr<float>(), target.data_ptr<float>());
      lr = schedule.at(state.step);
      for (size_t g = 0; g < groups.size(); ++g)
        static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[g].options()).lr(lr * groups[g].lrScale);
      optimizer.zero_grad();
      torch::Tensor logits;
      {
        Autocast autocast(cuda);
        logits = net->forward(mel.to(device));
      }
      torch::Tensor loss = model::multiLabelLoss(logits.to(torch::kFloat), target.to(device), o.loss);
      loss.backward();
      if (o.gradClip > 0) torch::nn::utils::clip_grad_norm_(params, o.gradClip);
      optimizer.step();
      lossSum += loss.item<double>();
      ++state.step;
    }

    Evaluation ev = evaluate(net, data, o, device);
    EpochMetrics m;
    m.epoch = epoch, m.step = state.step, m.lr = lr, m.trainLoss = lossSum / double(stepsPerEpoch);
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
      writeOofCsv(dir / "oof.csv", job.fold, classes, rows);
    } else {
      ++state.sinceBest;
    }
    state.finished = state.epoch >= o.epochs || (o.patience > 0 && state.sinceBest >= o.patience);
    saveCheckpoint(dir, pointers, state, *net, optimizer);
    writeFileAtomic(dir / "metrics.csv", metricsCsv(state.metrics));
    CHORUS_LOG(Info) << job.name() << " epoch " << epoch << "/" << o.epochs << ": train loss " << m.trainLoss
                     << ", val loss " << m.valLoss << ", clip AUC " << m.clipAuc << ", soundscape AUC "
                     << m.soundscapeAuc << ", " << m.seconds << " s";
    ++ranThisRun;
    secondsThisRun += m.seconds;
  }
  result.finished = state.finished, result.epochs = state.epoch;
  result.bestScore = state.bestScore, result.bestEpoch = state.bestEpoch;
  result.secondsPerEpoch = ranThisRun ? secondsThisRun / ranThisRun : 0;
  return result;
}

}  // namespace chorus::train
