#include "audio/decode.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "audio/resample.hpp"
#include "core/error.hpp"

namespace chorus::audio {
namespace {

struct CloseSndfile {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, CloseSndfile>;

SndfilePtr open(const std::filesystem::path& file, SF_INFO& info) {
  info = SF_INFO{};
  SNDFILE* handle = sf_open(file.c_str(), SFM_READ, &info);
  // sf_strerror(nullptr) holds the reason for the last failed sf_open on this thread.
  if (!handle) throw InputError(file.string() + ": cannot decode audio: " + sf_strerror(nullptr));
  if (info.samplerate <= 0 || info.channels <= 0) {
    sf_close(handle);
    throw InputError(file.string() + ": invalid audio header (rate " + std::to_string(info.samplerate) +
                     ", channels " + std::to_string(info.channels) + ")");
  }
  return SndfilePtr(handle);
}

std::string formatName(SNDFILE* handle, int format) {
  SF_FORMAT_INFO major{}, sub{};
  major.format = format & SF_FORMAT_TYPEMASK;
  sub.format = format & SF_FORMAT_SUBMASK;
  std::string name = sf_command(handle, SFC_GET_FORMAT_INFO, &major, sizeof(major)) == 0 && major.name
                         ? major.name : "unknown";
  if (sf_command(handle, SFC_GET_FORMAT_INFO, &sub, sizeof(sub)) == 0 && sub.name) name += std::string("/") + sub.name;
  return name;
}

// libsndfile reports SF_COUNT_MAX when the header does not give the length (an ogg cut short).
bool lengthKnown(const SF_INFO& info) { return info.frames >= 0 && info.frames < SF_COUNT_MAX; }

sf_count_t countFramesByDecoding(SNDFILE* handle, int channels) {
  std::vector<float> block(size_t{16384} * channels);
  sf_count_t total = 0, got;
  while ((got = sf_readf_float(handle, block.data(), 16384)) > 0) total += got;
  return total;
}

}  // namespace

AudioInfo probeAudio(const std::filesystem::path& file) {
  SF_INFO info;
  SndfilePtr handle = open(file, info);
  AudioInfo out;
  out.sampleRate = info.samplerate;
  out.channels = info.channels;
  out.frames = lengthKnown(info) ? info.frames : countFramesByDecoding(handle.get(), info.channels);
  out.seconds = double(out.frames) / info.samplerate;
  out.format = formatName(handle.get(), info.format);
  return out;
}

Audio loadAudio(const std::filesystem::path& file, int targetRate) {
  SF_INFO info;
  SndfilePtr handle = open(file, info);
  const int channels = info.channels;

  // Read in blocks until the decoder stops: for mp3 the header's frame count is an estimate.
  std::vector<float> mono;
  if (lengthKnown(info)) mono.reserve(static_cast<size_t>(info.frames));
  constexpr sf_count_t kBlock = 65536;
  std::vector<float> block(static_cast<size_t>(kBlock) * channels);
  for (;;) {
    const sf_count_t got = sf_readf_float(handle.get(), block.data(), kBlock);
    if (got <= 0) break;
    for (sf_count_t i = 0; i < got; ++i) {
      const float* frame = &block[static_cast<size_t>(i) * channels];
      float sum = 0;
      for (int c = 0; c < channels; ++c) sum += frame[c];
      mono.push_back(channels == 1 ? sum : sum / channels);
    }
  }
  if (sf_error(handle.get()) != SF_ERR_NO_ERROR)
    throw InputError(file.string() + ": decoding failed after " + std::to_string(mono.size()) +
                     " frames: " + sf_strerror(handle.get()));
  if (mono.empty()) throw InputError(file.string() + ": no audio frames (empty or truncated file)");

  Audio audio;
  audio.sourceRate = info.samplerate;
  audio.sourceChannels = channels;
  audio.sampleRate = targetRate > 0 ? targetRate : info.samplerate;
  audio.samples = audio.sampleRate == info.samplerate ? std::move(mono)
                                                      : resample(mono.data(), mono.size(), info.samplerate, audio.sampleRate);
  return audio;
}

bool isAudioFile(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".ogg" || ext == ".oga" || ext == ".wav" || ext == ".flac" || ext == ".mp3" || ext == ".opus";
}

}  // namespace chorus::audio
