// Streams one part of a feature store to disk: items are appended one at a time (memory holds one
// item's frames, never the part), and the file appears under its final name only in commit(),
// by rename. A process killed before that leaves a `<part>.tmp.<pid>` file no reader opens.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/layout.hpp"

namespace chorus::store {

struct PartOptions {
  int nMels = 128;
  MelDtype dtype = MelDtype::Float16;
  int64_t chunkFrames = 256;  // rows per HDF5 chunk: a 5 s window (313 frames) touches 2-3 chunks
  std::map<std::string, std::string> attributes;  // feature parameters etc., written as string attributes
};

class PartWriter {
 public:
  PartWriter(std::filesystem::path target, PartOptions options);
  ~PartWriter();  // without commit(): closes and deletes the temporary file
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  // Appends `frames` rows of nMels dB values (row-major); sets item.frameOffset / frameCount.
  void append(StoreItem item, const float* mel, int64_t frames);
  void addFailure(StoreFailure failure);

  int64_t frames() const { return frames_; }
  size_t items() const { return items_.size(); }
  const std::filesystem::path& tempPath() const { return temp_; }

  // Writes the index and attributes, closes, fsyncs and renames into place.
  void commit();

 private:
  struct File;
  std::filesystem::path target_, temp_;
  PartOptions options_;
  std::unique_ptr<File> file_;
  std::vector<StoreItem> items_;
  std::vector<StoreFailure> failures_;
  int64_t frames_ = 0;
  bool committed_ = false;
};

}  // namespace chorus::store
