#include "model/heads.hpp"

#include "core/error.hpp"

namespace chorus::model {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

void requireMap(const torch::Tensor& features, const char* head) {
  if (features.dim() != 4)
    throw Error(std::string(head) + " head needs an N×D×F×T feature map, got " + std::to_string(features.dim()) +
                " dimensions");
}

// The reference models' init_layer: Xavier-uniform weights, zero bias.
template <class Layer>
Layer xavier(Layer layer) {
  torch::NoGradGuard noGrad;
  nn::init::xavier_uniform_(layer->weight);
  layer->bias.zero_();
  return layer;
}

class AttBlockImpl : public nn::Module {
 public:
  AttBlockImpl(int64_t in, int64_t classes)
      : att(register_module("att", xavier(nn::Conv1d(nn::Conv1dOptions(in, classes, 1))))),
        cla(register_module("cla", xavier(nn::Conv1d(nn::Conv1dOptions(in, classes, 1))))) {}
  nn::Conv1d att, cla;
};
TORCH_MODULE(AttBlock);

class SedHead : public Head {
 public:
  SedHead(int64_t in, int64_t classes, double dropRate, int64_t hidden)
      : fc1(register_module("fc1", xavier(nn::Linear(in, hidden)))),
        att_block(register_module("att_block", AttBlock(hidden, classes))),
        dropRate_(dropRate) {}

  HeadOutput forward(const torch::Tensor& features) override {
    requireMap(features, "SED");
    auto x = features.mean(2);
    x = F::max_pool1d(x, F::MaxPool1dFuncOptions(3).stride(1).padding(1)) +
        F::avg_pool1d(x, F::AvgPool1dFuncOptions(3).stride(1).padding(1));
    x = F::dropout(x, F::DropoutFuncOptions().p(dropRate_).training(is_training()));
    x = torch::relu(fc1(x.transpose(1, 2))).transpose(1, 2);
    x = F::dropout(x, F::DropoutFuncOptions().p(dropRate_).training(is_training()));
    HeadOutput out;
    out.attention = torch::softmax(torch::tanh(att_block->att(x)), -1);
    out.frames = att_block->cla(x);
    out.clip = (out.attention * out.frames).sum(2);
    return out;
  }

  nn::Linear fc1;
  AttBlock att_block;

 private:
  double dropRate_;
};

class PooledHead : public Head {
 public:
  PooledHead(int64_t in, int64_t classes, double dropRate) : fc(register_module("fc", nn::Linear(in, classes))), dropRate_(dropRate) {}

  HeadOutput forward(const torch::Tensor& features) override {
    requireMap(features, "pooled");
    const auto perFrame = features.mean(2);  // N×D×T
    HeadOutput out;
    out.clip = fc(F::dropout(perFrame.mean(2), F::DropoutFuncOptions().p(dropRate_).training(is_training())));
    out.frames = fc(perFrame.transpose(1, 2)).transpose(1, 2);
    return out;
  }

  nn::Linear fc;

 private:
  double dropRate_;
};

class LogitsHead : public Head {
 public:
  explicit LogitsHead(int64_t classes) : classes_(classes) {}

  HeadOutput forward(const torch::Tensor& logits) override {
    if (logits.dim() != 2 || logits.size(1) != classes_)
      throw Error("the TorchScript model must return N×" + std::to_string(classes_) + " clip logits, got shape " +
                  c10::str(logits.sizes()));
    return {logits, {}, {}};
  }

 private:
  int64_t classes_;
};

}  // namespace

std::shared_ptr<Head> makeSedHead(int64_t inFeatures, int64_t numClasses, double dropRate, int64_t hidden) {
  return std::make_shared<SedHead>(inFeatures, numClasses, dropRate, hidden > 0 ? hidden : inFeatures);
}

std::shared_ptr<Head> makePooledHead(int64_t inFeatures, int64_t numClasses, double dropRate) {
  return std::make_shared<PooledHead>(inFeatures, numClasses, dropRate);
}

std::shared_ptr<Head> makeLogitsHead(int64_t numClasses) { return std::make_shared<LogitsHead>(numClasses); }

}  // namespace chorus::model
