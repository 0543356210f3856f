#include "store/feature_store.hpp"

#include "core/error.hpp"
#include "core/half.hpp"
#include "store/index_io.hpp"

namespace chorus::store {

struct FeatureStore::File {
  h5::Handle file, mel, fileType;
};

namespace {

// The source files of a virtual `mel`, in mapping order (duplicates removed).
std::vector<std::string> virtualSources(hid_t mel, const std::filesystem::path& path) {
  std::vector<std::string> files;
  h5::Handle dcpl(h5::check(H5Dget_create_plist(mel), "H5Dget_create_plist", path));
  if (H5Pget_layout(dcpl) != H5D_VIRTUAL) return files;
  size_t count = 0;
  h5::checkStatus(H5Pget_virtual_count(dcpl, &count), "H5Pget_virtual_count", path);
  for (size_t i = 0; i < count; ++i) {
    ssize_t len = H5Pget_virtual_filename(dcpl, i, nullptr, 0);
    std::string name(static_cast<size_t>(len < 0 ? 0 : len), '\0');
    H5Pget_virtual_filename(dcpl, i, name.data(), name.size() + 1);
    if (files.empty() || files.back() != name) files.push_back(name);
  }
  return files;
}

}  // namespace

FeatureStore::FeatureStore(const std::filesystem::path& file) : path_(file), file_(std::make_unique<File>()) {
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  file_->file = h5::openFile(path_);
  StoreHeader header = readHeader(file_->file, path_);
  nMels_ = header.nMels;
  dtype_ = header.dtype;
  attributes_ = std::move(header.attributes);
  readIndex(file_->file, path_, items_, failures_);

  file_->mel = h5::Handle(h5::check(H5Dopen2(file_->file, "mel", H5P_DEFAULT), "H5Dopen2 mel", path_));
  file_->fileType = melFileType(dtype_);
  h5::Handle space(h5::check(H5Dget_space(file_->mel), "H5Dget_space", path_));
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  totalFrames_ = static_cast<int64_t>(dims[0]);

  sources_ = virtualSources(file_->mel, path_);
  for (const auto& source : sources_) {
    std::filesystem::path part = path_.parent_path() / source;  // an absolute source replaces the folder
    if (!std::filesystem::exists(part))
      throw InputError("feature store " + path_.string() + " refers to part " + source + ", which is missing");
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    const StoreItem& item = items_[i];
    if (item.frameOffset < 0 || item.frameCount < 0 || item.frameOffset + item.frameCount > totalFrames_)
      throw InputError(path_.string() + ": item " + item.id + " points outside mel");
    if (!byId_.emplace(item.id, i).second) throw InputError(path_.string() + ": item id " + item.id + " appears twice");
  }
}

FeatureStore::~FeatureStore() {
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  file_.reset();
}

FeatureStore::FeatureStore(FeatureStore&&) noexcept = default;
FeatureStore& FeatureStore::operator=(FeatureStore&&) noexcept = default;

std::optional<size_t> FeatureStore::find(const std::string& id) const {
  auto it = byId_.find(id);
  if (it == byId_.end()) return std::nullopt;
  return it->second;
}

void FeatureStore::readFrames(int64_t first, int64_t count, float* out) const {
  if (first < 0 || count < 0 || first + count > totalFrames_)
    throw Error(path_.string() + ": frames [" + std::to_string(first) + ", " + std::to_string(first + count) +
                ") are outside mel (" + std::to_string(totalFrames_) + " frames)");
  if (count == 0) return;
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  h5::Handle fileSpace(h5::check(H5Dget_space(file_->mel), "H5Dget_space", path_));
  hsize_t start[2] = {hsize_t(first), 0}, size[2] = {hsize_t(count), hsize_t(nMels_)};
  h5::checkStatus(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nullptr, size, nullptr),
                  "H5Sselect_hyperslab", path_);
  h5::Handle memSpace(h5::check(H5Screate_simple(2, size, nullptr), "H5Screate_simple", path_));
  const size_t n = size_t(count) * size_t(nMels_);
  if (dtype_ == MelDtype::Float16) {
    std::vector<uint16_t> halves(n);
    h5::checkStatus(H5Dread(file_->mel, file_->fileType, memSpace, fileSpace, H5P_DEFAULT, halves.data()),
                    "H5Dread mel", path_);
    halvesToFloats(halves.data(), n, out);
  } else {
    h5::checkStatus(H5Dread(file_->mel, H5T_NATIVE_FLOAT, memSpace, fileSpace, H5P_DEFAULT, out), "H5Dread mel",
                    path_);
  }
}

std::vector<float> FeatureStore::readFrames(int64_t first, int64_t count) const {
  std::vector<float> out(size_t(count < 0 ? 0 : count) * size_t(nMels_));
  readFrames(first, count, out.data());
  return out;
}

std::vector<float> FeatureStore::readItem(size_t i, int64_t start, int64_t count) const {
  if (i >= items_.size()) throw Error(path_.string() + ": no item " + std::to_string(i));
  const StoreItem& item = items_[i];
  if (count < 0) count = item.frameCount - start;
  if (start < 0 || start + count > item.frameCount)
    throw Error(path_.string() + ": frames [" + std::to_string(start) + ", " + std::to_string(start + count) +
                ") are outside item " + item.id + " (" + std::to_string(item.frameCount) + " frames)");
  return readFrames(item.frameOffset + start, count);
}

}  // namespace chorus::store
