#include "core/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/log.hpp"

namespace chorus {

Progress::Progress(std::string what, double total, std::string unit)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total),
      start_(std::chrono::steady_clock::now()), lastPrint_(start_),
      interactive_(::isatty(STDERR_FILENO) != 0) {}

std::string Progress::formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

std::string Progress::line(double elapsed) const {
  double rate = elapsed > 0 ? done_ / elapsed : 0;
  double pct = total_ > 0 ? 100.0 * done_ / total_ : 100.0;
  double eta = rate > 0 ? (total_ - done_) / rate : NAN;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %.0f/%.0f %s (%.1f%%) %.2f %s/s, elapsed %s, ETA %s", what_.c_str(), done_,
                total_, unit_.c_str(), pct, rate, unit_.c_str(), formatDuration(elapsed).c_str(),
                formatDuration(eta).c_str());
  return buf;
}

void Progress::advance(double done) {
  done_ += done;
  auto now = std::chrono::steady_clock::now();
  if (log::rank() != 0 || now - lastPrint_ < std::chrono::seconds(1)) return;
  lastPrint_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  // On a terminal the line rewrites itself; in a log file (SLURM) each update is its own line.
  if (interactive_)
    log::console("\r" + line(elapsed) + "\033[K", false);
  else
    log::console(line(elapsed));
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string text = line(elapsed);
  if (log::rank() == 0 && interactive_) log::console("\r\033[K", false);
  log::console(text);
}

}  // namespace chorus
