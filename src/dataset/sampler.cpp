#include "dataset/sampler.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/np_random.hpp"
#include "dataset/example_rng.hpp"

namespace chorus::dataset {

EpochPlan::EpochPlan(const ExampleSet& examples, const SamplerOptions& options, int64_t epoch) : epoch_(epoch) {
  if (options.rareRepeats < 1) throw UsageError("rare repeats must be at least 1, got " + std::to_string(options.rareRepeats));
  std::vector<size_t> pseudo;
  for (size_t i = 0; i < examples.examples.size(); ++i) {
    if (examples.examples[i].pseudo) {
      pseudo.push_back(i);
      continue;
    }
    const int copies = examples.examples[i].rare ? options.rareRepeats : 1;
    for (int c = 0; c < copies; ++c) order_.push_back(i);
  }
  if (!pseudo.empty()) {  // a fixed count per epoch, so the epoch length (and LR schedule) is fixed
    NumpyRandomState rng(uint32_t(mixSeed(options.seed, uint64_t(epoch), uint64_t(Stream::Shuffle), 1)));
    rng.shuffle(pseudo);
    const auto take = size_t(std::llround(std::clamp(options.pseudoP, 0.0, 1.0) * double(pseudo.size())));
    order_.insert(order_.end(), pseudo.begin(), pseudo.begin() + long(take));
  }
  if (options.shuffle) {
    NumpyRandomState rng(uint32_t(mixSeed(options.seed, uint64_t(epoch), uint64_t(Stream::Shuffle))));
    rng.shuffle(order_);
  }
}

std::vector<Slot> EpochPlan::share(int rank, int world, bool evenShares) const {
  if (world < 1 || rank < 0 || rank >= world)
    throw UsageError("rank " + std::to_string(rank) + " is not in a world of " + std::to_string(world));
  const size_t n = evenShares ? order_.size() - order_.size() % size_t(world) : order_.size();
  std::vector<Slot> mine;
  for (size_t i = size_t(rank); i < n; i += size_t(world)) mine.push_back({uint64_t(i), order_[i]});
  return mine;
}

std::vector<Slot> inOrder(size_t n) {
  std::vector<Slot> slots(n);
  for (size_t i = 0; i < n; ++i) slots[i] = {uint64_t(i), i};
  return slots;
}

}  // namespace chorus::dataset
