// numpy's legacy RandomState (MT19937), reproduced bit for bit for the streams scikit-learn
// uses: RandomState(seed) seeding, 32-bit draws, random_sample(), bounded integers by masked
// rejection (randint / the Fisher-Yates of shuffle and permutation). Tested against values that
// numpy itself produced (tests/fixtures/numpy_random.json).
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace chorus {

class NumpyRandomState {
 public:
  explicit NumpyRandomState(uint32_t seed = 5489u) { seed_(seed); }

  uint32_t nextUint32();
  double randomSample();            // RandomState.random_sample(): 53-bit double in [0, 1)
  uint64_t interval(uint64_t max);  // uniform in [0, max], numpy's legacy random_interval
  // RandomState.randint(low, high) for int64 output and high - low <= 2^32.
  int64_t randint(int64_t low, int64_t high) { return low + static_cast<int64_t>(interval(high - low - 1)); }

  // RandomState.shuffle on a 1-D array: for i = n-1 .. 1, swap x[i], x[interval(i)].
  template <class T>
  void shuffle(std::vector<T>& x) {
    for (std::size_t i = x.size(); i-- > 1;) std::swap(x[i], x[interval(i)]);
  }
  std::vector<int64_t> permutation(int64_t n);  // RandomState.permutation(n)

 private:
  void seed_(uint32_t s);
  void reload();
  uint32_t mt_[624];
  int index_ = 624;
};

}  // namespace chorus
