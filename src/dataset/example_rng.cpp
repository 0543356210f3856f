#include "dataset/example_rng.hpp"

#include <cmath>

namespace chorus::dataset {

namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t mixSeed(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  uint64_t h = splitmix(a);
  h = splitmix(h ^ b);
  h = splitmix(h ^ c);
  return splitmix(h ^ d);
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
