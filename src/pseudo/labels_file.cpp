// The HDF5 copy of the pseudo labels, through the store layer's checked HDF5 wrappers.
#include "core/atomic_file.hpp"
#include "core/fs.hpp"
#include "pseudo/pseudo.hpp"
#include "store/hdf5.hpp"

namespace chorus::pseudo {
namespace fs = std::filesystem;

void writePseudoH5(const fs::path& file, const std::vector<std::string>& classes,
                   const std::vector<dataset::PseudoRow>& rows, const SelectOptions& options, int round) {
  std::lock_guard<std::recursive_mutex> lock(store::h5::libraryMutex());
  if (!file.parent_path().empty()) ensureDir(file.parent_path());
  std::vector<std::string> rowIds, filenames;
  std::vector<double> starts, ends;
  std::vector<float> labels;
  labels.reserve(rows.size() * classes.size());
  for (const auto& r : rows) {
    rowIds.push_back(dataset::pseudoRowId(r));
    filenames.push_back(r.filename);
    starts.push_back(r.startSeconds);
    ends.push_back(r.endSeconds);
    labels.insert(labels.end(), r.values.begin(), r.values.end());
  }
  const fs::path temp = temporaryPathFor(file);
  {
    store::h5::Handle f = store::h5::createFile(temp);
    store::h5::writeStrings(f, "row_id", rowIds, temp);
    store::h5::writeStrings(f, "filename", filenames, temp);
    store::h5::writeArray<double>(f, "start_s", starts, temp);
    store::h5::writeArray<double>(f, "end_s", ends, temp);
    store::h5::writeStrings(f, "class", classes, temp);
    store::h5::writeArray<float>(f, "labels", labels, temp, hsize_t(std::max<size_t>(classes.size(), 1)));
    store::h5::writeAttribute(f, "threshold", std::to_string(options.threshold), temp);
    store::h5::writeAttribute(f, "floor", std::to_string(options.floor), temp);
    store::h5::writeAttribute(f, "round", int64_t(round), temp);
    store::h5::closeWritten(f, temp);
  }
  publishFile(temp, file);
}

}  // namespace chorus::pseudo
