// Running the chorus binary (or any command) from a test: exit code and combined output.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace chorus::testing {

struct RunResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

inline RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

inline std::string chorusBinary() { return CHORUS_BINARY; }

// The tests' launcher for two ranks: as root, more ranks than cores, loopback only (no other network).
inline const std::string kMpirunNp2 =
    "mpirun --allow-run-as-root --oversubscribe --mca btl self,vader,tcp --mca btl_tcp_if_include lo "
    "--mca oob_tcp_if_include lo -np 2 ";

// A whole file as a string ("" when it cannot be read: the comparison that follows fails visibly).
inline std::string readAll(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace chorus::testing
