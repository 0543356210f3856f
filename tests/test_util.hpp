// Helpers shared by the test suites: a scratch folder per test, removed afterwards.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace chorus::testing {

inline std::filesystem::path scratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "chorus-tests" /
             (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path fixture(const std::string& name) { return std::filesystem::path(CHORUS_FIXTURES) / name; }

}  // namespace chorus::testing
