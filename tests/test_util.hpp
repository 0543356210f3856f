// Helpers shared by the test suites: a scratch folder per test, removed afterwards.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace chorus::testing {

inline std::filesystem::path scratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "chorus-tests" /
             (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Every temporary (a `.tmp.` in its name: core/atomic_file.hpp's and core/temporaries.hpp's rule)
// below `dir`, by full path: what a killed run may leave and the next run must have removed.
inline std::vector<std::string> temporariesUnder(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.path().filename().string().find(".tmp.") != std::string::npos) names.push_back(e.path().string());
  return names;
}

inline std::filesystem::path fixture(const std::string& name) { return std::filesystem::path(CHORUS_FIXTURES) / name; }

}  // namespace chorus::testing
