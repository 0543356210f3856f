// Planning a feature set: what each file costs (from its header), how the items are cut into
// parts, and which parts a previous run already finished (the resume).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "stages/features/items.hpp"

namespace chorus::dist {
class MpiContext;
}

namespace chorus::stages::features {

struct Probe {
  double seconds = 0;  // 0 when the header cannot be read: the file fails later, with its reason
  int64_t frames = 0;
  int sampleRate = 0;
};

// Collective: rank r reads the headers of items r, r + size, ...; every rank gets all of them.
std::vector<Probe> probeItems(const std::filesystem::path& data, const std::vector<SetItem>& items,
                              const dist::MpiContext& mpi);

// What an item is expected to cost, in audio-seconds: its duration plus a per-file overhead (opening
// a file and starting the decoder costs about as much as decoding half a second).
double itemCost(const Probe& probe);

struct PartPlan {
  size_t begin = 0, end = 0;  // items [begin, end)
  double cost = 0;
  std::string hash;           // of the items (id, source, header) and the feature parameters
  std::filesystem::path path;
  bool done = false;          // a previous run left a finished part with this hash
};

// The part size for a set: partSeconds, halved while the set would have fewer than 128 parts and
// parts stay at least 120 s, so that a small set still gives every rank several parts to balance
// (and a part still amortises its file creation and fsync over a few files).
// Depends on the set's total cost only (powers of two: a few files more or less rarely change it).
double partSecondsFor(const std::vector<Probe>& probes, double partSeconds);

// Parts of at most partSeconds of cost and partFiles items, independent of the number of ranks.
// `parameters` are the store attributes: a part made with other parameters is never reused.
std::vector<PartPlan> planParts(const std::vector<SetItem>& items, const std::vector<Probe>& probes,
                                double partSeconds, size_t partFiles,
                                const std::map<std::string, std::string>& parameters,
                                const std::filesystem::path& partsDir);

// Rank 0, before any rank writes: removes the temporary files of killed runs (parts and master)
// and part files that belong to no planned part; marks parts whose finished file has the planned
// hash (and, with retryFailed, no failures) as done, removing the others (an unreadable part is
// redone); and, if any part is to be written, withdraws the master: it maps rows of parts that are
// about to change, and a reader must find no store rather than a wrong one.
void prepareResume(std::vector<PartPlan>& parts, const std::filesystem::path& partsDir,
                   const std::filesystem::path& masterPath, bool retryFailed);

inline constexpr const char* kPartHashAttribute = "part_plan_hash";

}  // namespace chorus::stages::features
