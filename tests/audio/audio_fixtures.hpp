// Readers for the reference fixtures under tests/fixtures/audio/ (written by tools/make_*_fixture.py
// and tools/make_audio_fixtures.py, whose synthesised audio is committed under synth/) and the real
// recordings in ../shared/real_audio, which tests skip cleanly when it is absent.
#pragma once
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace chorus::testing {

inline nlohmann::json readAudioFixtureJson(const std::string& name) {
  std::ifstream in(fixture("audio/" + name));
  if (!in) throw std::runtime_error("missing fixture audio/" + name + ": run tools/make_*_fixture.py");
  return nlohmann::json::parse(in);
}

// Little-endian float32 (the fixtures' format; this code runs on little-endian hosts only).
inline std::vector<float> readF32(const std::string& name) {
  const auto path = fixture("audio/" + name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path.string());
  std::vector<float> v(std::filesystem::file_size(path) / sizeof(float));
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  return v;
}

inline std::filesystem::path realAudio(const std::string& file) { return std::filesystem::path(CHORUS_REAL_AUDIO) / file; }

// A fixture case's audio: "synth/..." is the committed synthesised audio (tools/make_audio_fixtures.py),
// anything else a real recording.
inline std::filesystem::path caseAudio(const std::string& file) {
  return file.rfind("synth/", 0) == 0 ? fixture("audio/" + file) : realAudio(file);
}

inline double maxAbsDiff(const float* a, const float* b, size_t n) {
  double worst = 0;
  for (size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
  return worst;
}

}  // namespace chorus::testing

// Skips the test, with the reason, when a case's real recording is not there (it is not in git;
// synth/ files are).
#define CHORUS_REQUIRE_REAL_AUDIO(file)                                                            \
  do {                                                                                              \
    if (!std::filesystem::exists(::chorus::testing::caseAudio(file)))                               \
      GTEST_SKIP() << "real recording " << ::chorus::testing::caseAudio(file)                       \
                   << " is absent (../shared/real_audio is not part of the repository)";            \
  } while (0)

