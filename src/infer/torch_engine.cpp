// The libtorch engine: a batch of windows through the Classifier itself (ensemble.cpp has loaded
// it, folded its BatchNorms and made its weights channels-last).
#include "infer/ensemble_impl.hpp"

namespace chorus::infer {
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

 private:
  model::Classifier net_;
  torch::Device device_;
  bool channelsLast_;
};

}  // namespace

std::unique_ptr<Engine> makeTorchEngine(model::Classifier net, torch::Device device, bool channelsLast) {
  return std::make_unique<TorchEngine>(std::move(net), device, channelsLast);
}

}  // namespace chorus::infer
