#include "infer/soundscape_features.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "audio/decode.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "dataset/examples.hpp"
#include "meta/soundscape_window.hpp"
#include "train/checkpoint_state.hpp"

namespace chorus::infer {
namespace fs = std::filesystem;

namespace {

fs::path audioPath(const Soundscape& s, const fs::path& data) {
  if (s.audio.empty() || s.audio.is_absolute() || data.empty()) return s.audio;
  return data / s.audio;
}
}  // namespace

SoundscapeFeatures::SoundscapeFeatures(const Ensemble::Impl& e, const std::vector<Soundscape>& soundscapes,
                                       const PredictOptions& o)
    : ensemble_(e), soundscapes_(soundscapes), options_(o) {
  if (!o.store.empty()) store_ = std::make_unique<store::FeatureStore>(o.store);
  const auto storeMel = store_ ? dataset::melOptionsOf(*store_).describe() : std::map<std::string, std::string>{};
  for (size_t g = 0; g < e.groupMel.size(); ++g) {
    const audio::MelOptions& mel = e.groupMel[g];
    const bool useStore = store_ && storeMel == e.groupFeatures[g];
    if (store_ && !useStore) {
      // Another model's features: recompute from the audio, or refuse; never feed it the store's.
      const bool haveAudio = std::all_of(soundscapes.begin(), soundscapes.end(), [&](const Soundscape& s) {
        return !s.audio.empty() && fs::exists(audioPath(s, o.data));
      });
      size_t m = 0;
      while (e.group[m] != g) ++m;
      if (!haveAudio) {
        train::TrainState state;
        state.features = e.infos[m].features;
        train::requireSameFeatures(state, e.infos[m].dir.string(), storeMel, store_->path().string());
      }
      CHORUS_LOG(Warn) << e.infos[m].name << " was trained on other features than " << store_->path().string()
                       << ": computing its own log-mel from the audio";
    }
    fromStore_.push_back(useStore);
    logmel_.push_back(useStore ? nullptr : std::make_unique<audio::LogMel>(mel));
    const audio::LogMel probe(mel);
    windowFrames_.push_back(int(probe.frames(int64_t(std::llround(meta::kWindowSeconds * mel.sampleRate)))));
    mels_.push_back(mel.nMels);
    framesPerSecond_.push_back(double(mel.sampleRate) / double(mel.hop));
  }
}

SoundscapeFeatures::~SoundscapeFeatures() = default;

PreparedSoundscape SoundscapeFeatures::prepare(size_t index) const {
  const auto started = std::chrono::steady_clock::now();
  const Soundscape& s = soundscapes_.at(index);
  PreparedSoundscape p;
  p.index = index;
  const size_t groups = fromStore_.size();
  p.mel.resize(groups);
  p.frames.assign(groups, 0);
  try {
    double seconds = -1;
    std::optional<size_t> item;
    if (store_) item = store_->find(s.id);
    std::unique_ptr<audio::Audio> decoded;  // decoded once, resampled per rate if groups differ
    for (size_t g = 0; g < groups; ++g) {
      if (fromStore_[g]) {
        if (!item) throw InputError(store_->path().string() + ": no item " + s.id);
        p.mel[g] = store_->readItem(*item);
        p.frames[g] = store_->items()[*item].frameCount;
        if (seconds < 0) seconds = store_->items()[*item].duration;
        continue;
      }
      const audio::MelOptions& mel = logmel_[g]->options();
      const fs::path file = audioPath(s, options_.data);
      if (file.empty()) throw InputError(s.id + ": no audio file");
      if (!decoded || decoded->sampleRate != mel.sampleRate)
        decoded = std::make_unique<audio::Audio>(audio::loadAudio(file, mel.sampleRate));
      if (decoded->samples.empty()) throw InputError(file.string() + ": no samples");
      p.mel[g] = logmel_[g]->compute(decoded->samples);
      p.frames[g] = int64_t(p.mel[g].size() / size_t(mel.nMels));
      if (seconds < 0) seconds = decoded->seconds();
    }
    if (!(seconds > 0)) throw InputError(s.id + ": empty recording");
    p.windows = meta::windowCount(seconds);
  } catch (const Error& e) {
    p.failure = e.what();
    p.mel.clear();
  }
  p.prepareSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return p;
}

void SoundscapeFeatures::window(const PreparedSoundscape& p, size_t g, int w, float* out) const {
  const int mels = mels_[g], frames = windowFrames_[g];
  const int64_t total = p.frames[g];
  if (total <= 0) throw Error("soundscape " + soundscapes_.at(p.index).id + " has no frames");
  int64_t start = std::llround(double(w) * meta::kWindowSeconds * framesPerSecond_[g]);
  const bool whole = total < frames;
  if (!whole) start = std::clamp<int64_t>(start, 0, total - frames);
  const float* mel = p.mel[g].data();
  for (int t = 0; t < frames; ++t) {
    const int64_t source = whole ? (start + t) % total : start + t;
    const float* row = mel + size_t(source) * size_t(mels);
    for (int m = 0; m < mels; ++m) out[size_t(m) * size_t(frames) + size_t(t)] = row[m];
  }
}

}  // namespace chorus::infer
