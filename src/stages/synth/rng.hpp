// Random draws for the synthetic dataset. Every file gets its own stream, derived from the run's
// seed and the file's role and index, so that one file's content never depends on how many draws
// another made (adding a species or a clip leaves the others' audio alone, and files could be made
// in any order). Only numpy's MT19937 and our own transforms: no std::*_distribution, whose
// output differs between standard libraries.
#pragma once
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/np_random.hpp"

namespace chorus::stages::synth {

class Rng {
 public:
  explicit Rng(uint32_t seed) : state_(seed) {}
  // The stream for (seed, role, index), e.g. (2026, "train-clip", 17).
  static Rng stream(uint32_t seed, std::string_view role, uint64_t index = 0);

  double uniform() { return state_.randomSample(); }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double logUniform(double lo, double hi) { return lo * std::exp(std::log(hi / lo) * uniform()); }
  double normal();                                             // standard normal (Box-Muller)
  int integer(int lo, int hi) { return static_cast<int>(state_.randint(lo, int64_t(hi) + 1)); }  // [lo, hi]
  bool chance(double p) { return uniform() < p; }
  int poisson(double mean);
  size_t index(size_t n) { return static_cast<size_t>(state_.randint(0, static_cast<int64_t>(n))); }
  size_t weighted(const std::vector<double>& weights);  // index drawn with probability ∝ weight
  template <class T>
  void shuffle(std::vector<T>& x) { state_.shuffle(x); }

 private:
  NumpyRandomState state_;
};

}  // namespace chorus::stages::synth
