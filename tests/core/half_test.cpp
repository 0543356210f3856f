// float16 conversion against numpy's astype(np.float16) (fixture from tools/make_store_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/half.hpp"
#include "test_util.hpp"

using namespace chorus;

namespace {

struct Cases {
  std::vector<float> values;
  std::vector<uint16_t> numpy;
};

Cases readCases() {
  Cases c;
  std::ifstream in(chorus::testing::fixture("store/half_cases.txt"));
  EXPECT_TRUE(in) << "missing fixture: run python3 tools/make_store_fixtures.py";
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    uint32_t f32 = 0, f16 = 0;
    fields >> std::hex >> f32 >> f16;
    float value;
    std::memcpy(&value, &f32, sizeof value);
    c.values.push_back(value);
    c.numpy.push_back(uint16_t(f16));
  }
  return c;
}

void expectNumpy(const Cases& c, const std::vector<uint16_t>& ours, const char* path) {
  int mismatches = 0;
  for (size_t i = 0; i < c.values.size(); ++i)
    if (ours[i] != c.numpy[i] && ++mismatches <= 10)
      ADD_FAILURE() << path << ": float " << c.values[i] << ": ours 0x" << std::hex << ours[i] << ", numpy 0x"
                    << c.numpy[i];
  EXPECT_EQ(mismatches, 0) << path;
}

}  // namespace

TEST(Half, MatchesNumpyOnEveryFixtureCase) {
  Cases c = readCases();
  EXPECT_GT(c.values.size(), 1800u);
  std::vector<uint16_t> scalar, bulk(c.values.size());
  for (float v : c.values) scalar.push_back(floatToHalf(v));
  expectNumpy(c, scalar, "floatToHalf");
  floatsToHalves(c.values.data(), c.values.size(), bulk.data());  // F16C where the CPU has it
  expectNumpy(c, bulk, "floatsToHalves");
}

TEST(Half, BulkWidensEveryHalfLikeTheScalarPath) {
  std::vector<uint16_t> all(0x10000);
  for (uint32_t b = 0; b < 0x10000; ++b) all[b] = uint16_t(b);
  std::vector<float> wide(all.size());
  halvesToFloats(all.data(), all.size(), wide.data());
  for (uint32_t b = 0; b < 0x10000; ++b) {
    float scalar = halfToFloat(uint16_t(b));
    if (std::isnan(scalar)) {
      ASSERT_TRUE(std::isnan(wide[b])) << std::hex << b;
    } else {
      ASSERT_EQ(std::memcmp(&scalar, &wide[b], sizeof scalar), 0) << std::hex << b;
    }
  }
}

TEST(Half, EveryHalfSurvivesTheRoundTrip) {
  // halfToFloat is exact, so converting back must give the same bits for every non-NaN half.
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    float f = halfToFloat(static_cast<uint16_t>(bits));
    bool nan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0;
    if (nan) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << bits;
      ASSERT_TRUE(std::isnan(halfToFloat(floatToHalf(f))));
    } else {
      ASSERT_EQ(floatToHalf(f), bits) << std::hex << bits << " -> " << f;
    }
  }
}

TEST(Half, DbRangeErrorIsUnderHalfAnUlp) {
  // The store's precision claim: |error| <= 2^-5 dB (half of float16's 2^-4 spacing) over [-128, 128].
  double worst = 0;
  for (float x = -100.0f; x <= 60.0f; x += 0.0007f) worst = std::max(worst, double(std::fabs(halfToFloat(floatToHalf(x)) - x)));
  EXPECT_LE(worst, 1.0 / 32);
  EXPECT_GT(worst, 1.0 / 64);  // and the bound is tight: values near +-100 dB do lose up to ~0.03 dB
}
