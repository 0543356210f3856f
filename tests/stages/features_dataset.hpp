// A small dataset in the Kaggle layout for the features tests, written with the audio layer's own
// writer: clips of several lengths, rates, channel counts and containers, plus broken files of the
// kinds `chorus synth --corrupt` makes (random bytes, an empty file, a truncated ogg).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "audio/audio_writer.hpp"
#include "store/feature_store.hpp"

namespace chorus::testing {

// A bird-like chirp train over faint noise, deterministic for a seed.
inline void writeClip(const std::filesystem::path& file, double seconds, int rate, int channels, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  const size_t frames = size_t(seconds * rate);
  const double f0 = 2000.0 + 300.0 * (seed % 7);
  std::vector<float> samples(frames * size_t(channels));
  double phase = 0;
  for (size_t i = 0; i < frames; ++i) {
    const double t = double(i) / rate, inCall = std::fmod(t, 0.6);
    const double f = f0 + 3000.0 * inCall / 0.6;
    phase += 2 * M_PI * f / rate;
    const float call = inCall < 0.25 ? float(0.4 * std::sin(M_PI * inCall / 0.25) * std::sin(phase)) : 0.0f;
    for (int c = 0; c < channels; ++c) samples[i * size_t(channels) + size_t(c)] = call * (c ? 0.5f : 1.0f) + noise(rng);
  }
  audio::AudioWriteOptions options;
  options.sampleRate = rate;
  options.channels = channels;
  audio::writeAudio(file, samples, options);
}

struct TinyDataset {
  std::filesystem::path data;
  std::vector<std::string> good;  // train_audio ids that decode
  std::vector<std::string> bad;   // train_audio ids that do not
};

// train_audio: 6 good clips (2..20 s; 16, 32, 44.1 kHz; mono and stereo; ogg, wav, flac) and 3 broken
// files; train_soundscapes: two 1-minute recordings. `scale` multiplies the clip lengths.
inline TinyDataset makeTinyDataset(const std::filesystem::path& root, double scale = 1.0) {
  namespace fs = std::filesystem;
  TinyDataset d;
  d.data = root / "data";
  const fs::path train = d.data / "train_audio";
  struct Clip {
    const char* id;
    double seconds;
    int rate, channels;
  };
  const Clip clips[] = {{"sp1/a.ogg", 3, 32000, 1},  {"sp1/b.ogg", 7, 44100, 2}, {"sp2/c.wav", 12, 32000, 1},
                        {"sp2/d.flac", 2, 16000, 1}, {"sp3/e.ogg", 20, 32000, 1}, {"sp3/f.ogg", 9.5, 32000, 2}};
  unsigned seed = 1;
  for (const auto& c : clips) {
    fs::create_directories((train / c.id).parent_path());
    writeClip(train / c.id, c.seconds * scale, c.rate, c.channels, seed++);
    d.good.push_back(c.id);
  }
  {
    std::ofstream garbage(train / "sp3/bad_garbage.ogg", std::ios::binary);
    std::mt19937 rng(99);
    for (int i = 0; i < 5000; ++i) garbage.put(char(rng() & 0xff));
  }
  std::ofstream(train / "sp3/bad_empty.ogg").close();
  {
    std::ifstream whole(train / "sp1/a.ogg", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
    std::ofstream(train / "sp1/bad_truncated.ogg", std::ios::binary) << bytes.substr(0, 300);
  }
  std::ofstream(train / "notes.txt") << "not audio: ignored\n";
  d.bad = {"sp1/bad_truncated.ogg", "sp3/bad_empty.ogg", "sp3/bad_garbage.ogg"};
  fs::create_directories(d.data / "train_soundscapes");
  writeClip(d.data / "train_soundscapes" / "BC2026_Train_0001_S01_20250101_000000.ogg", 60 * scale, 32000, 1, 50);
  writeClip(d.data / "train_soundscapes" / "BC2026_Train_0002_S02_20250101_000500.ogg", 60 * scale, 32000, 1, 51);
  return d;
}

// Two stores hold the same items (every index field), frames, failures and attributes.
inline void expectSameStores(const store::FeatureStore& a, const store::FeatureStore& b) {
  ASSERT_EQ(a.items().size(), b.items().size());
  ASSERT_EQ(a.totalFrames(), b.totalFrames());
  EXPECT_EQ(a.attributes(), b.attributes());
  for (size_t i = 0; i < a.items().size(); ++i) {
    const auto &x = a.items()[i], &y = b.items()[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.source, y.source);
    EXPECT_EQ(x.index, y.index);
    EXPECT_EQ(x.frameOffset, y.frameOffset);
    EXPECT_EQ(x.frameCount, y.frameCount);
    EXPECT_EQ(x.sourceSampleRate, y.sourceSampleRate);
    EXPECT_EQ(x.sourceChannels, y.sourceChannels);
    EXPECT_EQ(x.duration, y.duration);
    EXPECT_EQ(x.energyPeakFrame, y.energyPeakFrame);
    EXPECT_EQ(x.energyPeakAfterLead, y.energyPeakAfterLead);
    EXPECT_EQ(x.leadEnd, y.leadEnd);
    EXPECT_EQ(x.vad.size(), y.vad.size());
  }
  EXPECT_TRUE(a.readFrames(0, a.totalFrames()) == b.readFrames(0, b.totalFrames())) << "mel differs";
  ASSERT_EQ(a.failures().size(), b.failures().size());
  for (size_t i = 0; i < a.failures().size(); ++i) {
    EXPECT_EQ(a.failures()[i].index, b.failures()[i].index);
    EXPECT_EQ(a.failures()[i].source, b.failures()[i].source);
  }
}

}  // namespace chorus::testing
