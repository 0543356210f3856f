// Decoding any audio file libsndfile reads (wav int/float, flac, ogg/vorbis, ogg/opus, mp3) into
// mono float samples at the pipeline's rate. Every failure is an InputError naming the file and
// libsndfile's own reason, so a stage can record it and go on with the next file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::audio {

// What the file header says; no samples are decoded, so it is cheap enough to size shards by cost.
struct AudioInfo {
  int sampleRate = 0;
  int channels = 0;
  // Per channel, from the header. mp3: libsndfile's estimate from bitrate and file size, a few tenths
  // of a second high when ID3 tags are large. A header without a length (an ogg cut short): counted
  // by decoding.
  int64_t frames = 0;
  double seconds = 0;  // frames / sampleRate
  std::string format;  // libsndfile's major/sub format names, e.g. "OGG (OGG Container format)/Vorbis"
};

AudioInfo probeAudio(const std::filesystem::path& file);

// Whether a file is one of the formats we decode, by extension: ogg oga wav flac mp3 opus (any case).
bool isAudioFile(const std::filesystem::path& file);

struct Audio {
  std::vector<float> samples;  // mono, [-1, 1] for integer sources
  int sampleRate = 0;          // rate of `samples` (the requested target)
  int sourceRate = 0;          // rate of the file
  int sourceChannels = 0;      // channels of the file before the mean downmix
  double seconds() const { return sampleRate > 0 ? double(samples.size()) / sampleRate : 0.0; }
};

// Decodes, downmixes to mono (mean of the channels) and resamples with soxr HQ when the file's rate
// differs from targetRate (targetRate <= 0 keeps the file's rate). Throws InputError for a file that
// is missing, corrupt, empty or in a format this libsndfile cannot read.
Audio loadAudio(const std::filesystem::path& file, int targetRate = 32000);

}  // namespace chorus::audio
