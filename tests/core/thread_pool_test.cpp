#include "core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace chorus;

TEST(ThreadPool, RunsEveryItemOnceAcrossReusedLoops) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.threads(), 3);
  for (size_t count : {0u, 1u, 2u, 7u, 1000u}) {
    std::vector<std::atomic<int>> hits(count);
    pool.parallelFor(count, [&](size_t i) { ++hits[i]; });
    for (size_t i = 0; i < count; ++i) ASSERT_EQ(hits[i].load(), 1) << "item " << i << " of " << count;
  }
}

TEST(ThreadPool, SpreadsOverItsThreadsAndKeepsThem) {
  ThreadPool pool(2);
  std::mutex m;
  std::set<std::thread::id> first, second;
  auto slow = [&](std::set<std::thread::id>& seen) {
    return [&](size_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard<std::mutex> lock(m);
      seen.insert(std::this_thread::get_id());
    };
  };
  pool.parallelFor(40, slow(first));
  pool.parallelFor(40, slow(second));
  EXPECT_EQ(first.size(), 2u);
  EXPECT_EQ(first, second);  // the same workers: no thread started per loop
}

TEST(ThreadPool, RethrowsTheFirstFailureAndStopsHandingOut) {
  ThreadPool pool(2);
  std::atomic<int> started{0};
  EXPECT_THROW(pool.parallelFor(10000,
                                [&](size_t i) {
                                  ++started;
                                  if (i == 3) throw std::runtime_error("item 3");
                                  std::this_thread::sleep_for(std::chrono::microseconds(50));
                                }),
               std::runtime_error);
  EXPECT_LT(started.load(), 10000);
  std::atomic<int> after{0};
  pool.parallelFor(50, [&](size_t) { ++after; });  // usable after a failure
  EXPECT_EQ(after.load(), 50);
}

TEST(ThreadPool, NestedLoopRunsInlineAndConcurrentCallersTakeTurns) {
  ThreadPool pool(2);
  std::atomic<int> inner{0};
  pool.parallelFor(4, [&](size_t) { pool.parallelFor(5, [&](size_t) { ++inner; }); });
  EXPECT_EQ(inner.load(), 20);
  std::atomic<int> a{0}, b{0};
  std::thread other([&] { pool.parallelFor(300, [&](size_t) { ++a; }); });
  pool.parallelFor(300, [&](size_t) { ++b; });
  other.join();
  EXPECT_EQ(a.load(), 300);
  EXPECT_EQ(b.load(), 300);
}

TEST(ThreadPool, SharedPoolHasTheAskedSize) {
  EXPECT_EQ(sharedPool(2).threads(), 2);
  EXPECT_EQ(sharedPool(0).threads(), 1);
}
