// SHA-256 (FIPS 180-4), for recording exactly which weights file a model started from: a resume
// or an inference that would use other bytes under the same path is refused, not silently run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace chorus {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t bytes);
  std::string hex();  // the digest as 64 lower-case hex digits; the object is spent afterwards

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes seen
};

std::string sha256Hex(const void* data, size_t bytes);
std::string sha256File(const std::filesystem::path& file);  // throws Error naming the file

}  // namespace chorus
