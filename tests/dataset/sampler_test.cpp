// The epoch plan: deterministic for (seed, epoch), rank shares that add up to the one-rank epoch,
// rare species repeated; and batches that do not depend on ranks, threads or batch boundaries.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "dataset/sampler.hpp"
#include "dataset/training_data.hpp"
#include "dataset_fixture.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
namespace fs = std::filesystem;

namespace {

ExampleSet examples(size_t n, size_t rareEvery = 0) {
  ExampleSet s;
  for (size_t i = 0; i < n; ++i) {
    Example e;
    e.id = "x" + std::to_string(i);
    e.rare = rareEvery && i % rareEvery == 0;
    s.examples.push_back(e);
  }
  return s;
}

std::vector<Slot> all(const EpochPlan& plan) { return plan.share(0, 1); }

bool sameSlots(const std::vector<Slot>& a, const std::vector<Slot>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const Slot& x, const Slot& y) { return x.slot == y.slot && x.example == y.example; });
}

}  // namespace

TEST(EpochPlan, DeterministicForSeedAndEpochAndAShuffle) {
  const ExampleSet s = examples(101);
  SamplerOptions o;
  const EpochPlan a(s, o, 3), b(s, o, 3), c(s, o, 4);
  EXPECT_EQ(a.order(), b.order());
  EXPECT_NE(a.order(), c.order());
  o.seed = 43;
  EXPECT_NE(EpochPlan(s, o, 3).order(), a.order());
  std::vector<size_t> sorted = a.order();
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);  // a permutation
  std::vector<size_t> identity(101);
  for (size_t i = 0; i < 101; ++i) identity[i] = i;
  EXPECT_NE(a.order(), identity);
  o.shuffle = false;
  EXPECT_EQ(EpochPlan(s, o, 3).order(), identity);
}

TEST(EpochPlan, RankSharesAreDisjointAndTheirUnionIsTheOneRankEpoch) {
  const ExampleSet s = examples(103);
  const EpochPlan plan(s, SamplerOptions{}, 7);
  const auto whole = all(plan);
  for (int world : {1, 2, 3, 4, 8}) {
    std::vector<Slot> merged;
    for (int r = 0; r < world; ++r) {
      const auto mine = plan.share(r, world);
      for (const auto& slot : mine) ASSERT_EQ(int(slot.slot % uint64_t(world)), r);
      merged.insert(merged.end(), mine.begin(), mine.end());
    }
    std::sort(merged.begin(), merged.end(), [](const Slot& a, const Slot& b) { return a.slot < b.slot; });
    EXPECT_TRUE(sameSlots(merged, whole)) << "world " << world;
    // Even shares: every rank the same count, the union the epoch without its last size % world slots.
    std::vector<Slot> even;
    for (int r = 0; r < world; ++r) {
      const auto mine = plan.share(r, world, true);
      EXPECT_EQ(mine.size(), 103u / size_t(world));
      even.insert(even.end(), mine.begin(), mine.end());
    }
    std::sort(even.begin(), even.end(), [](const Slot& a, const Slot& b) { return a.slot < b.slot; });
    EXPECT_TRUE(sameSlots(even, std::vector<Slot>(whole.begin(), whole.begin() + long(even.size()))));
  }
  EXPECT_THROW(plan.share(2, 2), UsageError);
}

TEST(EpochPlan, RareExamplesAreRepeated) {
  const ExampleSet s = examples(30, 10);  // 0, 10, 20 rare
  SamplerOptions o;
  o.rareRepeats = 4;
  const EpochPlan plan(s, o, 0);
  EXPECT_EQ(plan.size(), 27u + 3u * 4u);
  std::map<size_t, int> count;
  for (size_t e : plan.order()) ++count[e];
  for (size_t i = 0; i < 30; ++i) EXPECT_EQ(count[i], i % 10 == 0 ? 4 : 1) << i;
  o.rareRepeats = 0;
  EXPECT_THROW(EpochPlan(s, o, 0), UsageError);
}

TEST(Batches, SameNumbersWhateverTheRanksThreadsAndBatchBoundaries) {
  const fs::path work = chorus::testing::scratchDir();
  chorus::testing::writeMeta(work);
  chorus::testing::writeStores(work);
  DataOptions o;
  o.work = work;
  o.fold = 1;
  o.sampler.rareRepeats = 2;
  const TrainingData one(o);
  o.threads = 2;
  const TrainingData threaded(o);
  const size_t per = one.inputValues(), k = one.species().labels.size();
  const EpochPlan plan = one.plan(2);
  const auto whole = plan.share(0, 1);
  std::vector<float> x(whole.size() * per), y(whole.size() * k);
  one.batch(whole, Mode::Train, 2, x.data(), y.data());
  // Two ranks, batches of 2, two threads: each slot's example equals the one-rank epoch's.
  for (int r = 0; r < 2; ++r) {
    const auto mine = plan.share(r, 2);
    for (size_t b = 0; b < mine.size(); b += 2) {
      const std::vector<Slot> batch(mine.begin() + long(b), mine.begin() + long(std::min(b + 2, mine.size())));
      std::vector<float> bx(batch.size() * per), by(batch.size() * k);
      threaded.batch(batch, Mode::Train, 2, bx.data(), by.data());
      for (size_t i = 0; i < batch.size(); ++i) {
        const size_t at = size_t(batch[i].slot);
        ASSERT_TRUE(std::equal(bx.begin() + long(i * per), bx.begin() + long((i + 1) * per), x.begin() + long(at * per)))
            << "slot " << at;
        ASSERT_TRUE(std::equal(by.begin() + long(i * k), by.begin() + long((i + 1) * k), y.begin() + long(at * k)));
      }
    }
  }
  // A different epoch gives different inputs.
  std::vector<float> x3(x.size());
  one.batch(one.plan(3).share(0, 1), Mode::Train, 3, x3.data(), nullptr);
  EXPECT_NE(x, x3);
}
