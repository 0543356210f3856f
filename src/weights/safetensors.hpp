// The safetensors format (what timm, the Hugging Face hub and `safetensors.torch.save_file` write):
//   8 bytes   N, little-endian uint64: the header's length
//   N bytes   JSON: {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
//                    "__metadata__": {"<key>": "<string>", ...}}   (optional; trailing spaces allowed)
//   the rest  the tensors' raw little-endian bytes; offsets are relative to this buffer.
// Read strictly, as the reference reader (the `safetensors` crate) does: every tensor's byte count
// equals its shape times its element size, the offsets tile the buffer exactly (no gap, no overlap,
// nothing left over), the header is at most 100 MB. Any violation is an InputError naming the file
// and the tensor. No torch here: the OpenVINO engine and the fuzzer read weights through this too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace chorus::weights {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };
const char* dtypeName(DType dtype);  // the format's spelling: "F32", "BF16", ...
size_t dtypeBytes(DType dtype);

// A tensor's description and bytes. In a SafeTensorsFile `data` points into the file's buffer; for
// writing, into the caller's memory.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  size_t bytes = 0;
  int64_t numel() const;
};

class SafeTensorsFile {
 public:
  static SafeTensorsFile read(const std::filesystem::path& file);
  // The same checks on bytes in memory; `origin` names them in messages (a path, "fuzz input").
  static SafeTensorsFile parse(std::vector<uint8_t> bytes, const std::string& origin);

  SafeTensorsFile(SafeTensorsFile&&) = default;
  SafeTensorsFile& operator=(SafeTensorsFile&&) = default;
  SafeTensorsFile(const SafeTensorsFile&) = delete;
  SafeTensorsFile& operator=(const SafeTensorsFile&) = delete;

  const std::string& origin() const { return origin_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }  // in the buffer's order
  const TensorView* find(const std::string& name) const;              // nullptr when absent
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // A floating-point tensor (F64, F32, F16, BF16) as float32; InputError naming it otherwise.
  std::vector<float> floats(const TensorView& tensor) const;

 private:
  SafeTensorsFile() = default;
  std::string origin_;
  std::vector<uint8_t> bytes_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Writes the tensors in the order given (header padded to 8 bytes with spaces, as the reference
// writer does) atomically: the file appears whole or not at all. UsageError for a duplicate name or
// a byte count that does not match the shape.
void writeSafeTensors(const std::filesystem::path& file, const std::vector<TensorView>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace chorus::weights
