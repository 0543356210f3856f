// The order of one epoch: which example fills each slot. Deterministic for (seed, epoch): the
// shared shuffle is the same on every rank, and rank r of `world` takes the slots i with
// i % world == r, so the union of the ranks' shares is the one-rank epoch. A slot's number keys
// its crop and augmentation draws (example_rng.hpp), so they do not depend on the rank count.
#pragma once
#include <cstdint>
#include <vector>

#include "dataset/examples.hpp"
#include "dataset/options.hpp"

namespace chorus::dataset {

struct Slot {
  uint64_t slot = 0;    // position in the whole epoch (the RNG key)
  size_t example = 0;   // index into the ExampleSet
};

class EpochPlan {
 public:
  // Rare examples repeated options.rareRepeats times, then shuffled (numpy RandomState permutation
  // seeded from (seed, epoch)) unless options.shuffle is off.
  EpochPlan(const ExampleSet& examples, const SamplerOptions& options, int64_t epoch);

  int64_t epoch() const { return epoch_; }
  size_t size() const { return order_.size(); }  // slots in the whole epoch
  const std::vector<size_t>& order() const { return order_; }

  // Rank r's slots, in epoch order. evenShares: drop the last size() % world slots first, so every
  // rank gets the same count (data-parallel steps must match); the union is then the truncated epoch.
  std::vector<Slot> share(int rank, int world, bool evenShares = false) const;

 private:
  int64_t epoch_ = 0;
  std::vector<size_t> order_;
};

// Slots 0..n-1 in order, for validation (no shuffle, no repeats).
std::vector<Slot> inOrder(size_t n);

}  // namespace chorus::dataset
