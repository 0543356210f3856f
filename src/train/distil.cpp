#include "train/distil.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/parse_number.hpp"
#include "model/checkpoint.hpp"
#include "model/safetensors_io.hpp"

namespace chorus::train {
namespace fs = std::filesystem;

std::vector<std::optional<size_t>> teacherRowsOf(const dataset::TrainingData& data, const store::TeacherWindows& windows,
                                                 const std::vector<dataset::Slot>& slots, int64_t epoch) {
  const auto& source = data.source();
  std::vector<std::optional<size_t>> rows;
  rows.reserve(slots.size());
  for (const auto& slot : slots) {
    const dataset::Example& e = data.split().train.examples.at(slot.example);
    if (e.source == dataset::Source::Soundscape) {
      rows.push_back(windows.find(e.id, e.endSeconds));
      continue;
    }
    const int64_t start = dataset::exampleStartFrame(source, e, slot, dataset::Mode::Train, epoch);
    rows.push_back(windows.containing(e.id, (double(start) + 0.5 * source.frames) / source.framesPerSecond));
  }
  return rows;
}

namespace {

store::TeacherStore alignedStore(const TrainOptions& o, const dataset::TrainingData& data) {
  store::TeacherStore s = store::alignClasses(store::readTeacherStore(o.distil), data.species().labels);
  if (s.coveredCount() == 0) throw InputError("train: --distil " + o.distil.string() + " covers none of our classes");
  return s;
}

torch::Tensor fromFloats(const std::vector<float>& values, int64_t rows, int64_t cols, torch::Device device) {
  return torch::from_blob(const_cast<float*>(values.data()), {rows, cols}, torch::kFloat).clone().to(device);
}

}  // namespace

Distiller::Distiller(const TrainOptions& o, const dataset::TrainingData& data, model::Classifier& net, torch::Device device)
    : options_(o.distillation),
      data_(data),
      store_(alignedStore(o, data)),
      windows_(store_),
      device_(device),
      weightDecay_(o.weightDecay) {
  if (store_.embeddingDim > 0) {
    // Built from the global generator's current state, which is then put back: the student's
    // dropout, augmentation and everything after draw exactly what they would without distillation.
    at::Generator cpu = at::globalContext().defaultGenerator(at::kCPU);
    const at::Tensor state = cpu.get_state();
    head_ = model::ProjectionHead(net->backbone().numFeatures(), int64_t(store_.embeddingDim));
    cpu.set_state(state);
    head_->to(device);
  }
  CHORUS_LOG(Info) << "distillation from " << store_.name << " (" << o.distil.string() << "): " << store_.rows()
                   << " windows, " << store_.coveredCount() << " of " << store_.classCount() << " classes"
                   << (head_ ? ", embeddings of " + std::to_string(store_.embeddingDim) + " values" : std::string())
                   << "; weight " << options_.weight << ", temperature " << options_.temperature;
}

void Distiller::join(torch::optim::AdamW& optimizer, std::vector<torch::Tensor>& params) {
  if (!head_) return;
  const auto& base = static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups().front().options());
  auto options = std::make_unique<torch::optim::AdamWOptions>(base);
  options->weight_decay(weightDecay_);
  group_ = optimizer.param_groups().size();
  optimizer.add_param_group(torch::optim::OptimizerParamGroup(head_->parameters(), std::move(options)));
  for (const auto& p : head_->parameters()) params.push_back(p);
}

void Distiller::setLr(torch::optim::AdamW& optimizer, double lr) const {
  if (head_) static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[group_].options()).lr(lr);
}

std::pair<torch::Tensor, torch::Tensor> Distiller::forward(model::Classifier& net, const torch::Tensor& mel) const {
  if (!head_) return {net->forward(mel), torch::Tensor()};
  torch::Tensor features = net->backbone().forward(mel);  // what net->forward does, keeping the features
  torch::Tensor logits = net->head().forward(features).clip;
  return {logits, features};
}

