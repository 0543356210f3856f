// A TorchScript module (a timm model exported by tools/export_timm.py, or anything else) behind the
// Backbone interface. The scripted module keeps running its own code; we mirror its module tree
// with plain nn::Modules holding the very same parameter and buffer tensors, so everything that
// walks nn::Module (optimizers, checkpoints, layer-decay groups, to(device)) reaches them.
#include "core/error.hpp"
#include "model/backbone.hpp"

#include <torch/script.h>

#include <filesystem>

namespace chorus::model {
namespace {

void mirror(const torch::jit::Module& script, torch::nn::Module& into) {
  for (const auto& p : script.named_parameters(/*recurse=*/false))
    into.register_parameter(p.name, p.value, p.value.requires_grad());
  for (const auto& b : script.named_buffers(/*recurse=*/false)) into.register_buffer(b.name, b.value);
  for (const auto& child : script.named_children()) {
    auto node = std::make_shared<torch::nn::Module>();
    mirror(child.value, *node);
    into.register_module(child.name, node);
  }
}

class TorchScriptBackbone : public Backbone {
 public:
  TorchScriptBackbone(const std::string& path, ScriptRole role, int64_t inChannels) : path_(path) {
    if (!std::filesystem::is_regular_file(path)) throw InputError(path, 0, "TorchScript model file not found");
    try {
      script_ = torch::jit::load(path, torch::kCPU);
    } catch (const c10::Error& e) {
      throw InputError(path, 0, std::string("not a loadable TorchScript module: ") + e.what_without_backtrace());
    }
    mirror(script_, *this);
    useFeatures_ = role == ScriptRole::Features && script_.find_method("forward_features").has_value();
    if (role == ScriptRole::Features) numFeatures_ = probeFeatures(inChannels);
  }

  torch::Tensor forward(const torch::Tensor& mel) override {
    auto out = useFeatures_ ? script_.get_method("forward_features")({mel}) : script_.forward({mel});
    if (!out.isTensor()) throw Error(path_ + ": TorchScript module did not return a tensor");
    return out.toTensor();
  }

  int64_t numFeatures() const override { return numFeatures_; }

  void train(bool on) override {
    script_.train(on);
    Backbone::train(on);
  }

  void to(torch::Device device, torch::Dtype dtype, bool nonBlocking = false) override {
    script_.to(device, dtype, nonBlocking);
    Backbone::to(device, dtype, nonBlocking);
  }
  void to(torch::Dtype dtype, bool nonBlocking = false) override {
    script_.to(dtype, nonBlocking);
    Backbone::to(dtype, nonBlocking);
  }
  void to(torch::Device device, bool nonBlocking = false) override {
    script_.to(device, nonBlocking);
    Backbone::to(device, nonBlocking);
  }

 private:
  // The channel count of the feature map, from one forward pass on a 5 s window (128×313) in
  // eval mode; the module's training flag is restored afterwards.
  int64_t probeFeatures(int64_t inChannels) {
    torch::NoGradGuard noGrad;
    const bool wasTraining = script_.is_training();
    script_.eval();
    auto features = forward(torch::zeros({1, inChannels, 128, 313}));
    script_.train(wasTraining);
    if (features.dim() != 4)
      throw InputError(path_, 0, "the TorchScript backbone must return an N×C×F×T feature map, got " +
                                     std::to_string(features.dim()) + " dimensions");
    return features.size(1);
  }

  std::string path_;
  torch::jit::Module script_;
  bool useFeatures_ = false;
  int64_t numFeatures_ = 0;
};

}  // namespace

std::shared_ptr<Backbone> makeTorchScriptBackbone(const std::string& path, ScriptRole role, int64_t inChannels) {
  return std::make_shared<TorchScriptBackbone>(path, role, inChannels);
}

}  // namespace chorus::model
