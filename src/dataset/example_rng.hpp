// The random draws of one example in one epoch. Seeded by (seed, epoch, slot, stream) alone, so a
// crop or an augmentation does not depend on threads, batch boundaries or the number of ranks;
// each augmentation has its own stream, so switching one off leaves the others' draws unchanged.
// Distributions are written out here (not <random>'s, which differ between standard libraries).
#pragma once
#include <cstdint>
#include <random>

namespace chorus::dataset {

enum class Stream : uint64_t { Crop = 1, Roll, ColouredNoise, Background, Gain, FreqMask, TimeMask, Shuffle };

class ExampleRng {
 public:
  ExampleRng(uint64_t seed, int64_t epoch, uint64_t slot, Stream stream);

  double uniform();                           // [0, 1), 53 bits
  double uniform(double low, double high);    // [low, high)
  int64_t integer(int64_t low, int64_t high); // [low, high], inclusive; high >= low
  bool chance(double p) { return uniform() < p; }
  double exponential();                       // mean 1 (the power of one complex Gaussian bin)
  uint64_t next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// splitmix64 mixing of several words into one seed (no two tuples of small integers collide).
uint64_t mixSeed(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0);

}  // namespace chorus::dataset
