// Running the chorus binary (or any command) from a test: exit code and combined output.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
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

}  // namespace chorus::testing
