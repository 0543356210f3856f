// soxr HQ resampling against librosa.resample(res_type="soxr_hq") on real recordings
// (tools/make_resample_fixture.py) and on committed synthesised audio (tools/make_audio_fixtures.py): an upsample, a fractional and a large-ratio downsample.
#include "audio/resample.hpp"

#include <gtest/gtest.h>

#include "audio/decode.hpp"
#include "audio_fixtures.hpp"
#include "core/error.hpp"

namespace chorus::audio {
namespace {

void expectSoxrHqParity(const std::string& fixtureJson) {
  const auto meta = chorus::testing::readAudioFixtureJson(fixtureJson);
  for (const auto& c : meta["cases"]) {
    const std::string file = c["file"];
    CHORUS_REQUIRE_REAL_AUDIO(file);
    const Audio source = loadAudio(chorus::testing::caseAudio(file), 0);
    ASSERT_EQ(source.sampleRate, c["source_rate"].get<int>()) << file;
    const size_t n = c["input_samples"];
    ASSERT_GE(source.samples.size(), n);
    const std::vector<float> ours = resample(source.samples.data(), n, source.sampleRate, c["target_rate"]);
    const auto expected = chorus::testing::readF32(c["output"]);
    ASSERT_EQ(ours.size(), expected.size()) << file;
    ASSERT_EQ(ours.size(), c["output_samples"].get<size_t>());
    const double diff = chorus::testing::maxAbsDiff(ours.data(), expected.data(), ours.size());
    double peak = 0;
    for (float v : expected) peak = std::max(peak, double(std::abs(v)));
    std::cout << c["name"].get<std::string>() << " (" << source.sampleRate << " -> 32000 Hz): max |ours - librosa| = "
              << diff << " (signal peak " << peak << ")\n";
    ::testing::Test::RecordProperty("max_abs_diff_" + c["name"].get<std::string>(), std::to_string(diff));
    EXPECT_LE(diff, 1e-5) << file;
  }
}

TEST(Resample, MatchesLibrosaSoxrHqOnRealRecordings) { expectSoxrHqParity("resample.json"); }

// 16, 22.05, 44.1 (stereo, downmixed) and 48 kHz synthesised files (tools/make_audio_fixtures.py).
TEST(Resample, MatchesLibrosaSoxrHqOnSynthesisedAudio) { expectSoxrHqParity("synth_resample.json"); }

TEST(Resample, LengthIsCeilingOfScaledLengthLikeLibrosa) {
  EXPECT_EQ(resampledLength(160000, 16000, 32000), 320000u);  // the perch 10 s clip
  EXPECT_EQ(resampledLength(44100, 44100, 32000), 32000u);
  EXPECT_EQ(resampledLength(44101, 44100, 32000), 32001u);   // ceil(32000.73)
  EXPECT_EQ(resampledLength(1, 500000, 32000), 1u);
  EXPECT_EQ(resampledLength(0, 48000, 32000), 0u);
  EXPECT_EQ(resampledLength(size_t{48000} * 3600 * 24, 48000, 32000), size_t{32000} * 3600 * 24);  // no overflow
}

TEST(Resample, EqualRatesCopyAndTinyInputsWork) {
  const std::vector<float> x{0.1f, -0.2f, 0.3f};
  EXPECT_EQ(resample(x.data(), x.size(), 32000, 32000), x);
  EXPECT_EQ(resample(x.data(), x.size(), 16000, 32000).size(), 6u);
  EXPECT_TRUE(resample(x.data(), 0, 16000, 32000).empty());
  EXPECT_THROW(resample(x.data(), x.size(), 0, 32000), Error);
}

}  // namespace
}  // namespace chorus::audio
