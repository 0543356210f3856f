#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/fs.hpp"

namespace chorus {

std::filesystem::path temporaryPathFor(const std::filesystem::path& target) {
  return target.string() + ".tmp." + std::to_string(::getpid());
}

static void fsyncPath(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return;  // nothing to flush (a folder we cannot open); rename still orders it
  ::fsync(fd);
  ::close(fd);
}

void publishFile(const std::filesystem::path& temp, const std::filesystem::path& target) {
  fsyncPath(temp);
  if (std::rename(temp.c_str(), target.c_str()) != 0)
    throw Error("cannot rename " + temp.string() + " to " + target.string() + ": " + std::strerror(errno));
  fsyncPath(target.parent_path().empty() ? "." : target.parent_path());
}

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.has_parent_path()) ensureDir(target_.parent_path());
  temp_ = temporaryPathFor(target_);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error("cannot write " + temp_.string() + ": " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) throw Error("write failed for " + temp_.string());
  out_.close();
  publishFile(temp_, target_);
  committed_ = true;
}

void writeFileAtomic(const std::filesystem::path& target, const std::string& content) {
  AtomicFile f(target);
  f.stream() << content;
  f.commit();
}

}  // namespace chorus
