// Energy profile against librosa.feature.rms and numpy's moving average on real recordings
// (tools/make_energy_fixture.py), and the window placement the crop uses.
#include "audio/energy.hpp"

#include <gtest/gtest.h>

#include "audio/decode.hpp"
#include "audio_fixtures.hpp"

namespace chorus::audio {
namespace {

void expectEnergyParity(const std::string& fixtureJson) {
  const auto meta = chorus::testing::readAudioFixtureJson(fixtureJson);
  EnergyOptions options;
  ASSERT_EQ(meta["params"]["frame_length"].get<int>(), options.frameLength);
  ASSERT_EQ(meta["params"]["hop"].get<int>(), options.hop);
  ASSERT_EQ(meta["params"]["smooth_frames"].get<int>(), options.smoothFrames);
  for (const auto& c : meta["clips"]) {
    const std::string file = c["file"];
    CHORUS_REQUIRE_REAL_AUDIO(file);
    const Audio audio = loadAudio(chorus::testing::caseAudio(file));
    const EnergyProfile p = energyProfile(audio.samples.data(), audio.samples.size(), audio.sampleRate, options);
    const auto rms = chorus::testing::readF32(c["rms"]);
    const auto smoothed = chorus::testing::readF32(c["smoothed"]);
    ASSERT_EQ(p.rms.size(), rms.size()) << file;
    ASSERT_EQ(p.smoothed.size(), smoothed.size()) << file;
    double peak = 0;
    for (float v : rms) peak = std::max(peak, double(v));
    const double dRms = chorus::testing::maxAbsDiff(p.rms.data(), rms.data(), rms.size());
    const double dSmooth = chorus::testing::maxAbsDiff(p.smoothed.data(), smoothed.data(), smoothed.size());
    std::cout << file << ": max |rms - librosa| = " << dRms << ", smoothed " << dSmooth << " (peak rms " << peak
              << "), peak frame " << p.peakFrame << "\n";
    EXPECT_LE(dRms, 1e-6 * peak) << file;
    EXPECT_LE(dSmooth, 1e-6 * peak) << file;
    EXPECT_EQ(p.peakFrame, c["peak_frame"].get<int64_t>()) << file;
    EXPECT_DOUBLE_EQ(p.peakSeconds, c["peak_seconds"].get<double>()) << file;
  }
}

TEST(Energy, MatchesLibrosaRmsAndNumpySmoothing) { expectEnergyParity("energy.json"); }
TEST(Energy, MatchesLibrosaRmsAndNumpySmoothingOnSynthesisedAudio) { expectEnergyParity("synth_energy.json"); }

TEST(Energy, PeakFrameFromSkipsTheLead) {
  // A loud burst at 0.5 s and a quieter one at 3 s: from 1 s on, the later one is the peak.
  const int sr = 32000;
  std::vector<float> x(4 * sr, 0.0f);
  for (int i = 0; i < 3200; ++i) x[sr / 2 + i] = (i % 2 ? 0.8f : -0.8f), x[3 * sr + i] = (i % 2 ? 0.3f : -0.3f);
  const EnergyProfile p = energyProfile(x.data(), x.size(), sr);
  EXPECT_NEAR(p.peakSeconds, 0.55, 0.05);
  const int64_t later = p.peakFrameFrom(1.0);
  EXPECT_NEAR(double(later) * p.hop / sr, 3.05, 0.05);
  EXPECT_EQ(p.peakFrameFrom(100.0), p.peakFrame);  // nothing that late: the overall peak
}

TEST(Energy, SilenceAndEmptyClips) {
  const std::vector<float> silence(10000, 0.0f);
  const EnergyProfile p = energyProfile(silence.data(), silence.size(), 32000);
  EXPECT_EQ(p.rms.size(), size_t(1 + 10000 / 512));
  EXPECT_EQ(p.peakFrame, 0);  // first maximum, like np.argmax
  const EnergyProfile empty = energyProfile(nullptr, 0, 32000);
  EXPECT_EQ(empty.peakFrame, -1);
  EXPECT_TRUE(empty.rms.empty());
}

TEST(Energy, CentredWindowStaysInsideTheClip) {
  const int64_t total = 10 * 32000, window = 5 * 32000;
  EXPECT_EQ(centredWindowStart(5 * 32000, window, total), 5 * 32000 - window / 2);
  EXPECT_EQ(centredWindowStart(1000, window, total), 0);               // near the start
  EXPECT_EQ(centredWindowStart(total - 10, window, total), total - window);  // near the end
  EXPECT_EQ(centredWindowStart(1000, window, total, 2 * 32000), 2 * 32000);  // after a leading voice note
  EXPECT_EQ(centredWindowStart(1000, window, total, 8 * 32000), 0);  // lead too long to skip: ignored
  EXPECT_EQ(centredWindowStart(1000, window, 3 * 32000), 0);         // clip shorter than the window
}

}  // namespace
}  // namespace chorus::audio
