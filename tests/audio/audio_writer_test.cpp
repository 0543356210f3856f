// writeAudio: files are read back with libsndfile itself (its ogg layer checks every page's CRC, so a
// wrong checksum after our serial rewrite would drop pages and frames).
#include "audio/audio_writer.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "test_util.hpp"

namespace chorus::audio {
namespace {

struct Decoded {
  SF_INFO info{};
  std::vector<float> samples;  // interleaved
};

Decoded decode(const std::filesystem::path& file) {
  Decoded d;
  SNDFILE* sf = sf_open(file.c_str(), SFM_READ, &d.info);
  if (!sf) throw std::runtime_error("libsndfile cannot open " + file.string() + ": " + sf_strerror(nullptr));
  d.samples.resize(static_cast<size_t>(d.info.frames) * d.info.channels);
  sf_count_t got = sf_readf_float(sf, d.samples.data(), d.info.frames);
  sf_close(sf);
  d.samples.resize(static_cast<size_t>(got) * d.info.channels);
  return d;
}

std::string bytesOf(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Channel c of a tone mix: channel 0 carries 1 kHz + 2.5 kHz, channel 1 carries 5 kHz.
std::vector<float> tones(int rate, int channels, double seconds) {
  size_t frames = static_cast<size_t>(seconds * rate);
  std::vector<float> x(frames * channels);
  for (size_t i = 0; i < frames; ++i) {
    double t = double(i) / rate;
    x[i * channels] = float(0.4 * std::sin(2 * M_PI * 1000 * t) + 0.2 * std::sin(2 * M_PI * 2500 * t));
    if (channels == 2) x[i * channels + 1] = float(0.5 * std::sin(2 * M_PI * 5000 * t));
  }
  return x;
}

double channelSnrDb(const std::vector<float>& ref, const std::vector<float>& got, int channels, int c) {
  double signal = 0, error = 0;
  for (size_t i = c; i < ref.size() && i < got.size(); i += channels) {
    signal += double(ref[i]) * ref[i];
    error += (double(got[i]) - ref[i]) * (double(got[i]) - ref[i]);
  }
  return 10 * std::log10(signal / std::max(error, 1e-20));
}

TEST(AudioWriter, WavIs16BitPcmAndRoundTrips) {
  auto dir = testing::scratchDir();
  auto x = tones(44100, 2, 1.5);
  writeAudio(dir / "a.wav", x, {44100, 2});
  Decoded d = decode(dir / "a.wav");
  EXPECT_EQ(d.info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  EXPECT_EQ(d.info.samplerate, 44100);
  EXPECT_EQ(d.info.channels, 2);
  ASSERT_EQ(d.samples.size(), x.size());
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::fabs(double(d.samples[i]) - x[i]));
  EXPECT_LE(worst, 2.0 / 32768);  // 16-bit quantisation and libsndfile's 0x7fff/0x8000 scaling
  EXPECT_FALSE(std::filesystem::exists(temporaryPathFor(dir / "a.wav")));
}

TEST(AudioWriter, FlacRoundTripsAtAnyRate) {
  auto dir = testing::scratchDir();
  auto x = tones(48000, 1, 1.0);
  writeAudio(dir / "b.FLAC", x, {48000, 1});
  Decoded d = decode(dir / "b.FLAC");
  EXPECT_EQ(d.info.format, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  EXPECT_EQ(d.info.samplerate, 48000);
  ASSERT_EQ(d.samples.size(), x.size());
  EXPECT_GT(channelSnrDb(x, d.samples, 1, 0), 80);
}

TEST(AudioWriter, OggVorbisKeepsRateChannelsLengthAndSignal) {
  auto dir = testing::scratchDir();
  for (auto [rate, channels] : {std::pair{32000, 1}, std::pair{48000, 2}, std::pair{44100, 2}}) {
    auto x = tones(rate, channels, 2.0);
    auto file = dir / ("c" + std::to_string(rate) + ".ogg");
    writeAudio(file, x, {rate, channels});
    Decoded d = decode(file);
    EXPECT_EQ(d.info.format, SF_FORMAT_OGG | SF_FORMAT_VORBIS) << file;
    EXPECT_EQ(d.info.samplerate, rate);
    EXPECT_EQ(d.info.channels, channels);
    ASSERT_EQ(d.samples.size(), x.size()) << "every page must survive libogg's CRC check: " << file;
    for (int c = 0; c < channels; ++c) EXPECT_GT(channelSnrDb(x, d.samples, channels, c), 20) << file << " ch " << c;
  }
}

TEST(AudioWriter, OggBytesDependOnlyOnSamplesAndFileName) {
  // libsndfile seeds the ogg serial from time(NULL): a second apart, the raw bytes would differ.
  auto dir = testing::scratchDir();
  auto x = tones(32000, 1, 1.0);
  writeAudio(dir / "one" / "d.ogg", x, {32000, 1});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  writeAudio(dir / "two" / "d.ogg", x, {32000, 1});
  std::string first = bytesOf(dir / "one" / "d.ogg");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, bytesOf(dir / "two" / "d.ogg"));
  writeAudio(dir / "one" / "e.ogg", x, {32000, 1});
  EXPECT_NE(first, bytesOf(dir / "one" / "e.ogg")) << "another file name gets another stream serial";
}

TEST(AudioWriter, RewritingAnOggSerialKeepsItDecodable) {
  auto dir = testing::scratchDir();
  auto x = tones(32000, 1, 1.0);
  writeAudio(dir / "f.ogg", x, {32000, 1});
  std::string bytes = bytesOf(dir / "f.ogg");
  setOggSerial(bytes, 0xdeadbeef);
  std::ofstream(dir / "g.ogg", std::ios::binary) << bytes;
  EXPECT_EQ(decode(dir / "g.ogg").samples.size(), x.size());
  // The same change without the checksums recomputed: libogg drops the pages.
  bytes[14] ^= 0x5a;
  std::ofstream(dir / "h.ogg", std::ios::binary) << bytes;
  EXPECT_THROW(decode(dir / "h.ogg"), std::runtime_error);

  std::string notOgg = "RIFF and then some";
  EXPECT_THROW(setOggSerial(notOgg, 1), Error);
  std::string truncated = bytesOf(dir / "f.ogg").substr(0, 200);
  EXPECT_THROW(setOggSerial(truncated, 1), Error);
}

TEST(AudioWriter, OutOfRangeSamplesClipInsteadOfWrapping) {
  auto dir = testing::scratchDir();
  std::vector<float> x = {1.5f, -1.5f, 0.25f};
  writeAudio(dir / "clip.wav", x, {32000, 1});
  Decoded d = decode(dir / "clip.wav");
  ASSERT_EQ(d.samples.size(), 3u);
  EXPECT_GT(d.samples[0], 0.99f);
  EXPECT_LT(d.samples[1], -0.99f);
  EXPECT_NEAR(d.samples[2], 0.25f, 1e-4);
}

TEST(AudioWriter, FailuresNameTheFileAndLeaveNothingBehind) {
  auto dir = testing::scratchDir();
  auto x = tones(32000, 1, 0.1);
  EXPECT_THROW(writeAudio(dir / "x.mp3", x, {32000, 1}), UsageError);
  EXPECT_THROW(writeAudio(dir / "x.ogg", x, {32000, 3}), UsageError);
  EXPECT_THROW(writeAudio(dir / "x.ogg", std::vector<float>(5), {32000, 2}), UsageError);
  auto broken = x;
  broken[10] = NAN;  // libsndfile alone would write it as silence
  EXPECT_THROW(writeAudio(dir / "nan.ogg", broken, {32000, 1}), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "nan.ogg"));
  std::ofstream(dir / "plain") << "a file, not a folder";
  try {
    writeAudio(dir / "plain" / "y.wav", x, {32000, 1});
    FAIL() << "writing under a regular file must fail";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("plain"), std::string::npos) << e.what();
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace chorus::audio
