// The leftovers of a killed publish (atomic_file.hpp): `<name>.tmp.<pid>` files and folders (a
// checkpoint's epoch-NNNN.tmp.<pid>/). The pid in the name says whose it is: a temporary whose
// process no longer exists (kill(pid, 0) fails with ESRCH) is stale and removed by the next run of
// the same stage or job; one of a live process (another rank, a concurrent run, this process) is
// never touched.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
#include <sys/types.h>

namespace chorus {

// The pid of a temporary name (`x.tmp.1234` -> 1234), nothing for any other name.
std::optional<pid_t> temporaryOwner(const std::string& name);

// Removes the stale temporaries directly in `folder` whose names start with `prefix` ("" for all);
// returns how many. A missing folder holds none.
size_t removeStaleTemporaries(const std::filesystem::path& folder, const std::string& prefix = "");
// The same over several folders, the total logged for `owner` (a stage or job) when there were any.
size_t clearStaleTemporaries(const std::vector<std::filesystem::path>& folders, const std::string& owner);

}  // namespace chorus
