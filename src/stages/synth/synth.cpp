// chorus synth: plan the dataset, write its audio file by file, then its tables (last, so that a
// table never names audio that is not there yet), then clear out files a previous run left behind.
#include "stages/synth.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "audio/audio_writer.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "stages/synth/preset.hpp"
#include "stages/synth/tables.hpp"

namespace chorus::stages {
namespace {

using namespace synth;

bool isInside(const fs::path& path, const fs::path& dir) {
  auto p = fs::weakly_canonical(fs::absolute(path)), d = fs::weakly_canonical(fs::absolute(dir));
  auto mismatch = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return mismatch.first == d.end();
}

// Audio in our folders that this run did not write (a previous run with more species or files, or
// a killed run's temporary file) would contradict the new tables: remove it, and emptied folders.
int removeStale(const fs::path& out, const std::set<fs::path>& written) {
  int removed = 0;
  for (const char* folder : {"train_audio", "train_soundscapes", "test_soundscapes"}) {
    fs::path dir = out / folder;
    std::vector<fs::path> stale, folders;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_directory()) folders.push_back(entry.path());
      else if (!written.count(entry.path())) stale.push_back(entry.path());
    }
    for (const auto& p : stale) removed += fs::remove(p) ? 1 : 0;
    for (auto it = folders.rbegin(); it != folders.rend(); ++it)
      if (fs::is_empty(*it)) fs::remove(*it);
  }
  return removed;
}

std::string summaryLine(const SynthSummary& s, const fs::path& out, const fs::path& solution) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "synth: %d species, %d train clips (%d corrupt), %d train + %d test soundscapes, "
                "%.1f audio-minutes in %s\n  dataset: %s\n  solution: %s",
                s.species, s.trainClips, s.corrupt, s.trainSoundscapes, s.testSoundscapes, s.audioSeconds / 60,
                Progress::formatDuration(s.seconds).c_str(), out.string().c_str(), solution.string().c_str());
  return buf;
}

}  // namespace

fs::path synthTruthPath(const fs::path& solution) {
  return solution.parent_path() / (solution.stem().string() + "_synth_truth.json");
}

SynthSummary runSynth(const SynthOptions& options) {
  auto started = std::chrono::steady_clock::now();
  if (options.out.empty()) throw UsageError("synth: --out DIR is required");
  if (options.solution.empty()) throw UsageError("synth: --solution FILE is required");
  if (isInside(options.solution, options.out))
    throw UsageError("synth: the solution " + options.solution.string() + " must lie outside the dataset folder " +
                     options.out.string() + " (it holds the hidden test labels)");
  const Preset preset = resolvePreset(options);
  const uint32_t seed = options.seed;

  DatasetPlan plan;
  plan.species = makeSpecies(preset.species, seed);
  plan.sites = makeSites(preset.sites, plan.species, seed);
  plan.clips = planTrainClips(preset, plan.species, seed);
  plan.corrupt = planCorrupt(options.corrupt, plan.species, plan.clips, seed);
  for (const char* folder : {"train_audio", "train_soundscapes", "test_soundscapes"}) ensureDir(options.out / folder);

  SynthSummary summary;
  std::set<fs::path> written;
  Progress progress("synth", double(plan.clips.size() + plan.corrupt.size() + preset.trainSoundscapes + preset.testSoundscapes),
                    "files");
  for (size_t i = 0; i < plan.clips.size(); ++i) {
    const TrainClip& clip = plan.clips[i];
    fs::path file = options.out / "train_audio" / clipFileName(clip, plan.species);
    std::vector<float> samples = renderTrainClip(clip, i, plan.species, plan.sites, seed);
    audio::writeAudio(file, samples, {clip.sampleRate, clip.channels});
    written.insert(file);
    summary.audioSeconds += double(samples.size()) / clip.channels / clip.sampleRate;
    progress.advance();
  }
  for (size_t i = 0; i < plan.corrupt.size(); ++i) {
    fs::path file = options.out / "train_audio" / clipFileName(plan.corrupt[i].clip, plan.species);
    writeCorrupt(plan.corrupt[i], i, file, seed);
    written.insert(file);
    progress.advance();
  }
  for (auto [set, count, folder, list] :
       {std::tuple{SoundscapeSet::Train, preset.trainSoundscapes, "train_soundscapes", &plan.trainSoundscapes},
        std::tuple{SoundscapeSet::Test, preset.testSoundscapes, "test_soundscapes", &plan.testSoundscapes}}) {
    for (int i = 0; i < count; ++i) {
      Soundscape s = makeSoundscape(set, i, plan.species, plan.sites, seed);
      fs::path file = options.out / folder / (s.stem + ".ogg");
      audio::writeAudio(file, s.samples, {kSoundscapeRate, 1});
      written.insert(file);
      summary.audioSeconds += double(s.samples.size()) / kSoundscapeRate;
      s.samples = {};  // only the names and calls are needed from here on
      list->push_back(std::move(s));
      progress.advance();
    }
  }
  progress.finish();

  writeTaxonomy(options.out / "taxonomy.csv", plan);
  writeTrainTable(options.out / "train.csv", plan);
  writeSoundscapeLabels(options.out / "train_soundscapes_labels.csv", plan, seed);
  writeSubmissionTables(options.out / "sample_submission.csv", options.solution, plan);
  writeTruth(synthTruthPath(options.solution), plan, preset.name, seed);
  if (int stale = removeStale(options.out, written))
    CHORUS_LOG(Info) << "synth: removed " << stale << " audio files that an earlier run left in " << options.out;

  summary.species = static_cast<int>(plan.species.size());
  summary.trainClips = static_cast<int>(plan.clips.size());
  summary.corrupt = static_cast<int>(plan.corrupt.size());
  summary.trainSoundscapes = preset.trainSoundscapes;
  summary.testSoundscapes = preset.testSoundscapes;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log::console(summaryLine(summary, options.out, options.solution));
  return summary;
}

}  // namespace chorus::stages
