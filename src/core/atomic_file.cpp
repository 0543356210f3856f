#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"
#include "core/fs.hpp"

namespace chorus {

std::filesystem::path temporaryPathFor(const std::filesystem::path& target) {
  return target.string() + ".tmp." + std::to_string(::getpid());
}

// Whether the file system of `path` has no block left for an ordinary user.
static bool deviceFull(const std::filesystem::path& path) {
  struct statvfs s {};
  return ::statvfs(path.parent_path().empty() ? "." : path.parent_path().c_str(), &s) == 0 && s.f_bavail == 0;
}

std::string writeFailure(const std::filesystem::path& path, int err) {
  if (err == ENOSPC || err == EDQUOT) return "no space left on device: " + path.string();
  return "cannot write " + path.string() + ": " + (err ? std::strerror(err) : "the write failed");
}

// Returns the errno of a failed fsync (0: done, or nothing to flush: a folder we cannot open,
// whose rename still orders it). A full disk may surface only here (NFS, delayed allocation).
static int fsyncPath(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  const int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return err == EINVAL || err == EROFS ? 0 : err;  // files and folders that cannot be synced
}

void publishFile(const std::filesystem::path& temp, const std::filesystem::path& target) {
  if (const int err = fsyncPath(temp)) throw Error(writeFailure(temp, err));
  if (std::rename(temp.c_str(), target.c_str()) != 0)
    throw Error("cannot rename " + temp.string() + " to " + target.string() + ": " + std::strerror(errno));
  fsyncPath(target.parent_path().empty() ? "." : target.parent_path());
}

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.has_parent_path()) ensureDir(target_.parent_path());
  temp_ = temporaryPathFor(target_);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error(writeFailure(temp_, errno));
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
  if (out_) out_.close();  // writes what the buffer still holds
  // A stream keeps no errno of the write that failed (possibly long before): a full disk is told
  // by the space left.
  if (!out_) throw Error(writeFailure(temp_, errno ? errno : deviceFull(temp_) ? ENOSPC : 0));
  publishFile(temp_, target_);
  committed_ = true;
}

// With write(2), whose errno says why it failed.
void writeFileAtomic(const std::filesystem::path& target, const std::string& content) {
  if (target.has_parent_path()) ensureDir(target.parent_path());
  const std::filesystem::path temp = temporaryPathFor(target);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(writeFailure(temp, errno));
  int err = 0;
  for (size_t done = 0; done < content.size() && !err;) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n > 0) done += size_t(n);
    else if (n < 0 && errno != EINTR) err = errno;
  }
  if (::close(fd) != 0 && !err) err = errno;
  try {
    if (err) throw Error(writeFailure(temp, err));
    publishFile(temp, target);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw;
  }
}

}  // namespace chorus
