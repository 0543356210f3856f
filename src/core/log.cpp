#include "core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>

#include "core/fs.hpp"

namespace chorus::log {
namespace {

struct State {
  std::mutex mutex;
  int rank = rankFromEnvironment();
  Level consoleLevel = Level::Info;
  std::ofstream file;
};

State& state() {
  static State s;
  return s;
}

const char* name(Level l) {
  switch (l) {
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warn: return "WARN";
    case Level::Error: return "ERROR";
  }
  return "?";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace

int rankFromEnvironment() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    if (const char* v = std::getenv(var)) return std::atoi(v);
  }
  return 0;
}

void setRank(int rank) { state().rank = rank; }
int rank() { return state().rank; }
void setConsoleLevel(Level level) { state().consoleLevel = level; }

void openFile(const std::filesystem::path& file) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.file.is_open()) s.file.close();
  if (file.empty()) return;
  if (file.has_parent_path()) ensureDir(file.parent_path());
  s.file.open(file, std::ios::app);
}

std::filesystem::path rankLogPath(const std::filesystem::path& dir, const std::string& stage) {
  return dir / (stage + ".rank" + std::to_string(rank()) + ".log");
}

void write(Level level, const std::string& message) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.file.is_open()) {
    s.file << timestamp() << ' ' << name(level) << " [rank " << s.rank << "] " << message << '\n';
    s.file.flush();
  }
  bool show = level >= s.consoleLevel && (s.rank == 0 || level >= Level::Warn);
  if (!show) return;
  if (level >= Level::Warn) {
    std::cerr << name(level) << " [rank " << s.rank << "] " << message << std::endl;
  } else {
    std::cerr << message << std::endl;
  }
}

void console(const std::string& text, bool newline) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.file.is_open() && newline) s.file << timestamp() << " INFO [rank " << s.rank << "] " << text << '\n';
  if (s.rank != 0) return;
  std::cerr << text;
  if (newline) std::cerr << '\n';
  std::cerr.flush();
}

}  // namespace chorus::log
