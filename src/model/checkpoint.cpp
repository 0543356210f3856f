#include "model/checkpoint.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickler.h>

#include <fstream>
#include <iterator>

namespace chorus::model {
namespace {


std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 8; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 8) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace

NamedTensors readTensorFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file.string(), 0, "cannot open tensor file");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  torch::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const c10::Error& e) {
    throw InputError(file.string(), 0, std::string("not a torch.save file: ") + e.what_without_backtrace());
  }
  if (!value.isGenericDict()) throw InputError(file.string(), 0, "expected a dict of name -> tensor");
  NamedTensors out;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isTensor())
      throw InputError(file.string(), 0, "expected a dict of name -> tensor, found another entry type");
    out.emplace(entry.key().toStringRef(), entry.value().toTensor());
  }
  return out;
}

void writeTensorFile(const std::filesystem::path& file, const NamedTensors& tensors) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [name, t] : tensors) dict.insert(name, t.detach().to(torch::kCPU).contiguous());
  // torch::pickle_save, except that the dict is pickled without TorchScript's type tag: Python's
  // torch.load (weights_only=True, its default) refuses that tag, and a plain dict is all we need.
  std::vector<char> pickled;
  torch::jit::Pickler pickler([&](const char* data, size_t n) { pickled.insert(pickled.end(), data, data + n); },
                              nullptr, nullptr, nullptr, nullptr, /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(torch::IValue(dict));
  pickler.stop();
  std::string bytes;
  caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t n) {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  torch::jit::writeArchiveAndTensors("data", pickled.data(), pickled.size(), pickler.tensorData(), writer);
  writer.writeEndOfFile();
  writeFileAtomic(file, bytes);
}

NamedTensors namedState(const torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& p : module.named_parameters(true)) out.emplace(p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) out.emplace(b.key(), b.value());
  return out;
}

LoadReport loadState(torch::nn::Module& module, const NamedTensors& tensors, const std::string& source, bool strict) {
  LoadReport report;
  const auto targets = namedState(module);
  for (const auto& [name, t] : targets)
    if (!tensors.count(name)) report.missing.push_back(name);
  for (const auto& [name, t] : tensors)
    if (!targets.count(name)) report.unexpected.push_back(name);
  if (strict && (!report.missing.empty() || !report.unexpected.empty()))
    throw InputError(source, 0, "weights do not match the model: missing [" + joined(report.missing) + "], unexpected [" +
                                    joined(report.unexpected) + "]");
  // All shapes checked before the first copy: a refused file leaves the module as it was.
  for (const auto& [name, target] : targets) {
    auto it = tensors.find(name);
    if (it != tensors.end() && it->second.sizes() != target.sizes())
      throw InputError(source, 0, "tensor " + name + " has shape " + c10::str(it->second.sizes()) + ", the model needs " +
                                      c10::str(target.sizes()));
  }
  torch::NoGradGuard noGrad;
  for (const auto& [name, target] : targets) {
    auto it = tensors.find(name);
    // copy_ keeps the target's device and dtype: one path for CPU and CUDA models.
    if (it != tensors.end()) target.copy_(it->second);
  }
  return report;
}

void saveWeights(const torch::nn::Module& module, const std::filesystem::path& file) {
  writeTensorFile(file, namedState(module));
}

void loadWeights(torch::nn::Module& module, const std::filesystem::path& file) {
  loadState(module, readTensorFile(file), file.string(), /*strict=*/true);
}

}  // namespace chorus::model
