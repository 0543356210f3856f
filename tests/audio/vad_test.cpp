// Leading voice/silence detection on synthetic clips with a known answer (a voice-like note, then
// bird-like chirps) and on real bird recordings that have no voice.
#include "audio/vad.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "audio/decode.hpp"
#include "audio_fixtures.hpp"

namespace chorus::audio {
namespace {

constexpr int kRate = 32000;
const double kPi = std::acos(-1.0);

std::vector<float> noiseFloor(double seconds, float amplitude, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss(0.0f, amplitude);
  std::vector<float> x(static_cast<size_t>(seconds * kRate));
  for (float& v : x) v = gauss(rng);
  return x;
}

// Voiced speech stand-in: harmonics of a slowly falling f0 under three formant peaks (500, 1500,
// 2500 Hz), with the amplitude opening and closing at 4 syllables per second.
void addVoice(std::vector<float>& x, double from, double to, double f0) {
  const double formants[] = {500, 1500, 2500};
  double phase = 0;
  for (size_t i = static_cast<size_t>(from * kRate); i < static_cast<size_t>(to * kRate) && i < x.size(); ++i) {
    const double t = double(i) / kRate - from;
    const double pitch = f0 * (1.0 - 0.1 * t / (to - from));  // intonation falls 10%
    phase += 2 * kPi * pitch / kRate;
    double s = 0;
    for (int k = 1; k * pitch < 4000; ++k) {
      double gain = 0.05;
      for (double F : formants) gain += std::exp(-std::pow((k * pitch - F) / 200.0, 2));
      s += gain / std::sqrt(k) * std::sin(k * phase);
    }
    const double syllables = 0.5 * (1 - std::cos(2 * kPi * 4.0 * t));
    x[i] += static_cast<float>(0.05 * syllables * s);
  }
}

// Bird-like notes: 150 ms upward FM sweeps between 2 and 8 kHz, one every 0.4 s.
void addChirps(std::vector<float>& x, double from, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> lowHz(2000, 5000), spanHz(1000, 3000);
  for (double start = from; start + 0.15 < double(x.size()) / kRate; start += 0.4) {
    const double f1 = lowHz(rng), f2 = f1 + spanHz(rng);
    double phase = 0;
    for (int i = 0; i < int(0.15 * kRate); ++i) {
      const double u = double(i) / (0.15 * kRate);
      phase += 2 * kPi * (f1 + (f2 - f1) * u) / kRate;
      x[static_cast<size_t>(start * kRate) + i] += static_cast<float>(0.1 * std::sin(kPi * u) * std::sin(phase));
    }
  }
}

std::string describe(const std::vector<LeadSegment>& segments) {
  std::string s;
  for (const auto& g : segments) s += std::string(toString(g.kind)) + " [" + std::to_string(g.start) + ", " + std::to_string(g.end) + ") ";
  return s.empty() ? "none" : s;
}

struct VoiceCase {
  double voiceSeconds, f0;
};

class LeadingVoice : public ::testing::TestWithParam<VoiceCase> {};

TEST_P(LeadingVoice, EndIsFoundWithinAThirdOfASecond) {
  const VoiceCase c = GetParam();
  std::vector<float> x = noiseFloor(8.0, 0.002f, 1);
  addVoice(x, 0.0, c.voiceSeconds, c.f0);
  addChirps(x, c.voiceSeconds + 0.1, 2);
  const auto segments = findLeadingSegments(x.data(), x.size(), kRate);
  std::cout << "voice " << c.voiceSeconds << " s at f0 " << c.f0 << " Hz: " << describe(segments) << "\n";
  ASSERT_FALSE(segments.empty());
  EXPECT_EQ(segments.front().kind, LeadKind::Voice);
  EXPECT_EQ(segments.front().start, 0.0);
  EXPECT_NEAR(leadingEnd(segments), c.voiceSeconds, 0.3);
}

INSTANTIATE_TEST_SUITE_P(Synthetic, LeadingVoice,
                         ::testing::Values(VoiceCase{1.0, 120}, VoiceCase{1.5, 150}, VoiceCase{2.0, 180},
                                           VoiceCase{3.0, 220}, VoiceCase{2.5, 130}),
                         [](const ::testing::TestParamInfo<VoiceCase>& p) {
                           return "voice" + std::to_string(int(p.param.voiceSeconds * 1000)) + "ms_f0_" +
                                  std::to_string(int(p.param.f0)) + "Hz";
                         });

// espeak-ng's announcement (tools/make_vad_fixture.py), then bird audio: the voice segment ends where
// the speech does (espeak then adds 0.3 s of silence), and the lead not after the birds start.
void expectAnnouncementFound(const std::filesystem::path& birdsFile) {
  const auto meta = chorus::testing::readAudioFixtureJson("vad.json");
  const Audio speech = loadAudio(chorus::testing::fixture("audio/" + meta["file"].get<std::string>()));
  const Audio birds = loadAudio(birdsFile);
  std::vector<float> x = speech.samples;
  x.insert(x.end(), birds.samples.begin(), birds.samples.end());
  const auto segments = findLeadingSegments(x.data(), x.size(), kRate);
  std::cout << "espeak announcement (speech ends " << meta["speech_end_seconds"] << " s, birds from "
            << speech.seconds() << " s): " << describe(segments) << "\n";
  ASSERT_FALSE(segments.empty());
  EXPECT_EQ(segments.front().kind, LeadKind::Voice);
  EXPECT_NEAR(segments.front().end, meta["speech_end_seconds"].get<double>(), 0.3);
  EXPECT_LE(leadingEnd(segments), speech.seconds() + 0.3);
}

TEST(Vad, SpokenAnnouncementBeforeRealBirds) {
  CHORUS_REQUIRE_REAL_AUDIO("opensoundscape_birds_10s.wav");
  expectAnnouncementFound(chorus::testing::realAudio("opensoundscape_birds_10s.wav"));
}

TEST(Vad, SpokenAnnouncementBeforeSynthesisedBirds) {
  expectAnnouncementFound(chorus::testing::fixture("audio/synth/birds_32k.wav"));
}

TEST(Vad, LeadingSilenceThenBirds) {
  std::vector<float> x = noiseFloor(6.0, 0.002f, 3);
  for (size_t i = 0; i < size_t(1.2 * kRate); ++i) x[i] *= 1e-3f;  // recorder not yet armed
  addChirps(x, 1.3, 4);
  const auto segments = findLeadingSegments(x.data(), x.size(), kRate);
  std::cout << "silence 1.2 s: " << describe(segments) << "\n";
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].kind, LeadKind::Silence);
  EXPECT_NEAR(segments[0].end, 1.2, 0.3);
}

