#include "core/np_random.hpp"

namespace chorus {

// MT19937 as in numpy/random/src/mt19937 (Matsumoto & Nishimura's reference, init_genrand seeding).
void NumpyRandomState::seed_(uint32_t s) {
  mt_[0] = s;
  for (int i = 1; i < 624; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  index_ = 624;
}

void NumpyRandomState::reload() {
  constexpr uint32_t upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
  for (int i = 0; i < 624; ++i) {
    uint32_t y = (mt_[i] & upper) | (mt_[(i + 1) % 624] & lower);
    mt_[i] = mt_[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? matrix : 0u);
  }
  index_ = 0;
}

uint32_t NumpyRandomState::nextUint32() {
  if (index_ >= 624) reload();
  uint32_t y = mt_[index_++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= (y >> 18);
  return y;
}

double NumpyRandomState::randomSample() {
  uint32_t a = nextUint32() >> 5, b = nextUint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

uint64_t NumpyRandomState::interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  uint64_t value;
  if (max <= 0xffffffffull) {
    while ((value = (nextUint32() & mask)) > max) {
    }
  } else {
    while ((value = ((static_cast<uint64_t>(nextUint32()) << 32 | nextUint32()) & mask)) > max) {
    }
  }
  return value;
}

std::vector<int64_t> NumpyRandomState::permutation(int64_t n) {
  std::vector<int64_t> p(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i;
  shuffle(p);
  return p;
}

}  // namespace chorus
