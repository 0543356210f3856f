// Reading and writing the per-item index datasets and the root attributes (layout.hpp). Shared by
// the part writer, the master writer and the reader; private to the store layer.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/hdf5.hpp"
#include "store/layout.hpp"

namespace chorus::store {

struct StoreHeader {
  int nMels = 0;
  MelDtype dtype = MelDtype::Float16;
  std::map<std::string, std::string> attributes;  // the caller's (feature parameters, set, part plan)
};

void writeIndex(hid_t file, const std::vector<StoreItem>& items, const std::vector<StoreFailure>& failures,
                const std::filesystem::path& path);
void readIndex(hid_t file, const std::filesystem::path& path, std::vector<StoreItem>& items,
               std::vector<StoreFailure>& failures);

void writeHeader(hid_t file, const StoreHeader& header, const std::filesystem::path& path);
// Throws InputError naming the file when it is not a chorus feature store of a known version.
StoreHeader readHeader(hid_t file, const std::filesystem::path& path);

// The HDF5 file type of `mel` for a dtype (float16: numpy's '<f2').
h5::Handle melFileType(MelDtype dtype);

}  // namespace chorus::store
