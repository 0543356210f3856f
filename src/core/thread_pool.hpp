// One way to spread a loop over threads: a pool whose workers live as long as the pool (a training
// step or a feature part starts no thread of its own), the calling thread working too. Items are
// handed out one at a time from a shared counter, so uneven items balance; after the first failure
// no new item starts, and that first exception is rethrown to the caller.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace chorus {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads in all, the caller's included (<= 1: no workers)
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }

  // work(0) .. work(count - 1), each once. One loop at a time: a second caller waits for the first.
  // Called from inside a work item it runs inline (no deadlock, no oversubscription).
  void parallelFor(size_t count, const std::function<void(size_t)>& work);

 private:
  void workerLoop();
  void runItems();

  std::vector<std::thread> workers_;
  std::mutex loopMutex_;  // one parallelFor at a time
  std::mutex mutex_;      // guards the fields below
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* work_ = nullptr;
  size_t count_ = 0, next_ = 0, busy_ = 0;
  unsigned long generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
};

// What every subcommand's --threads means: the CPU threads one process uses; 0 (or less): every core
// the machine reports.
int resolvedThreads(int requested);

// The process's pool of `threads` threads for loops that have no pool of their own (rebuilt when a
// caller asks for another size; callers of one stage ask for one size).
ThreadPool& sharedPool(int threads);

}  // namespace chorus
