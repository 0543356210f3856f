// Outputs appear whole or not at all: write to a temporary name in the same folder, fsync,
// rename over the target. A killed process leaves at most a `*.tmp.<pid>` file that no reader
// opens (readers look for the final name only) and that the next writer replaces.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

namespace chorus {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();  // removes the temporary file unless commit() ran
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::filesystem::path& tempPath() const { return temp_; }
  void commit();  // flush, fsync, rename; throws Error naming the file on failure

 private:
  std::filesystem::path target_, temp_;
  std::ofstream out_;
  bool committed_ = false;
};

void writeFileAtomic(const std::filesystem::path& target, const std::string& content);

// The message of a failed write: "no space left on device: PATH" (ENOSPC, EDQUOT: a full disk or
// quota, which the user fixes by freeing space), else "cannot write PATH: <reason>".
std::string writeFailure(const std::filesystem::path& path, int err);

// For files written by other libraries (HDF5): a unique temporary name next to the target,
// and the fsync + rename that publishes it.
std::filesystem::path temporaryPathFor(const std::filesystem::path& target);
void publishFile(const std::filesystem::path& temp, const std::filesystem::path& target);

}  // namespace chorus
