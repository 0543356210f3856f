// Writing audio with libsndfile: ogg/vorbis, wav or flac (chosen by the file's extension), any
// sample rate, mono or stereo. The file appears whole or not at all (temporary name + rename), and
// the same samples give the same bytes: libsndfile stamps every ogg stream with a serial number
// from rand() seeded by the clock, which we replace with one derived from the file name.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::audio {

enum class AudioContainer { OggVorbis, Wav, Flac };

// From the extension (.ogg, .wav, .flac; any case); throws UsageError for anything else.
AudioContainer containerFor(const std::filesystem::path& file);

struct AudioWriteOptions {
  int sampleRate = 32000;
  int channels = 1;            // 1 or 2; samples are interleaved frame by frame
  double vorbisQuality = 0.4;  // libsndfile's VBR quality, 0 (smallest) .. 1 (best); ogg only
};

// Writes `frames` frames of `channels` interleaved float samples in [-1, 1] (values outside are
// clipped; NaN or infinity is an Error). wav and flac are 16-bit PCM. Throws Error naming the file
// when anything fails; a failed write leaves neither the target nor a temporary file behind.
void writeAudio(const std::filesystem::path& file, const float* interleaved, size_t frames,
                const AudioWriteOptions& options);
void writeAudio(const std::filesystem::path& file, const std::vector<float>& interleaved,
                const AudioWriteOptions& options);

// Sets the serial number of every page of the ogg stream in `bytes` and recomputes the page
// checksums. Throws Error when `bytes` is not a sequence of well-formed ogg pages.
void setOggSerial(std::string& bytes, uint32_t serial);

}  // namespace chorus::audio
