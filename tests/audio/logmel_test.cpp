// Log-mel parity with torchaudio (the default options) and librosa (librosaDefaults) on real
// recordings (tools/make_logmel_fixture.py) and on committed synthesised audio
// (tools/make_audio_fixtures.py).
#include "audio/logmel.hpp"

#include <gtest/gtest.h>

#include "audio/decode.hpp"
#include "audio_fixtures.hpp"

namespace chorus::audio {
namespace {

// Cells at or below this (in the reference) are near the amin floor, where a few float32 roundings
// in a tiny power are tens of dB; the parity claim is about everything above it.
constexpr double kFloorDb = -80;

struct Parity {
  double maxAboveFloor = 0, maxAll = 0;
  size_t cellsAboveFloor = 0;
};

Parity compare(const std::vector<float>& ours, const std::vector<float>& ref) {
  Parity p;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double d = std::abs(double(ours[i]) - ref[i]);
    p.maxAll = std::max(p.maxAll, d);
    if (ref[i] > kFloorDb) p.maxAboveFloor = std::max(p.maxAboveFloor, d), ++p.cellsAboveFloor;
  }
  return p;
}

void expectParity(const std::string& fixtureJson, const std::string& library, const MelOptions& options) {
  const auto meta = chorus::testing::readAudioFixtureJson(fixtureJson);
  const LogMel logmel(options);
  for (const auto& clip : meta["clips"]) {
    const std::string file = clip["file"];
    CHORUS_REQUIRE_REAL_AUDIO(file);
    const Audio audio = loadAudio(chorus::testing::caseAudio(file));  // 32 kHz: no resampling
    const size_t n = clip["samples"];
    ASSERT_GE(audio.samples.size(), n);
    const auto ref = chorus::testing::readF32(clip[library]["file"]);
    const int64_t frames = clip[library]["frames"];
    ASSERT_EQ(logmel.frames(static_cast<int64_t>(n)), frames);
    ASSERT_EQ(ref.size(), size_t(frames) * options.nMels);

    const std::vector<float> ours = logmel.compute(audio.samples.data(), n);
    const Parity p = compare(ours, ref);
    const std::string name = clip["name"];
    std::cout << library << " " << name << ": " << frames << " frames, max |ours - ref| = " << p.maxAboveFloor
              << " dB over " << p.cellsAboveFloor << " cells above " << kFloorDb << " dB (" << p.maxAll
              << " dB over all cells)\n";
    ::testing::Test::RecordProperty("max_abs_diff_db_" + library + "_" + name, std::to_string(p.maxAboveFloor));
    EXPECT_GT(p.cellsAboveFloor, ref.size() / 2);
    EXPECT_LE(p.maxAboveFloor, 1e-3) << library << " " << name;
  }
}

TEST(LogMel, MatchesTorchaudioMelSpectrogramWithDefaults) {
  expectParity("logmel.json", "torchaudio", MelOptions{});
}

TEST(LogMel, MatchesLibrosaMelspectrogramWithLibrosaDefaults) {
  expectParity("logmel.json", "librosa", MelOptions::librosaDefaults());
}

TEST(LogMel, MatchesTorchaudioOnSynthesisedAudio) { expectParity("synth_logmel.json", "torchaudio", MelOptions{}); }

TEST(LogMel, MatchesLibrosaOnSynthesisedAudio) {
  expectParity("synth_logmel.json", "librosa", MelOptions::librosaDefaults());
}

// torchaudio.functional.melscale_fbanks(norm=None, mel_scale="htk") and librosa.filters.mel.
void expectFilterbank(const std::string& key, const MelOptions& options) {
  const auto banks = chorus::testing::readAudioFixtureJson("mel_filterbanks.json");
  const std::vector<float> ours = melFilterbank(options);
  const int mels = options.nMels;
  std::vector<float> ref(ours.size(), 0.0f);
  for (const auto& e : banks[key]) ref[e[0].get<size_t>() * mels + e[1].get<size_t>()] = e[2].get<float>();
  double worst = 0, largest = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    worst = std::max(worst, std::abs(double(ours[i]) - ref[i]));
    largest = std::max(largest, double(ref[i]));
  }
  std::cout << key << ": max |ours - ref| = " << worst << " (largest weight " << largest << ")\n";
  // torch's pow (Sleef, 1 ulp) rounds 3 of the 130 HTK edge frequencies differently from ours.
  EXPECT_LE(worst, 1e-5 * largest) << key;
}

TEST(LogMel, HtkFilterbankMatchesTorchaudio) { expectFilterbank("torchaudio_htk_none", MelOptions{}); }
TEST(LogMel, SlaneyFilterbankMatchesLibrosa) {
  expectFilterbank("librosa_slaney_slaney", MelOptions::librosaDefaults());
}

// librosa.power_to_db's top_db rule applied to its own output (the fixture): max(x, max(x) - 30).
// On the synthesised clip (tools/make_audio_fixtures.py), committed: it runs in every clone.
TEST(LogMel, TopDbClipsBelowTheClipMaximumLikePowerToDb) {
  const auto meta = chorus::testing::readAudioFixtureJson("synth_logmel.json");
  const auto& clip = meta["clips"][0];
  const Audio audio = loadAudio(chorus::testing::caseAudio(clip["file"]));
  MelOptions options = MelOptions::librosaDefaults();
  options.topDb = 30;
  const std::vector<float> ours = LogMel(options).compute(audio.samples.data(), clip["samples"].get<size_t>());
  std::vector<float> ref = chorus::testing::readF32(clip["librosa"]["file"]);
  const float top = *std::max_element(ref.begin(), ref.end());
  size_t clipped = 0;
  for (float& v : ref) {
    if (v < top - 30) ++clipped;
    v = std::max(v, top - 30);
  }
  EXPECT_GT(clipped, ref.size() / 10) << "too little of the clip is 30 dB below its peak to show anything";
  EXPECT_LE(chorus::testing::maxAbsDiff(ours.data(), ref.data(), ref.size()), 1e-3);
}

// Digital silence gives the floor, 10*log10(amin), never -inf or NaN.
TEST(LogMel, SilenceGivesTheAminFloor) {
  const std::vector<float> silence(32000, 0.0f);
  for (MelOptions options : {MelOptions{}, MelOptions::librosaDefaults()}) {
    const std::vector<float> db = LogMel(options).compute(silence);
    ASSERT_EQ(db.size(), size_t(1 + 32000 / 512) * 128);
    for (float v : db) ASSERT_FLOAT_EQ(v, -100.0f);
  }
}

TEST(LogMel, FrameCountsFollowTorchStft) {
  const LogMel centred{MelOptions{}};
  EXPECT_EQ(centred.frames(160000), 313);  // a 5 s window (DESIGN.md)
  EXPECT_EQ(centred.frames(1), 1);
  EXPECT_EQ(centred.frames(0), 0);
  MelOptions o;
  o.center = false;
  const LogMel plain(o);
  EXPECT_EQ(plain.frames(2047), 0);
  EXPECT_EQ(plain.frames(2048), 1);
  EXPECT_EQ(plain.frames(160000), 1 + (160000 - 2048) / 512);
}

// Shorter than n_fft/2: reflect padding reflects repeatedly (numpy's rule) instead of failing.
TEST(LogMel, ClipShorterThanHalfAWindowStillComputes) {
  const std::vector<float> x{0.5f, -0.25f, 0.125f, 0.0f, -0.5f};
  const std::vector<float> db = LogMel(MelOptions{}).compute(x);
  ASSERT_EQ(db.size(), 128u);
  for (float v : db) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace chorus::audio
