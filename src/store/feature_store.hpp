// Reads a feature store (a set's master file, or one part: same layout, see layout.hpp). The index
// is read once on open; frames are read on demand as float dB whatever the stored dtype.
// Safe to use from several threads (HDF5 calls are serialised by the store layer).
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/layout.hpp"

namespace chorus::store {

class FeatureStore {
 public:
  // Throws InputError naming the file if it is missing, not a store, or (a master) refers to a
  // part file that is not there: a virtual dataset would otherwise read fill values silently.
  explicit FeatureStore(const std::filesystem::path& file);
  ~FeatureStore();
  FeatureStore(FeatureStore&&) noexcept;
  FeatureStore& operator=(FeatureStore&&) noexcept;

  const std::filesystem::path& path() const { return path_; }
  int nMels() const { return nMels_; }
  MelDtype dtype() const { return dtype_; }
  int64_t totalFrames() const { return totalFrames_; }
  const std::vector<StoreItem>& items() const { return items_; }
  const std::vector<StoreFailure>& failures() const { return failures_; }
  const std::map<std::string, std::string>& attributes() const { return attributes_; }
  // The part files a master's `mel` maps (relative to the master's folder); empty for a plain file.
  const std::vector<std::string>& sources() const { return sources_; }

  std::optional<size_t> find(const std::string& id) const;

  // Rows [first, first + count) of `mel`, count x nMels floats; throws Error outside the dataset.
  std::vector<float> readFrames(int64_t first, int64_t count) const;
  void readFrames(int64_t first, int64_t count, float* out) const;
  // Frames [start, start + count) of item i (count < 0: to the item's end).
  std::vector<float> readItem(size_t i, int64_t start = 0, int64_t count = -1) const;

 private:
  struct File;
  std::filesystem::path path_;
  std::unique_ptr<File> file_;
  int nMels_ = 0;
  MelDtype dtype_ = MelDtype::Float16;
  int64_t totalFrames_ = 0;
  std::vector<StoreItem> items_;
  std::vector<StoreFailure> failures_;
  std::map<std::string, std::string> attributes_;
  std::vector<std::string> sources_;
  std::map<std::string, size_t> byId_;
};

}  // namespace chorus::store
