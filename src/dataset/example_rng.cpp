#include "dataset/example_rng.hpp"

#include <cmath>

#include "core/splitmix.hpp"

namespace chorus::dataset {

uint64_t mixSeed(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  uint64_t h = splitmix64(a);
  h = splitmix64(h ^ b);
  h = splitmix64(h ^ c);
  return splitmix64(h ^ d);
}

ExampleRng::ExampleRng(uint64_t seed, int64_t epoch, uint64_t slot, Stream stream)
    : engine_(mixSeed(seed, uint64_t(epoch), slot, uint64_t(stream))) {}

double ExampleRng::uniform() { return double(engine_() >> 11) * 0x1.0p-53; }

double ExampleRng::uniform(double low, double high) { return low + (high - low) * uniform(); }

int64_t ExampleRng::integer(int64_t low, int64_t high) {
  const uint64_t span = uint64_t(high - low) + 1;
  if (span == 0) return int64_t(engine_());  // the whole 64-bit range
  // Rejection keeps every value equally likely (no modulo bias).
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do x = engine_(); while (x >= limit);
  return low + int64_t(x % span);
}

double ExampleRng::exponential() { return -std::log1p(-uniform()); }

}  // namespace chorus::dataset
