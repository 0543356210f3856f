#include "dist/liveness.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace chorus::dist {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kRecordBytes = 256;  // fixed: rewriting it in place needs no new disk space

struct Heartbeat {
  Watch watch;
  std::mutex mutex;  // guards what, the thread's start and stop
  std::condition_variable wake;
  std::thread thread;
  bool stopping = false;
  fs::path file;
  std::atomic<unsigned long long> waitSerial{0};
  std::atomic<bool> waiting{false};
  std::string what;
};

Heartbeat& heartbeat() {
  static Heartbeat* h = new Heartbeat;  // never destroyed: a rank may exit with the thread still beating
  return *h;
}

fs::path recordPath(const fs::path& dir, int rank) { return dir / ("rank-" + std::to_string(rank)); }

std::string record(Heartbeat& h, unsigned long long beat) {
  std::string what;
  {
    std::lock_guard<std::mutex> lock(h.mutex);
    what = h.what;
  }
  char head[128];
  std::snprintf(head, sizeof head, "pid=%d beat=%llu waiting=%d serial=%llu what=", int(::getpid()), beat,
                h.waiting.load() ? 1 : 0, h.waitSerial.load());
  std::string out = head + what.substr(0, kRecordBytes - 2 - std::string(head).size());
  out.resize(kRecordBytes - 1, ' ');
  return out + "\n";
}

// One beat: the record rewritten in place. Errors are ignored: a rank that cannot beat is judged
// silent by the others, which is what it is to them.
void beat(Heartbeat& h, unsigned long long n) {
  const std::string r = record(h, n);
  const int fd = ::open(h.file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  [[maybe_unused]] ssize_t written = ::pwrite(fd, r.data(), r.size(), 0);
  ::close(fd);  // on NFS, close is what makes the write visible to other clients
}

double beatSeconds(double timeout) { return std::clamp(timeout / 5, 0.2, 1.0); }

void beatLoop(Heartbeat* h) {
  std::unique_lock<std::mutex> lock(h->mutex);
  for (unsigned long long n = 1; !h->stopping; ++n) {
    lock.unlock();
    beat(*h, n);
    lock.lock();
    h->wake.wait_for(lock, std::chrono::duration<double>(beatSeconds(h->watch.timeoutSeconds)),
                     [h] { return h->stopping; });
  }
}

std::string readRecord(const fs::path& file) {
  std::string out(kRecordBytes, '\0');
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const ssize_t n = ::pread(fd, out.data(), out.size(), 0);
  ::close(fd);
  out.resize(n > 0 ? size_t(n) : 0);
  return out;
}

struct Seen {
  std::string record;
  Clock::time_point changed;
  std::string serial;  // of the wait it was last seen in
  Clock::time_point waitSeen;
};

// The value of "key=" in a record, up to the next space ("what=" takes the rest, trimmed).
std::string field(const std::string& record, const std::string& key, bool rest = false) {
  const size_t at = record.find(key + "=");
  if (at == std::string::npos) return {};
  const size_t from = at + key.size() + 1;
  if (!rest) return record.substr(from, record.find(' ', from) - from);
  std::string out = record.substr(from);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

void setWatch(const Watch& watch) {
  Heartbeat& h = heartbeat();
  std::lock_guard<std::mutex> lock(h.mutex);
  const fs::path dir = h.thread.joinable() ? h.watch.heartbeats : watch.heartbeats;
  h.watch = watch;
  h.watch.heartbeats = dir;
}

const Watch& currentWatch() { return heartbeat().watch; }

bool heartbeatsOn() { return heartbeat().thread.joinable(); }

void startHeartbeat(int worldRank) {
  Heartbeat& h = heartbeat();
  std::lock_guard<std::mutex> lock(h.mutex);
  if (h.thread.joinable() || h.watch.heartbeats.empty()) return;
  std::error_code ec;
  fs::create_directories(h.watch.heartbeats, ec);  // every rank tries: a race between them is harmless
  h.file = recordPath(h.watch.heartbeats, worldRank);
  h.stopping = false;
  h.thread = std::thread(beatLoop, &h);
}

void stopHeartbeat() {
  Heartbeat& h = heartbeat();
  {
    std::lock_guard<std::mutex> lock(h.mutex);
    if (!h.thread.joinable()) return;
    h.stopping = true;
  }
  h.wake.notify_all();
  h.thread.join();
}

WaitingIn::WaitingIn(const std::string& what) {
  Heartbeat& h = heartbeat();
  {
    std::lock_guard<std::mutex> lock(h.mutex);
    h.what = what;
  }
  ++h.waitSerial;
  h.waiting = true;
}

WaitingIn::~WaitingIn() { heartbeat().waiting = false; }

PeerView observePeer(int worldRank) {
  static std::map<int, Seen> seen;  // main thread only
  const auto now = Clock::now();
  const std::string r = readRecord(recordPath(currentWatch().heartbeats, worldRank));
  auto [it, fresh] = seen.try_emplace(worldRank, Seen{r, now, "", now});
  Seen& s = it->second;
  if (!fresh && r != s.record) s.record = r, s.changed = now;
  PeerView view;
  view.silentSeconds = std::chrono::duration<double>(now - s.changed).count();
  view.waiting = field(r, "waiting") == "1";
  const std::string serial = field(r, "serial");
  if (!view.waiting || serial != s.serial) s.serial = view.waiting ? serial : "", s.waitSeen = now;
  view.waitingSeconds = view.waiting ? std::chrono::duration<double>(now - s.waitSeen).count() : 0;
  view.what = field(r, "what", true);
  return view;
}

}  // namespace chorus::dist
