// Rank-aware, levelled logging. Every rank writes everything to its own file
// (WORK/logs/<stage>.rank<N>.log); only rank 0 prints to the console, except warnings and errors,
// which every rank prints with its rank so that a failing worker is never silent.
#pragma once
#include <filesystem>
#include <sstream>
#include <string>

namespace chorus::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// The rank from the launcher's environment (Open MPI, PMIx, SLURM), before MPI is up; 0 alone.
int rankFromEnvironment();

void setRank(int rank);
int rank();
void setConsoleLevel(Level level);
// Opens (appends to) this rank's log file; an empty path closes it.
void openFile(const std::filesystem::path& file);
// The conventional per-rank file name: DIR/<stage>.rank<N>.log
std::filesystem::path rankLogPath(const std::filesystem::path& dir, const std::string& stage);

void write(Level level, const std::string& message);
// Console text without a log prefix, rank 0 only (progress lines, summaries); files get it too.
void console(const std::string& text, bool newline = true);

class Line {
 public:
  explicit Line(Level level) : level_(level) {}
  ~Line() { write(level_, stream_.str()); }
  template <class T>
  Line& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  Level level_;
  std::ostringstream stream_;
};

}  // namespace chorus::log

#define CHORUS_LOG(LEVEL) ::chorus::log::Line(::chorus::log::Level::LEVEL)
