// One LogMel shared by threads gives what it gives serially (FFTW plans are executed, never
// re-planned, and every buffer belongs to the call).
#include <gtest/gtest.h>

#include <thread>

#include "audio/decode.hpp"
#include "audio/logmel.hpp"
#include "audio_fixtures.hpp"

namespace chorus::audio {
namespace {

TEST(LogMelThreads, ConcurrentComputeEqualsSerial) {
  // Committed synthesised clips (tools/make_audio_fixtures.py): 4 s and 30 s.
  const Audio a = loadAudio(chorus::testing::fixture("audio/synth/birds_32k.wav"));
  const Audio b = loadAudio(chorus::testing::fixture("audio/synth/soundscape_32k.ogg"));
  const LogMel logmel{MelOptions{}};
  const std::vector<float> serialA = logmel.compute(a.samples), serialB = logmel.compute(b.samples);

  for (int round = 0; round < 3; ++round) {
    std::vector<float> sameA1, sameA2, otherB;
    {
      std::thread t1([&] { sameA1 = logmel.compute(a.samples); });
      std::thread t2([&] { sameA2 = logmel.compute(a.samples); });
      t1.join();
      t2.join();
    }
    std::thread t3([&] { otherB = logmel.compute(b.samples); });
    const std::vector<float> mainA = logmel.compute(a.samples);
    t3.join();
    EXPECT_EQ(sameA1, serialA);  // bit-identical
    EXPECT_EQ(sameA2, serialA);
    EXPECT_EQ(mainA, serialA);
    EXPECT_EQ(otherB, serialB);
  }
}

// Making LogMels (FFTW planning) on several threads at once is safe and gives the same numbers.
TEST(LogMelThreads, ConcurrentConstructionIsSafe) {
  std::vector<float> noise(48000);
  uint32_t state = 12345;
  for (float& v : noise) v = ((state = state * 1664525u + 1013904223u) >> 8) / float(1 << 24) - 0.5f;
  const std::vector<float> serial = LogMel(MelOptions{}).compute(noise);
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = LogMel(MelOptions{}).compute(noise); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, serial);
}

}  // namespace
}  // namespace chorus::audio
