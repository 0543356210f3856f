#include "model/safetensors_io.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"

namespace chorus::model {
namespace {

struct Pair {
  weights::DType ours;
  torch::ScalarType torch;
};
constexpr Pair kPairs[] = {{weights::DType::F64, torch::kFloat64}, {weights::DType::F32, torch::kFloat32},
                           {weights::DType::F16, torch::kFloat16}, {weights::DType::BF16, torch::kBFloat16},
                           {weights::DType::I64, torch::kInt64},   {weights::DType::I32, torch::kInt32},
                           {weights::DType::I16, torch::kInt16},   {weights::DType::I8, torch::kInt8},
                           {weights::DType::U8, torch::kUInt8},    {weights::DType::Bool, torch::kBool}};

}  // namespace

NamedTensors tensorsOf(const weights::SafeTensorsFile& file) {
  NamedTensors out;
  for (const auto& t : file.tensors()) {
    torch::ScalarType type = torch::kFloat32;
    for (const auto& p : kPairs)
      if (p.ours == t.dtype) type = p.torch;
    torch::Tensor x = torch::empty(t.shape, torch::TensorOptions().dtype(type));
    if (t.bytes) std::memcpy(x.data_ptr(), t.data, t.bytes);
    out.emplace(t.name, x);
  }
  return out;
}

NamedTensors readSafetensors(const std::filesystem::path& file) { return tensorsOf(weights::SafeTensorsFile::read(file)); }

void writeSafetensors(const std::filesystem::path& file, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;  // the CPU copies the views point into
  std::vector<weights::TensorView> views;
  for (const auto& [name, t] : tensors) {
    const auto* pair = std::find_if(std::begin(kPairs), std::end(kPairs), [&](const Pair& p) { return p.torch == t.scalar_type(); });
    if (pair == std::end(kPairs)) throw UsageError(file.string() + ": tensor " + name + " has a dtype safetensors cannot hold");
    keep.push_back(t.detach().to(torch::kCPU).contiguous());
    const auto& c = keep.back();
    views.push_back({name, pair->ours, c.sizes().vec(), static_cast<const uint8_t*>(c.data_ptr()), size_t(c.nbytes())});
  }
  weights::writeSafeTensors(file, views, metadata);
}

}  // namespace chorus::model
