#include "store/part_writer.hpp"

#include <unistd.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/half.hpp"
#include "store/index_io.hpp"

namespace chorus::store {

struct PartWriter::File {
  h5::Handle file, mel, fileType;
};

PartWriter::PartWriter(std::filesystem::path target, PartOptions options)
    : target_(std::move(target)), options_(std::move(options)) {
  if (options_.nMels < 1 || options_.chunkFrames < 1) throw UsageError("part writer: n_mels and chunk frames must be >= 1");
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  if (target_.has_parent_path()) ensureDir(target_.parent_path());
  temp_ = temporaryPathFor(target_);
  file_ = std::make_unique<File>();
  file_->file = h5::createFile(temp_);
  file_->fileType = melFileType(options_.dtype);

  // Extendible [frames, n_mels] so items stream in; chunked (required for extendible datasets).
  hsize_t dims[2] = {0, hsize_t(options_.nMels)}, maxDims[2] = {H5S_UNLIMITED, hsize_t(options_.nMels)};
  hsize_t chunk[2] = {hsize_t(options_.chunkFrames), hsize_t(options_.nMels)};
  h5::Handle space(h5::check(H5Screate_simple(2, dims, maxDims), "H5Screate_simple", temp_));
  h5::Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", temp_));
  h5::checkStatus(H5Pset_chunk(dcpl, 2, chunk), "H5Pset_chunk", temp_);
  file_->mel = h5::Handle(h5::check(
      H5Dcreate2(file_->file, "mel", file_->fileType, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2 mel", temp_));
}

PartWriter::~PartWriter() {
  if (committed_) return;
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  // Discarded (an error, a full disk): emptied first, so that closing the dataset and the file,
  // which write what HDF5 still caches, has the space to (a failed close crashes HDF5 later).
  [[maybe_unused]] const int rc = ::truncate(temp_.c_str(), 0);
  file_.reset();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void PartWriter::append(StoreItem item, const float* mel, int64_t frames) {
  if (committed_) throw Error("part writer: append after commit for " + target_.string());
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  item.frameOffset = frames_;
  item.frameCount = frames;
  if (frames > 0) {
    const hsize_t nMels = hsize_t(options_.nMels);
    hsize_t newDims[2] = {hsize_t(frames_ + frames), nMels};
    h5::checkStatus(H5Dset_extent(file_->mel, newDims), "H5Dset_extent mel", temp_);
    h5::Handle fileSpace(h5::check(H5Dget_space(file_->mel), "H5Dget_space", temp_));
    hsize_t start[2] = {hsize_t(frames_), 0}, count[2] = {hsize_t(frames), nMels};
    h5::checkStatus(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nullptr, count, nullptr),
                    "H5Sselect_hyperslab", temp_);
    h5::Handle memSpace(h5::check(H5Screate_simple(2, count, nullptr), "H5Screate_simple", temp_));
    const size_t n = size_t(frames) * nMels;
    if (options_.dtype == MelDtype::Float16) {
      std::vector<uint16_t> halves(n);
      floatsToHalves(mel, n, halves.data());
      h5::checkStatus(H5Dwrite(file_->mel, file_->fileType, memSpace, fileSpace, H5P_DEFAULT, halves.data()),
                      "H5Dwrite mel", temp_);
    } else {
      h5::checkStatus(H5Dwrite(file_->mel, H5T_NATIVE_FLOAT, memSpace, fileSpace, H5P_DEFAULT, mel), "H5Dwrite mel",
                      temp_);
    }
  }
  frames_ += frames;
  items_.push_back(std::move(item));
}

void PartWriter::addFailure(StoreFailure failure) { failures_.push_back(std::move(failure)); }

void PartWriter::commit() {
  if (committed_) return;
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  writeIndex(file_->file, items_, failures_, temp_);
  writeHeader(file_->file, StoreHeader{options_.nMels, options_.dtype, options_.attributes}, temp_);
  // Everything on disk (the dataset's cached chunks too) before any close: a failed write throws here
  // with every handle open, and the destructor discards the file.
  h5::checkStatus(H5Fflush(file_->file, H5F_SCOPE_GLOBAL), "H5Fflush", temp_);
  file_->mel.reset();
  // Closed (all metadata on disk) before it is published; a failed close must not be renamed into place.
  h5::closeWritten(file_->file, temp_);
  file_.reset();
  publishFile(temp_, target_);
  committed_ = true;
}

}  // namespace chorus::store
