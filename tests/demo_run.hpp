// A small real run through the chorus binary, for the tests of stages that need trained models:
// `chorus synth --preset demo` (with `synthArgs`), prep, features of every set, then each of `stages`
// (a subcommand and its options, given --data and --work). In a fresh folder per process.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "run_util.hpp"

namespace chorus::testing {

inline std::filesystem::path demoRun(const std::string& tag, const std::string& synthArgs,
                                     const std::vector<std::string>& stages) {
  namespace fs = std::filesystem;
  const fs::path r = fs::temp_directory_path() / "chorus-tests" / (tag + "-" + std::to_string(::getpid()));
  fs::remove_all(r);
  fs::create_directories(r);
  const std::string B = chorusBinary(), D = (r / "data").string(), W = (r / "work").string();
  std::vector<std::string> commands = {
      B + " synth --out " + D + " --solution " + (r / "solution.csv").string() + " --preset demo " + synthArgs,
      B + " prep --data " + D + " --work " + W, B + " features --data " + D + " --work " + W + " --set all"};
  for (const auto& stage : stages) {
    const auto space = stage.find(' ');
    commands.push_back(B + " " + stage.substr(0, space) + " --data " + D + " --work " + W + stage.substr(space));
  }
  for (const auto& cmd : commands) {
    auto res = run(cmd);
    if (res.code != 0) ADD_FAILURE() << cmd << "\n" << res.output;
  }
  return r;
}

}  // namespace chorus::testing
