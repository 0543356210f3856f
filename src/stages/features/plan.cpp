#include "stages/features/plan.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "audio/decode.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/temporaries.hpp"
#include "dist/mpi_context.hpp"
#include "dist/sharding.hpp"
#include "store/feature_store.hpp"

namespace chorus::stages::features {
namespace fs = std::filesystem;

std::vector<Probe> probeItems(const fs::path& data, const std::vector<SetItem>& items, const dist::MpiContext& mpi) {
  nlohmann::json mine = nlohmann::json::array();
  for (size_t i = size_t(mpi.rank()); i < items.size(); i += size_t(mpi.size())) {
    Probe p;
    if (items[i].problem.empty()) {
      try {
        audio::AudioInfo info = audio::probeAudio(data / items[i].source);
        p = {info.seconds, info.frames, info.sampleRate};
      } catch (const Error&) {  // reported when the file is decoded, with the decoder's reason
      }
    }
    mine.push_back({i, p.seconds, p.frames, p.sampleRate});
  }
  std::vector<std::string> gathered = mpi.gatherToRoot(mine.dump());  // collective; filled on rank 0
  nlohmann::json merged = nlohmann::json::array();
  for (const auto& text : gathered)
    for (auto& e : nlohmann::json::parse(text)) merged.push_back(e);
  std::vector<Probe> probes(items.size());
  for (const auto& e : nlohmann::json::parse(mpi.broadcast(merged.dump())))
    probes.at(e[0].get<size_t>()) = {e[1].get<double>(), e[2].get<int64_t>(), e[3].get<int>()};
  return probes;
}

double itemCost(const Probe& probe) { return probe.seconds + 0.5; }

double partSecondsFor(const std::vector<Probe>& probes, double partSeconds) {
  constexpr double kMinPartSeconds = 120, kPartsWanted = 128;
  double total = 0;
  for (const auto& p : probes) total += itemCost(p);
  while (partSeconds / 2 >= kMinPartSeconds && total / partSeconds < kPartsWanted) partSeconds /= 2;
  return partSeconds;
}

namespace {

// FNV-1a, 64 bit: stable across platforms and runs (std::hash is neither).
struct Fnv {
  uint64_t h = 14695981039346656037ull;
  Fnv& add(const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;  // a separator, so ("ab","c") differs from ("a","bc")
    return *this;
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

}  // namespace

std::vector<PartPlan> planParts(const std::vector<SetItem>& items, const std::vector<Probe>& probes,
                                double partSeconds, size_t partFiles,
                                const std::map<std::string, std::string>& parameters, const fs::path& partsDir) {
  std::vector<double> costs;
  for (const auto& p : probes) costs.push_back(itemCost(p));
  std::vector<PartPlan> parts;
  for (const auto& chunk : dist::contiguousChunks(costs, partSeconds, partFiles)) {
    PartPlan part;
    part.begin = chunk.begin;
    part.end = chunk.end;
    part.cost = chunk.cost;
    Fnv hash;
    for (const auto& [key, value] : parameters) hash.add(key).add(value);
    for (size_t i = chunk.begin; i < chunk.end; ++i)
      hash.add(std::to_string(i)).add(items[i].id).add(items[i].source).add(items[i].problem)
          .add(std::to_string(probes[i].frames)).add(std::to_string(probes[i].sampleRate));
    part.hash = hash.hex();
    char name[40];
    std::snprintf(name, sizeof name, "part-%06zu.h5", chunk.begin);
    part.path = partsDir / name;
    parts.push_back(std::move(part));
  }
  return parts;
}

void prepareResume(std::vector<PartPlan>& parts, const fs::path& partsDir, const fs::path& masterPath,
                   bool retryFailed) {
  const size_t stale = removeStaleTemporaries(masterPath.parent_path(), masterPath.filename().string()) +
                       removeStaleTemporaries(partsDir, "part-") +
                       removeStaleTemporaries(masterPath.parent_path(), "report.json");
  if (stale) CHORUS_LOG(Info) << masterPath.filename().string() << ": " << stale << " stale temporaries removed";
  std::set<fs::path> planned;
  for (const auto& p : parts) planned.insert(p.path.filename());
  if (fs::is_directory(partsDir))
    for (const auto& entry : fs::directory_iterator(partsDir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("part-", 0) == 0 && !planned.count(name)) {
        CHORUS_LOG(Info) << "removing stale " << entry.path().string();
        fs::remove(entry.path());
      }
    }
  bool anyToDo = false;
  for (auto& part : parts) {
    if (fs::exists(part.path)) {
      try {
        store::FeatureStore finished(part.path);
        auto it = finished.attributes().find(kPartHashAttribute);
        part.done = it != finished.attributes().end() && it->second == part.hash &&
                    !(retryFailed && !finished.failures().empty());
      } catch (const Error& e) {
        CHORUS_LOG(Warn) << "redoing unreadable part " << part.path.string() << ": " << e.what();
      }
    }
    anyToDo = anyToDo || !part.done;
  }
  if (anyToDo && fs::exists(masterPath)) fs::remove(masterPath);  // before any part changes
  for (auto& part : parts)
    if (!part.done && fs::exists(part.path)) fs::remove(part.path);
}

}  // namespace chorus::stages::features
