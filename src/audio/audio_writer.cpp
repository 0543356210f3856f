#include "audio/audio_writer.hpp"

#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <system_error>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"

namespace chorus::audio {
namespace {

// The ogg page checksum: CRC-32 with polynomial 0x04c11db7, no reflection, initial value 0,
// computed over the whole page with its checksum field set to zero (RFC 3533).
const std::array<uint32_t, 256>& oggCrcTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t r = i << 24;
      for (int k = 0; k < 8; ++k) r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
      t[i] = r;
    }
    return t;
  }();
  return table;
}

uint32_t oggCrc(const unsigned char* data, size_t n) {
  const auto& table = oggCrcTable();
  uint32_t crc = 0;
  for (size_t i = 0; i < n; ++i) crc = (crc << 8) ^ table[((crc >> 24) ^ data[i]) & 0xff];
  return crc;
}

void putLe32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

// FNV-1a: a stable serial per file name, so equal inputs give equal bytes in any folder.
uint32_t serialFor(const std::filesystem::path& file) {
  uint32_t h = 2166136261u;
  for (unsigned char c : file.filename().string()) h = (h ^ c) * 16777619u;
  return h;
}

int sndfileFormat(AudioContainer container) {
  switch (container) {
    case AudioContainer::OggVorbis: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    case AudioContainer::Wav: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case AudioContainer::Flac: return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  }
  return 0;
}

// libsndfile writes the temporary file; any failure removes it and names the target.
void encode(const std::filesystem::path& temp, const std::filesystem::path& target, AudioContainer container,
            const float* interleaved, size_t frames, const AudioWriteOptions& options) {
  SF_INFO info{};
  info.samplerate = options.sampleRate;
  info.channels = options.channels;
  info.format = sndfileFormat(container);
  if (!sf_format_check(&info))
    throw Error("cannot write " + target.string() + ": libsndfile rejects " + std::to_string(options.channels) +
                " channels at " + std::to_string(options.sampleRate) + " Hz for this format");
  SNDFILE* sf = sf_open(temp.c_str(), SFM_WRITE, &info);
  if (!sf) throw Error("cannot write " + target.string() + ": sf_open: " + sf_strerror(nullptr));
  sf_command(sf, SFC_SET_CLIPPING, nullptr, SF_TRUE);  // out-of-range floats clip instead of wrapping
  if (container == AudioContainer::OggVorbis) {
    double quality = std::clamp(options.vorbisQuality, 0.0, 1.0);
    sf_command(sf, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof quality);
  }
  // In blocks: handed a whole file at once, libsndfile's vorbis path queues every packet before the
  // first page goes out, and libogg then moves the queue down after each page (quadratic time).
  constexpr size_t kBlock = 8192;
  std::string error;
  for (size_t done = 0; done < frames && error.empty();) {
    size_t n = std::min(kBlock, frames - done);
    if (sf_writef_float(sf, interleaved + done * options.channels, static_cast<sf_count_t>(n)) != static_cast<sf_count_t>(n))
      error = sf_strerror(sf);
    done += n;
  }
  if (sf_close(sf) != 0 && error.empty()) error = "sf_close failed";
  if (!error.empty()) throw Error("cannot write " + target.string() + ": sf_writef_float: " + error);
}

void restampOgg(const std::filesystem::path& temp, const std::filesystem::path& target) {
  std::string bytes = readTextFile(temp);
  try {
    setOggSerial(bytes, serialFor(target));
  } catch (const Error& e) {
    throw Error("cannot write " + target.string() + ": libsndfile's ogg output: " + e.what());
  }
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error("cannot write " + temp.string());
}

}  // namespace

AudioContainer containerFor(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".ogg") return AudioContainer::OggVorbis;
  if (ext == ".wav") return AudioContainer::Wav;
  if (ext == ".flac") return AudioContainer::Flac;
  throw UsageError("cannot write audio to " + file.string() + ": the extension must be .ogg, .wav or .flac");
}

void setOggSerial(std::string& bytes, uint32_t serial) {
  auto* data = reinterpret_cast<unsigned char*>(bytes.data());
  size_t pos = 0;
  while (pos < bytes.size()) {
    // Page header: "OggS", version, flags, granule (8), serial (4), sequence (4), crc (4), segment count.
    if (bytes.size() - pos < 27 || bytes.compare(pos, 4, "OggS") != 0)
      throw Error("not an ogg page at byte " + std::to_string(pos));
    size_t segments = data[pos + 26];
    if (bytes.size() - pos < 27 + segments) throw Error("truncated ogg page at byte " + std::to_string(pos));
    size_t length = 27 + segments;
    for (size_t i = 0; i < segments; ++i) length += data[pos + 27 + i];
    if (bytes.size() - pos < length) throw Error("truncated ogg page at byte " + std::to_string(pos));
    putLe32(data + pos + 14, serial);
    putLe32(data + pos + 22, 0);
    putLe32(data + pos + 22, oggCrc(data + pos, length));
    pos += length;
  }
}

void writeAudio(const std::filesystem::path& file, const float* interleaved, size_t frames,
                const AudioWriteOptions& options) {
  AudioContainer container = containerFor(file);
  if (options.channels < 1 || options.channels > 2)
    throw UsageError("cannot write " + file.string() + ": " + std::to_string(options.channels) +
                     " channels (1 or 2 are supported)");
  if (options.sampleRate <= 0) throw UsageError("cannot write " + file.string() + ": sample rate must be positive");
  // libsndfile would write NaN as silence without a word: a bug upstream must not pass as audio.
  for (size_t i = 0; i < frames * static_cast<size_t>(options.channels); ++i)
    if (!std::isfinite(interleaved[i]))
      throw Error("cannot write " + file.string() + ": sample " + std::to_string(i) + " is not a finite number");
  if (file.has_parent_path()) ensureDir(file.parent_path());
  auto temp = temporaryPathFor(file);
  try {
    encode(temp, file, container, interleaved, frames, options);
    if (container == AudioContainer::OggVorbis) restampOgg(temp, file);
    publishFile(temp, file);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw;
  }
}

void writeAudio(const std::filesystem::path& file, const std::vector<float>& interleaved,
                const AudioWriteOptions& options) {
  if (options.channels > 0 && interleaved.size() % static_cast<size_t>(options.channels) != 0)
    throw UsageError("cannot write " + file.string() + ": " + std::to_string(interleaved.size()) +
                     " samples do not make whole frames of " + std::to_string(options.channels) + " channels");
  size_t frames = options.channels > 0 ? interleaved.size() / static_cast<size_t>(options.channels) : 0;
  writeAudio(file, interleaved.data(), frames, options);
}

}  // namespace chorus::audio
