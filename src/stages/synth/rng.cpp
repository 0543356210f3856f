#include "stages/synth/rng.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/splitmix.hpp"

namespace chorus::stages::synth {

Rng Rng::stream(uint32_t seed, std::string_view role, uint64_t index) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a of the role name
  for (unsigned char c : role) h = (h ^ c) * 1099511628211ull;
  uint64_t mixed = splitmix64(splitmix64(splitmix64(seed) ^ h) ^ index);
  return Rng(static_cast<uint32_t>(mixed ^ (mixed >> 32)));
}

double Rng::normal() {
  // 1 - u keeps the logarithm's argument in (0, 1].
  double u = 1.0 - uniform(), v = uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

int Rng::poisson(double mean) {
  if (mean <= 0) return 0;
  if (mean > 30) return std::max(0, static_cast<int>(std::lround(mean + std::sqrt(mean) * normal())));
  // Knuth: count uniforms until their product drops below e^-mean.
  double limit = std::exp(-mean), product = uniform();
  int k = 0;
  while (product > limit) {
    ++k;
    product *= uniform();
  }
  return k;
}

size_t Rng::weighted(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += std::max(w, 0.0);
  if (weights.empty() || total <= 0) throw Error("weighted draw from nothing (a synth bug)");
  double r = uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    r -= std::max(weights[i], 0.0);
    if (r < 0) return i;
  }
  return weights.size() - 1;
}

}  // namespace chorus::stages::synth
