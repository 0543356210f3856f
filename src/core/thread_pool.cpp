#include "core/thread_pool.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace chorus {
namespace {
thread_local bool insideWork = false;  // this thread is running a work item (of any pool)
}

ThreadPool::ThreadPool(int threads) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

// Takes items until none is left or one has failed; mutex_ is not held while an item runs.
void ThreadPool::runItems() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!failure_ && next_ < count_) {
    const size_t i = next_++;
    ++busy_;
    lock.unlock();
    std::exception_ptr error;
    insideWork = true;
    try {
      (*work_)(i);
    } catch (...) {
      error = std::current_exception();
    }
    insideWork = false;
    lock.lock();
    --busy_;
    if (error && !failure_) failure_ = error;
  }
  if (busy_ == 0) done_.notify_all();
}

void ThreadPool::workerLoop() {
  unsigned long seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    lock.unlock();
    runItems();
    lock.lock();
  }
}

void ThreadPool::parallelFor(size_t count, const std::function<void(size_t)>& work) {
  if (count == 0) return;
  if (workers_.empty() || count == 1 || insideWork) {
    for (size_t i = 0; i < count; ++i) work(i);
    return;
  }
  std::lock_guard<std::mutex> loop(loopMutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    work_ = &work;
    count_ = count;
    next_ = 0;
    failure_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  runItems();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0 && (next_ >= count_ || failure_); });
  count_ = 0;  // a worker waking late finds nothing to take
  work_ = nullptr;
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

int resolvedThreads(int requested) {
  return requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
}

ThreadPool& sharedPool(int threads) {
  static std::mutex guard;
  static std::unique_ptr<ThreadPool> pool;
  std::lock_guard<std::mutex> lock(guard);
  if (!pool || pool->threads() != std::max(threads, 1)) pool = std::make_unique<ThreadPool>(std::max(threads, 1));
  return *pool;
}

}  // namespace chorus
