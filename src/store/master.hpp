// Joins a set's part files into its master store: the index datasets are copied (they are small),
// `mel` becomes an HDF5 virtual dataset whose rows map onto the parts' rows, so the frames are
// not copied and h5py reads the set as one dataset. Source paths are stored relative to the
// master's folder, so WORK can be moved as a whole. Written to a temporary name and renamed.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/layout.hpp"

namespace chorus::store {

struct MasterOptions {
  int nMels = 128;
  MelDtype dtype = MelDtype::Float16;
  std::map<std::string, std::string> attributes;  // the set's attributes (feature parameters, set name)
};

struct MasterSummary {
  size_t parts = 0, items = 0, failures = 0;
  int64_t frames = 0;
};

// `parts` in item order; each must be a complete part with the same n_mels and dtype (Error
// otherwise). Items keep their order; frame offsets are shifted to the joined rows.
MasterSummary writeMaster(const std::filesystem::path& target, const std::vector<std::filesystem::path>& parts,
                          const MasterOptions& options);

}  // namespace chorus::store
