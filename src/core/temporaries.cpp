#include "core/temporaries.hpp"

#include <signal.h>

#include <cerrno>

#include "core/log.hpp"

namespace chorus {

std::optional<pid_t> temporaryOwner(const std::string& name) {
  const auto at = name.rfind(".tmp.");
  if (at == std::string::npos) return std::nullopt;
  const std::string digits = name.substr(at + 5);
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const long pid = std::stol(digits);
  if (pid <= 0) return std::nullopt;
  return pid_t(pid);
}

size_t removeStaleTemporaries(const std::filesystem::path& folder, const std::string& prefix) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) return 0;
  size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const auto owner = temporaryOwner(name);
    // EPERM: a live process of another user; only ESRCH says nobody owns it any more.
    if (!owner || ::kill(*owner, 0) == 0 || errno != ESRCH) continue;
    std::filesystem::remove_all(entry.path(), ec);
    if (ec) {
      CHORUS_LOG(Warn) << "cannot remove stale " << entry.path().string() << ": " << ec.message();
      continue;
    }
    CHORUS_LOG(Info) << "removed stale " << entry.path().string() << " (process " << *owner << " is gone)";
    ++removed;
  }
  return removed;
}

size_t clearStaleTemporaries(const std::vector<std::filesystem::path>& folders, const std::string& owner) {
  size_t removed = 0;
  for (const auto& folder : folders) removed += removeStaleTemporaries(folder);
  if (removed) CHORUS_LOG(Info) << owner << ": " << removed << " stale temporaries of killed runs removed";
  return removed;
}

}  // namespace chorus
