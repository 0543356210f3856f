// The libtorch engine: a batch of windows through the Classifier itself, loaded from the
// checkpoint's weights.pt, its BatchNorms folded and its weights made channels-last.
#include "infer/torch/torch_engine.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "infer/ensemble_impl.hpp"
#include "model/backbone_weights.hpp"
#include "model/checkpoint.hpp"
#include "model/layers.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {

class TorchEngine : public Engine {
 public:
  TorchEngine(model::Classifier net, torch::Device device, bool channelsLast)
      : net_(std::move(net)), device_(device), channelsLast_(channelsLast) {}

  std::vector<float> logits(const float* windows, int64_t n, int64_t channels, int64_t mels, int64_t frames) override {
    c10::InferenceMode inference;  // no autograd bookkeeping at all (cheaper than NoGradGuard)
    torch::Tensor x = torch::from_blob(const_cast<float*>(windows), {n, channels, mels, frames}).to(device_);
    if (channelsLast_) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    const torch::Tensor out = net_->forward(x).to(torch::kCPU, torch::kFloat).contiguous();
    return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
  }
  std::string name() const override { return "torch"; }
  const model::Classifier& net() const { return net_; }

 private:
  model::Classifier net_;
  torch::Device device_;
  bool channelsLast_;
};

// A copy of `t` whose strides really are NHWC. t.contiguous(ChannelsLast) is a no-op for a tensor
// with one channel (the stem's weight for a 1-channel mel): its NCHW strides already count as
// channels-last-contiguous, so the stem convolution chose NCHW and every later layer followed.
torch::Tensor nhwc(const torch::Tensor& t) { return torch::empty_like(t, torch::MemoryFormat::ChannelsLast).copy_(t); }

}  // namespace

std::unique_ptr<Engine> loadTorchEngine(const fs::path& dir, const model::ModelOptions& mo, const TorchEngineOptions& o) {
  if (o.cuda && !torch::cuda::is_available()) throw UsageError("infer: --device cuda, but CUDA is not available");
  const torch::Device device = o.cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  model::Classifier net = model::makeModel(mo);
  model::loadWeights(*net, dir / "weights.pt");  // strict: a head of another class count fails, naming the file
  net->eval();
  net->to(device);
  if (o.foldBatchNorm) {
    const int folded = foldBatchNorms(*net);
    CHORUS_LOG(Debug) << dir.string() << ": " << folded << " BatchNorms folded into their convolutions";
  }
  if (o.channelsLast) {
    torch::NoGradGuard noGrad;
    for (auto& t : net->parameters()) if (t.dim() == 4) t.set_data(nhwc(t));
    for (auto& t : net->buffers()) if (t.dim() == 4) t.set_data(nhwc(t));
  }
  return std::make_unique<TorchEngine>(std::move(net), device, o.channelsLast);
}

const model::Classifier* torchNetOf(const Engine& engine) {
  const auto* torchEngine = dynamic_cast<const TorchEngine*>(&engine);
  return torchEngine ? &torchEngine->net() : nullptr;
}

bool torchBuilt() { return true; }

void setTorchThreads(int threads) { at::set_num_threads(threads); }

void writeSafetensorsFromWeightsPt(const model::ModelOptions& mo, const fs::path& weightsPt, const fs::path& safetensors) {
  model::Classifier net = model::makeModel(mo);
  model::loadWeights(*net, weightsPt);
  model::writeTimmSafetensors(*net, safetensors);
}

// foldBatchNorms (torch_engine.hpp): w' = w * g / sqrt(var + eps) per
// output channel, b' = (b - mean) * g / sqrt(var + eps) + beta, and the BatchNorm then passes its
// input through. Saves one full read and write of every normalised activation map (EfficientNet-B0:
// ~1.3x at one thread). Pairs are a module's consecutive children, SameConv2d then TfBatchNorm2d
// (registration order is data-flow order in our backbones; tests/infer checks the logits against
// the unfolded model). Inference only: training never sees a folded BatchNorm.
int foldBatchNorms(torch::nn::Module& module) {
  torch::NoGradGuard noGrad;
  int folded = 0;
  std::shared_ptr<torch::nn::Module> previous;
  for (const auto& child : module.children()) {
    auto* conv = previous ? previous->as<model::SameConv2dImpl>() : nullptr;
    auto* bn = child->as<model::TfBatchNorm2dImpl>();
    if (conv && bn && !bn->folded && !bn->is_training() && conv->weight.size(0) == bn->options.num_features()) {
      const auto scale = bn->weight / torch::sqrt(bn->running_var + bn->options.eps());
      const auto bias = conv->bias.defined() ? conv->bias : torch::zeros_like(bn->running_mean);
      conv->weight.set_data(conv->weight * scale.view({-1, 1, 1, 1}));
      const auto shifted = (bias - bn->running_mean) * scale + bn->bias;
      if (conv->bias.defined()) conv->bias.set_data(shifted);
      else conv->bias = conv->register_parameter("bias", shifted, /*requires_grad=*/false);
      bn->folded = true;
      ++folded;
    }
    folded += foldBatchNorms(*child);
    previous = child;
  }
  return folded;
}

}  // namespace chorus::infer
