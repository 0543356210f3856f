// A progress line on rank 0 with rate and ETA, at most once a second, e.g.
//   features train_audio: 120/600 files (20.0%) 35.20 files/s, elapsed 0:03, ETA 0:14
// Other ranks count silently; the final line goes to every rank's log file.
#pragma once
#include <chrono>
#include <string>

namespace chorus {

class Progress {
 public:
  Progress(std::string what, double total, std::string unit);
  void advance(double done = 1.0);
  void finish();  // prints the closing line with the total time; idempotent
  ~Progress() { finish(); }

  // "1:02:03" / "2:03"; exposed for tests and summaries.
  static std::string formatDuration(double seconds);

 private:
  std::string line(double elapsed) const;
  std::string what_, unit_;
  double total_, done_ = 0;
  std::chrono::steady_clock::time_point start_, lastPrint_;
  bool finished_ = false, interactive_;
};

}  // namespace chorus
