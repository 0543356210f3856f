#include "weights/safetensors.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/half.hpp"

namespace chorus::weights {
namespace {
using nlohmann::json;

struct DTypeName {
  DType dtype;
  const char* name;
  size_t bytes;
};
constexpr DTypeName kDTypes[] = {{DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
                                 {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
                                 {DType::I16, "I16", 2}, {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
                                 {DType::Bool, "BOOL", 1}};

constexpr uint64_t kMaxHeader = 100'000'000;  // the reference reader's limit

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
  throw InputError(origin + ": not a valid safetensors file: " + what);
}

// numel * element size, or bad() on overflow or a negative dimension.
size_t byteCount(const std::vector<int64_t>& shape, size_t element, const std::string& origin, const std::string& name) {
  uint64_t n = element;
  for (int64_t d : shape) {
    if (d < 0) bad(origin, "tensor " + name + " has a negative dimension");
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / uint64_t(d)) bad(origin, "tensor " + name + " is too large");
    n *= uint64_t(d);
  }
  return size_t(n);
}

TensorView describe(const std::string& name, const json& entry, const std::string& origin) {
  if (!entry.is_object()) bad(origin, "entry " + name + " is not an object");
  const auto dtype = entry.find("dtype"), shape = entry.find("shape"), offsets = entry.find("data_offsets");
  if (dtype == entry.end() || !dtype->is_string()) bad(origin, "tensor " + name + " has no dtype");
  if (shape == entry.end() || !shape->is_array()) bad(origin, "tensor " + name + " has no shape");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    bad(origin, "tensor " + name + " has no data_offsets [begin, end]");
  TensorView t;
  t.name = name;
  const auto* known = std::find_if(std::begin(kDTypes), std::end(kDTypes),
                                   [&](const DTypeName& d) { return dtype->get<std::string>() == d.name; });
  if (known == std::end(kDTypes)) bad(origin, "tensor " + name + " has an unknown dtype " + dtype->get<std::string>());
  t.dtype = known->dtype;
  for (const auto& d : *shape) {
    if (!d.is_number_unsigned()) bad(origin, "tensor " + name + " has a shape that is not a list of sizes");
    t.shape.push_back(d.get<int64_t>());
  }
  const uint64_t begin = (*offsets)[0].get<uint64_t>(), end = (*offsets)[1].get<uint64_t>();
  if (end < begin) bad(origin, "tensor " + name + " ends before it begins");
  t.bytes = byteCount(t.shape, known->bytes, origin, name);
  if (end - begin != t.bytes)
    bad(origin, "tensor " + name + " holds " + std::to_string(end - begin) + " bytes, its shape needs " + std::to_string(t.bytes));
  t.data = reinterpret_cast<const uint8_t*>(uintptr_t(begin));  // an offset until the buffer is known
  return t;
}

}  // namespace

const char* dtypeName(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

size_t dtypeBytes(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d.bytes;
  return 0;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafeTensorsFile SafeTensorsFile::read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(file.string() + ": cannot read: " + std::strerror(errno));
  std::vector<uint8_t> bytes(size_t(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!in) throw InputError(file.string() + ": read failed");
  return parse(std::move(bytes), file.string());
}

SafeTensorsFile SafeTensorsFile::parse(std::vector<uint8_t> bytes, const std::string& origin) {
  if (bytes.size() < 8) bad(origin, "shorter than its 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[size_t(i)];
  if (n > kMaxHeader) bad(origin, "header length " + std::to_string(n) + " exceeds 100 MB");
  if (n > bytes.size() - 8) bad(origin, "header length " + std::to_string(n) + " runs past the end of the file");
  if (n == 0 || bytes[8] != '{') bad(origin, "the header is not a JSON object");
  const json header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + long(n), nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) bad(origin, "the header is not a JSON object");

  SafeTensorsFile f;
  f.origin_ = origin;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) bad(origin, "__metadata__ is not an object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string()) bad(origin, "__metadata__ value " + k + " is not a string");
        f.metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    f.tensors_.push_back(describe(name, entry, origin));
  }
  // The offsets must tile the buffer: sorted by begin, each starting where the last ended.
  std::sort(f.tensors_.begin(), f.tensors_.end(),
            [](const TensorView& a, const TensorView& b) { return uintptr_t(a.data) < uintptr_t(b.data); });
  const size_t buffer = bytes.size() - 8 - size_t(n);
  size_t at = 0;
  for (const auto& t : f.tensors_) {
    if (uintptr_t(t.data) != at) bad(origin, "tensor " + t.name + " does not start where the one before it ends");
    at += t.bytes;
  }
  if (at != buffer)
    bad(origin, "the tensors cover " + std::to_string(at) + " bytes of a " + std::to_string(buffer) + "-byte buffer");
  f.bytes_ = std::move(bytes);
  const uint8_t* base = f.bytes_.data() + 8 + n;
  for (size_t i = 0; i < f.tensors_.size(); ++i) {
    f.tensors_[i].data = base + uintptr_t(f.tensors_[i].data);
    f.index_[f.tensors_[i].name] = i;
  }
  return f;
}

const TensorView* SafeTensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

std::vector<float> SafeTensorsFile::floats(const TensorView& t) const {
  const size_t n = size_t(t.numel());
  std::vector<float> out(n);
  switch (t.dtype) {
    case DType::F32: std::memcpy(out.data(), t.data, n * 4); break;
    case DType::F64:
      for (size_t i = 0; i < n; ++i) {
        double v;
        std::memcpy(&v, t.data + 8 * i, 8);
        out[i] = float(v);
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) out[i] = halfToFloat(uint16_t(t.data[2 * i] | t.data[2 * i + 1] << 8));
      break;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) {
        const uint32_t bits = uint32_t(t.data[2 * i] | t.data[2 * i + 1] << 8) << 16;
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    default: throw InputError(origin_ + ": tensor " + t.name + " is " + dtypeName(t.dtype) + ", not floating point");
  }
  return out;
}

void writeSafeTensors(const std::filesystem::path& file, const std::vector<TensorView>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();  // the order given
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t at = 0;
  for (const auto& t : tensors) {
    if (t.name == "__metadata__" || header.contains(t.name))
      throw UsageError(file.string() + ": tensor name " + t.name + " is used twice or reserved");
    const size_t need = byteCount(t.shape, dtypeBytes(t.dtype), file.string(), t.name);
    if (need != t.bytes)
      throw UsageError(file.string() + ": tensor " + t.name + " has " + std::to_string(t.bytes) + " bytes, its shape needs " +
                       std::to_string(need));
    header[t.name] = {{"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {at, at + t.bytes}}};
    at += t.bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = uint8_t(uint64_t(text.size()) >> (8 * i));
  AtomicFile out(file);
  out.stream().write(reinterpret_cast<const char*>(length), 8);
  out.stream().write(text.data(), std::streamsize(text.size()));
  for (const auto& t : tensors) out.stream().write(reinterpret_cast<const char*>(t.data), std::streamsize(t.bytes));
  out.commit();
}

}  // namespace chorus::weights
