// chorus features: audio folders -> log-mel feature stores, WORK/features/<set>.h5, on any number
// of MPI ranks. Each set's items are cut into parts (consecutive items, ~partSeconds of audio),
// the parts are shared among ranks by cost, each rank streams its parts to their own files
// (decode -> log-mel -> append; memory holds one file at a time), and rank 0 joins them into the
// master store. A rerun keeps every finished part that still matches its items and parameters and
// computes only the rest; failed files are named in WORK/features/report.json.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "audio/energy.hpp"
#include "audio/mel_options.hpp"
#include "core/error.hpp"
#include "store/layout.hpp"

namespace chorus::dist {
class MpiContext;
}
namespace chorus::store {
class FeatureStore;
}

namespace chorus::stages {

// Clip analysis: the energy peak and the leading voice/silence segments that the training crop of a
// train_audio clip needs. Soundscapes are cut into fixed 5 s windows and need neither, so Auto
// analyses train_audio only.
enum class ClipAnalysis { Auto, On, Off };

struct FeaturesOptions {
  std::filesystem::path data;  // the Kaggle layout: train_audio/, train_soundscapes/, test_soundscapes/
  std::filesystem::path work;  // stores go to WORK/features/, logs to WORK/logs/
  std::string set = "all";     // train_audio | train_soundscapes | test_soundscapes | all
  audio::MelOptions mel;
  audio::EnergyOptions energy;
  store::MelDtype dtype = store::MelDtype::Float16;
  ClipAnalysis clipAnalysis = ClipAnalysis::Auto;
  double partSeconds = 900;    // largest part file (audio-s): the unit of work sharing and of resume
  size_t partFiles = 256;      // and at most this many files per part
  int threads = 1;             // parts computed at once by each rank (one process on a multi-core box)
  long maxFailures = 0;        // failed files tolerated before the exit code says PartialFailure
  bool retryFailed = false;    // recompute parts that recorded failures (a fixed file is picked up)
  bool decodeOnly = false;     // benchmark floor: decode (and resample) every file, write nothing
};

struct SetSummary {
  std::string set;
  size_t items = 0, stored = 0, failed = 0;
  size_t parts = 0, partsReused = 0, partsWritten = 0;
  double partSeconds = 0;       // the part size used (options.partSeconds, smaller for a small set)
  size_t itemsComputed = 0;     // decoded in this run, over all ranks (the rest came from finished parts)
  double audioSecondsComputed = 0;
  int64_t frames = 0;
  double seconds = 0;           // wall time of the set on this run
  std::vector<store::StoreFailure> failures;  // rank 0 only
};

struct FeaturesSummary {
  std::vector<SetSummary> sets;
  size_t failed = 0;
  ExitCode exitCode = ExitCode::Ok;  // PartialFailure when failed > maxFailures; the same on every rank
};

// Collective: every rank of `mpi` calls it with the same options.
FeaturesSummary runFeatures(const FeaturesOptions& options, const dist::MpiContext& mpi);

// The sets `set` stands for ("all": the three, in pipeline order); UsageError for an unknown name.
std::vector<std::string> featureSets(const std::string& set);

// The attributes of a store made with these options: the log-mel parameters, the set, the clip
// analysis. Everything that changes what a store holds is here; a part made under other values is
// never reused, and a consumer can compare a store's attributes with what it expects.
std::map<std::string, std::string> storeAttributes(const FeaturesOptions& options, const std::string& set);

}  // namespace chorus::stages