TEST(Vad, BirdsOnlyHaveNoLead) {
  std::vector<float> x = noiseFloor(6.0, 0.002f, 5);
  addChirps(x, 0.05, 6);
  EXPECT_EQ(describe(findLeadingSegments(x.data(), x.size(), kRate)), "none");
}

// Mains hum (harmonics of 100 Hz, steady) is harmonic and low, but has no syllables.
TEST(Vad, SteadyHarmonicHumIsNotVoice) {
  std::vector<float> x = noiseFloor(6.0, 0.002f, 7);
  for (size_t i = 0; i < x.size(); ++i)
    for (int k = 1; k <= 10; ++k) x[i] += static_cast<float>(0.02 / k * std::sin(2 * kPi * 100.0 * k * i / kRate));
  addChirps(x, 0.05, 8);
  const auto segments = findLeadingSegments(x.data(), x.size(), kRate);
  for (const auto& s : segments) EXPECT_NE(s.kind, LeadKind::Voice) << describe(segments);
}

TEST(Vad, EmptyAndTinyClips) {
  EXPECT_TRUE(findLeadingSegments(nullptr, 0, kRate).empty());
  const std::vector<float> x(100, 0.0f);
  EXPECT_NO_THROW(findLeadingSegments(x.data(), x.size(), kRate));
  EXPECT_EQ(leadingEnd({}), 0.0);
}

// Real recordings without speech: no voice segment at the start. The hard ones: the perch clip opens
// with a harmonic pulsed call (f0 160-200 Hz), the toad trill and the whale song are harmonic and
// modulated, XC135601 has powerline hum, the AudioMoth file is nearly silent.
TEST(Vad, RealRecordingsWithoutSpeechHaveNoLeadingVoice) {
  for (const char* file : {"opensoundscape_birds_10s.wav", "BirdCLEF-Baseline_Acadian_Flycatcher.wav",
                           "maad_spinetail.wav", "opensoundscape_1min.wav", "XC13738_GWWA.mp3",
                           "librosa_robin_456440.hq.ogg", "opensoundscape_rugr_drum.wav", "perch_21100_36_48.wav",
                           "opensoundscape_great_plains_toad.wav", "librosa_glacier_bay_humpback.hq.ogg",
                           "XC135601_GWWA.mp3", "opensoundscape_metadata_audiomoth.wav", "birdnet_soundscape.flac"}) {
    if (!std::filesystem::exists(chorus::testing::realAudio(file))) {
      std::cout << "skipping " << file << ": absent\n";
      continue;
    }
    const Audio audio = loadAudio(chorus::testing::realAudio(file));
    const auto segments = findLeadingSegments(audio.samples.data(), audio.samples.size(), audio.sampleRate);
    std::cout << file << ": " << describe(segments) << "\n";
    for (const auto& s : segments) EXPECT_NE(s.kind, LeadKind::Voice) << file << ": " << describe(segments);
  }
  CHORUS_REQUIRE_REAL_AUDIO("opensoundscape_birds_10s.wav");
  const Audio birds = loadAudio(chorus::testing::realAudio("opensoundscape_birds_10s.wav"));
  EXPECT_EQ(describe(findLeadingSegments(birds.samples.data(), birds.samples.size(), kRate)), "none");
}

// The committed synthesised audio (tools/make_audio_fixtures.py: notes from the first 20 ms, every
// format and rate): no lead at all.
TEST(Vad, SynthesisedBirdsHaveNoLead) {
  std::vector<std::string> files{"synth/birds_32k.wav", "synth/soundscape_32k.ogg"};
  for (const auto& c : chorus::testing::readAudioFixtureJson("synth_decode.json")["cases"]) files.push_back(c["file"]);
  for (const auto& file : files) {
    const Audio audio = loadAudio(chorus::testing::caseAudio(file));
    const auto segments = findLeadingSegments(audio.samples.data(), audio.samples.size(), audio.sampleRate);
    EXPECT_EQ(describe(segments), "none") << file;
  }
}

}  // namespace
}  // namespace chorus::audio