torch::Tensor Distiller::addTerm(const torch::Tensor& supervised, const torch::Tensor& logits, const torch::Tensor& features,
                                 const std::vector<dataset::Slot>& slots, int64_t epoch) {
  const store::TeacherBatch batch = store::gatherTeacherRows(store_, teacherRowsOf(data_, windows_, slots, epoch));
  const int64_t B = int64_t(slots.size()), K = int64_t(store_.classCount()), D = int64_t(store_.embeddingDim);
  const torch::Tensor probs = fromFloats(batch.probs, B, K, device_);
  model::DistillTerms terms;
  if (head_) {
    const torch::Tensor embeddings = fromFloats(batch.embeddings, B, D, device_);
    const torch::Tensor has = torch::tensor(std::vector<int64_t>(batch.hasRow.begin(), batch.hasRow.end())).to(device_);
    terms = model::distillationLoss(supervised, logits.to(torch::kFloat), probs, options_, head_,
                                    features.to(torch::kFloat), embeddings, has);
  } else {
    terms = model::distillationLoss(supervised, logits.to(torch::kFloat), probs, options_);
  }
  seen_ += double(B);
  for (uint8_t h : batch.hasRow) covered_ += h;
  softSum_ += terms.soft.item<double>(), cosineSum_ += terms.cosine.item<double>(), steps_ += 1;
  return terms.total;
}

void Distiller::broadcastFromRoot(DataParallel& dp) {
  if (head_) dp.broadcastFromRoot(*head_);
}

void Distiller::save(const fs::path& dir) const {
  if (!head_) return;
  model::NamedTensors named;
  for (const auto& [name, t] : model::namedState(*head_)) named.emplace(kDistilPrefix + name, t);
  model::writeSafetensors(dir / kDistilWeightsName, named, {{"teacher", store_.name}});
}

void Distiller::load(const fs::path& dir) {
  if (!head_) return;
  const fs::path file = dir / kDistilWeightsName;
  if (!fs::exists(file))
    throw InputError(file.string() + ": missing; the checkpoint was not trained with this teacher's embeddings");
  model::NamedTensors named;
  const std::string prefix = kDistilPrefix;
  for (const auto& [name, t] : model::readSafetensors(file)) {
    if (name.rfind(prefix, 0) != 0) throw InputError(file.string() + ": " + name + " is not under " + prefix);
    named.emplace(name.substr(prefix.size()), t);
  }
  model::loadState(*head_, named, file.string(), /*strict=*/true);
}

void Distiller::endEpoch(DataParallel& dp, const fs::path& jobDir, int epoch) {
  torch::Tensor sums = torch::tensor({float(seen_), float(covered_), float(softSum_), float(cosineSum_), float(steps_)});
  dp.sumOnHost(sums);
  seen_ = covered_ = softSum_ = cosineSum_ = steps_ = 0;
  if (!dp.isRoot()) return;
  const fs::path file = jobDir / "distil.csv";
  std::ostringstream out;
  out << "epoch,windows,teacher_windows,soft,cosine\n";
  std::ifstream in(file);  // the rows of earlier epochs (a resumed run keeps them)
  std::string line;
  for (std::getline(in, line); std::getline(in, line);)
    if (const auto e = toInteger(line.substr(0, line.find(','))); e && *e < epoch) out << line << "\n";
  const auto s = sums.accessor<float, 1>();
  const double n = std::max(1.0f, s[4]);
  char row[160];
  std::snprintf(row, sizeof row, "%d,%.0f,%.0f,%.8g,%.8g\n", epoch, s[0], s[1], s[2] / n, s[3] / n);
  out << row;
  writeFileAtomic(file, out.str());
  CHORUS_LOG(Info) << jobDir.filename().string() << " epoch " << epoch << " distillation: " << s[1] << " of " << s[0]
                   << " windows had a teacher row, soft term " << s[2] / n << ", cosine term " << s[3] / n;
}

std::unique_ptr<Distiller> makeDistiller(const TrainOptions& o, const dataset::TrainingData& data, model::Classifier& net,
                                         torch::Device device) {
  if (o.distil.empty()) return nullptr;
  return std::make_unique<Distiller>(o, data, net, device);
}

}  // namespace chorus::train
