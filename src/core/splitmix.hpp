// SplitMix64's finaliser: turns related integers (seed, epoch, index, ...) into independent-looking
// 64-bit seeds, so that every random stream is keyed by what it is for, not by draw order.
#pragma once
#include <cstdint>

namespace chorus {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace chorus
