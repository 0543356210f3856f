#include "store/master.hpp"

#include <cmath>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "store/feature_store.hpp"
#include "core/half.hpp"
#include "store/index_io.hpp"

namespace chorus::store {
namespace {

struct Mapping {
  std::string file;  // relative to the master's folder
  int64_t offset = 0, frames = 0;
};

// Rows that no part covers (none, if the parts are complete) read as NaN, never as plausible dB.
void setNanFill(hid_t dcpl, MelDtype dtype, hid_t fileType, const std::filesystem::path& path) {
  if (dtype == MelDtype::Float16) {
    uint16_t nan = floatToHalf(std::nanf(""));
    h5::checkStatus(H5Pset_fill_value(dcpl, fileType, &nan), "H5Pset_fill_value", path);
  } else {
    float nan = std::nanf("");
    h5::checkStatus(H5Pset_fill_value(dcpl, H5T_NATIVE_FLOAT, &nan), "H5Pset_fill_value", path);
  }
}

void writeVirtualMel(hid_t file, const std::vector<Mapping>& mappings, int64_t total, const MasterOptions& options,
                     const std::filesystem::path& path) {
  const hsize_t nMels = hsize_t(options.nMels);
  hsize_t dims[2] = {hsize_t(total), nMels};
  h5::Handle space(h5::check(H5Screate_simple(2, dims, nullptr), "H5Screate_simple", path));
  h5::Handle type = melFileType(options.dtype);
  h5::Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", path));
  setNanFill(dcpl, options.dtype, type, path);
  for (const auto& m : mappings) {
    if (m.frames == 0) continue;
    hsize_t start[2] = {hsize_t(m.offset), 0}, count[2] = {hsize_t(m.frames), nMels};
    h5::Handle target(h5::check(H5Scopy(space), "H5Scopy", path));
    h5::checkStatus(H5Sselect_hyperslab(target, H5S_SELECT_SET, start, nullptr, count, nullptr), "H5Sselect_hyperslab",
                    path);
    h5::Handle source(h5::check(H5Screate_simple(2, count, nullptr), "H5Screate_simple", path));
    // HDF5 expands printf-like '%' patterns in source names; ours are literal.
    std::string name;
    for (char c : m.file) name += c == '%' ? std::string("%%") : std::string(1, c);
    h5::checkStatus(H5Pset_virtual(dcpl, target, name.c_str(), "mel", source), "H5Pset_virtual", path);
  }
  if (total == 0) H5Pset_layout(dcpl, H5D_CONTIGUOUS);  // nothing to map: an empty plain dataset
  h5::Handle mel(h5::check(H5Dcreate2(file, "mel", type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2 mel", path));
}

}  // namespace

MasterSummary writeMaster(const std::filesystem::path& target, const std::vector<std::filesystem::path>& parts,
                          const MasterOptions& options) {
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  const std::filesystem::path folder = target.parent_path().empty() ? "." : target.parent_path();
  std::vector<StoreItem> items;
  std::vector<StoreFailure> failures;
  std::vector<Mapping> mappings;
  int64_t total = 0;
  for (const auto& part : parts) {
    FeatureStore store(part);
    if (store.nMels() != options.nMels || store.dtype() != options.dtype)
      throw Error("part " + part.string() + " holds " + std::to_string(store.nMels()) + " mels as " +
                  toString(store.dtype()) + "; the master wants " + std::to_string(options.nMels) + " as " +
                  toString(options.dtype));
    mappings.push_back({std::filesystem::relative(part, folder).string(), total, store.totalFrames()});
    for (StoreItem item : store.items()) {
      item.frameOffset += total;
      items.push_back(std::move(item));
    }
    failures.insert(failures.end(), store.failures().begin(), store.failures().end());
    total += store.totalFrames();
  }

  const std::filesystem::path temp = temporaryPathFor(target);
  try {
    h5::Handle file = h5::createFile(temp);
    writeVirtualMel(file, mappings, total, options, temp);
    writeIndex(file, items, failures, temp);
    writeHeader(file, StoreHeader{options.nMels, options.dtype, options.attributes}, temp);
    h5::closeWritten(file, temp);
    publishFile(temp, target);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw;
  }
  return {parts.size(), items.size(), failures.size(), total};
}

}  // namespace chorus::store
