// Decoding the real recordings of ../shared/real_audio (every format and rate we may meet), against
// soxi's durations in its SOURCES.md and librosa.load's samples (tools/make_decode_fixture.py); and
// decoding the committed synthesised files (WAV int16/float, FLAC 24-bit, Vorbis, MP3, Opus at 16 to
// 48 kHz, mono and stereo) against soundfile.info and librosa.load (tools/make_audio_fixtures.py).
#include "audio/decode.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "audio/resample.hpp"
#include "audio_fixtures.hpp"
#include "core/error.hpp"

namespace chorus::audio {
namespace {

using chorus::testing::realAudio;

struct Recording {
  const char* file;
  int rate;
  int channels;
  double soxiSeconds;  // SOURCES.md (sox 14.4.2); the opus one from its OpusHead and last granule
  double tolerance;    // seconds: lossless and Vorbis to the millisecond soxi prints; mp3 up to the
                       // encoder delay and padding (~1700 samples) that a gapless decoder trims
  bool mp3() const { return std::filesystem::path(file).extension() == ".mp3"; }
};

// probeAudio's mp3 length is libsndfile's estimate from bitrate and file size (ID3 tags count as
// audio there): the XC GWWA files come out 0.26-0.38 s long. Good enough to size shards.
constexpr double kMp3ProbeTolerance = 0.4;

constexpr double kExact = 0.0011, kMp3 = 0.1;
const Recording kRecordings[] = {
    {"birdnet_soundscape.flac", 48000, 1, 120.000, kExact},
    {"birdnet_soundscape.ogg", 48000, 1, 120.000, kExact},
    {"birdnet_soundscape.mp3", 48000, 1, 120.048, kMp3},
    {"XC563936_soundscape.mp3", 48000, 1, 72.073, kMp3},
    {"XC13738_GWWA.mp3", 44100, 1, 54.867, kMp3},
    {"XC135601_GWWA.mp3", 44100, 2, 10.043, kMp3},
    {"XC13742_GWWA.mp3", 44100, 1, 2.048, kMp3},
    {"opensoundscape_birds_10s.wav", 32000, 1, 10.133, kExact},
    {"opensoundscape_1min.wav", 32000, 1, 60.000, kExact},
    {"opensoundscape_aru_1.wav", 32000, 1, 3.000, kExact},
    {"opensoundscape_metadata_audiomoth.wav", 32000, 1, 14.969, kExact},
    {"opensoundscape_rugr_drum.wav", 32000, 1, 10.000, kExact},
    {"opensoundscape_great_plains_toad.wav", 44100, 1, 44.571, kExact},
    {"maad_spinetail.wav", 44100, 1, 19.542, kExact},
    {"maad_indices_S4A03895_20190522_060000.wav", 22000, 1, 10.000, kExact},
    {"BirdCLEF-Baseline_Acadian_Flycatcher.wav", 44100, 1, 13.401, kExact},
    {"librosa_robin_456440.hq.ogg", 44100, 2, 2.699, kExact},
    {"librosa_glacier_bay_humpback.hq.ogg", 44100, 1, 64.809, kExact},
    {"perch_21100_36_48.wav", 16000, 1, 10.000, kExact},
    {"perch_21100_36_48.flac", 16000, 1, 10.000, kExact},
    {"perch_21100_36_48.ogg", 16000, 1, 10.000, kExact},
    {"perch_21100_36_48.mp3", 16000, 1, 10.080, kMp3},
    {"perch_21100_36_48.opus", 16000, 1, 10.000, kExact},
    {"bat_20170701_213954-MYOMYS-LR_0_0.5.wav", 500000, 1, 0.500, kExact},
    {"bat_20180530_213516-EPTSER-LR_0_0.5.wav", 384000, 1, 0.500, kExact},
    {"bat_20180627_215323-RHIFER-LR_0_0.5.wav", 384000, 1, 0.500, kExact},
};

class RealRecording : public ::testing::TestWithParam<Recording> {};

TEST_P(RealRecording, ProbesDecodesAndResamplesTo32k) {
  const Recording& r = GetParam();
  CHORUS_REQUIRE_REAL_AUDIO(r.file);
  const auto path = realAudio(r.file);

  const AudioInfo info = probeAudio(path);
  RecordProperty("format", info.format);
  EXPECT_EQ(info.sampleRate, r.rate) << info.format;
  EXPECT_EQ(info.channels, r.channels);
  EXPECT_NEAR(info.seconds, r.soxiSeconds, r.mp3() ? kMp3ProbeTolerance : r.tolerance) << info.format;

  const Audio native = loadAudio(path, 0);
  EXPECT_EQ(native.sampleRate, r.rate);
  EXPECT_EQ(native.sourceChannels, r.channels);
  EXPECT_NEAR(native.seconds(), r.soxiSeconds, r.tolerance) << "decoded length, " << info.format;

  const Audio audio = loadAudio(path);
  EXPECT_EQ(audio.sampleRate, 32000);
  EXPECT_EQ(audio.sourceRate, r.rate);
  EXPECT_EQ(audio.sourceChannels, r.channels);
  EXPECT_EQ(audio.samples.size(), resampledLength(native.samples.size(), r.rate, 32000));
  EXPECT_NEAR(audio.seconds(), r.soxiSeconds, r.tolerance + 1.0 / 32000);
  std::cout << r.file << ": " << info.format << ", " << info.sampleRate << " Hz x" << info.channels << ", "
            << native.seconds() << " s decoded (soxi " << r.soxiSeconds << ")\n";
}

INSTANTIATE_TEST_SUITE_P(SharedRealAudio, RealRecording, ::testing::ValuesIn(kRecordings),
                         [](const ::testing::TestParamInfo<Recording>& p) {
                           std::string name = p.param.file;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(Decode, PerchClipAt16kGivesExactly320000Samples) {
  for (const char* file : {"perch_21100_36_48.wav", "perch_21100_36_48.flac"}) {
    CHORUS_REQUIRE_REAL_AUDIO(file);
    const Audio audio = loadAudio(realAudio(file));
    EXPECT_EQ(audio.samples.size(), 320000u) << file;
  }
}

// librosa.load(sr=None, mono=True): same samples, stereo files averaged over the channels.
void expectLibrosaLoadParity(const std::string& fixtureJson) {
  const auto meta = chorus::testing::readAudioFixtureJson(fixtureJson);
  for (const auto& c : meta["cases"]) {
    const std::string file = c["file"];
    CHORUS_REQUIRE_REAL_AUDIO(file);
    const auto expected = chorus::testing::readF32(c["output"]);
    const Audio audio = loadAudio(chorus::testing::caseAudio(file), 0);
    ASSERT_EQ(audio.sampleRate, c["sample_rate"].get<int>()) << file;
    ASSERT_EQ(audio.sourceChannels, c["channels"].get<int>()) << file;
    ASSERT_GE(audio.samples.size(), expected.size()) << file;
    const double diff = chorus::testing::maxAbsDiff(audio.samples.data(), expected.data(), expected.size());
    std::cout << file << ": max |ours - librosa.load| over " << expected.size() << " samples = " << diff << "\n";
    ::testing::Test::RecordProperty("max_abs_diff_" + c["name"].get<std::string>(), std::to_string(diff));
    // Same decoders (libsndfile 1.2.0 here, 1.2.2 in the soundfile wheel); lossy decoders may round
    // differently in the last bits.
    EXPECT_LE(diff, 1e-5) << file;
  }
}

TEST(Decode, MatchesLibrosaLoadIncludingStereoDownmix) { expectLibrosaLoadParity("decode.json"); }

TEST(Decode, SynthesisedFilesMatchLibrosaLoad) { expectLibrosaLoadParity("synth_decode.json"); }

// Every format x rate x channel count of the synthesised set: probe and decode agree with
// soundfile.info and librosa.load's length (mp3: probe is libsndfile's bitrate estimate, see above).
TEST(Decode, SynthesisedFilesProbeAndDecodeToTheirLength) {
  const auto meta = chorus::testing::readAudioFixtureJson("synth_decode.json");
  std::set<std::string> formats;
  std::set<int> rates, channels;
  for (const auto& c : meta["cases"]) {
    const auto path = chorus::testing::caseAudio(c["file"]);
    const int rate = c["sample_rate"], chans = c["channels"];
    const bool mp3 = path.extension() == ".mp3";
    const AudioInfo info = probeAudio(path);
    EXPECT_EQ(info.sampleRate, rate) << path;
    EXPECT_EQ(info.channels, chans) << path;
    EXPECT_NEAR(info.seconds, c["info_frames"].get<double>() / rate, mp3 ? kMp3ProbeTolerance : 1e-6) << path;
    const Audio native = loadAudio(path, 0);
    EXPECT_EQ(native.sampleRate, rate);
    EXPECT_EQ(native.sourceChannels, chans);
    EXPECT_EQ(native.samples.size(), c["decoded_samples"].get<size_t>()) << path;
    const Audio audio = loadAudio(path);
    EXPECT_EQ(audio.sampleRate, 32000);
    EXPECT_EQ(audio.samples.size(), resampledLength(native.samples.size(), rate, 32000)) << path;
    formats.insert(path.extension().string() + ":" + c["subtype"].get<std::string>());
    rates.insert(rate), channels.insert(chans);
  }
  EXPECT_EQ(formats, (std::set<std::string>{".wav:PCM_16", ".wav:FLOAT", ".flac:PCM_24", ".ogg:VORBIS", ".mp3:MPEG_LAYER_III",
                                            ".opus:OPUS"}));
  EXPECT_EQ(rates, (std::set<int>{16000, 22050, 32000, 44100, 48000}));
  EXPECT_EQ(channels, (std::set<int>{1, 2}));
}

void expectInputErrorNaming(const std::filesystem::path& file) {
  try {
    loadAudio(file);
    FAIL() << "no error for " << file;
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file.string()), std::string::npos) << what;
    EXPECT_GT(what.size(), file.string().size() + 20) << "no reason given: " << what;
    EXPECT_EQ(e.code(), ExitCode::BadInput);
  }
  EXPECT_THROW(probeAudio(file), InputError);
}

TEST(Decode, MissingFileIsAnInputErrorNamingIt) {
  expectInputErrorNaming(chorus::testing::scratchDir() / "no_such_file.ogg");
}

TEST(Decode, EmptyFileIsAnInputErrorNamingIt) {
  const auto file = chorus::testing::scratchDir() / "empty.ogg";
  std::ofstream(file).close();
  expectInputErrorNaming(file);
}

TEST(Decode, GarbageBytesAreAnInputErrorNamingThem) {
  const auto file = chorus::testing::scratchDir() / "garbage.ogg";
  std::ofstream out(file, std::ios::binary);
  for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919) % 251));
  out.close();
  expectInputErrorNaming(file);
}

// An ogg cut in half (a download that stopped) still decodes up to the cut, or fails cleanly.
TEST(Decode, TruncatedOggDecodesItsHeadOrFailsCleanly) {
  const auto source = chorus::testing::fixture("audio/synth/soundscape_32k.ogg");  // 30 s, committed
  const auto file = chorus::testing::scratchDir() / "truncated.ogg";
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  try {
    const Audio audio = loadAudio(file);
    EXPECT_GT(audio.seconds(), 5.0);
    EXPECT_LT(audio.seconds(), 30.0);
    // The header has no length any more; probe counts what decodes.
    const AudioInfo info = probeAudio(file);
    EXPECT_NEAR(info.seconds, audio.seconds(), 1e-3);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace chorus::audio
