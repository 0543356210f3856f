// NumpyRandomState against what numpy's legacy RandomState drew for the same seeds
// (tools/make_numpy_random_fixture.py -> tests/fixtures/numpy_random.json).
#include "core/np_random.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace chorus {
namespace {

using nlohmann::json;

const json& numpyCases() {
  static const json doc = [] {
    std::ifstream in(testing::fixture("numpy_random.json"));
    EXPECT_TRUE(in) << "missing fixture numpy_random.json: run tools/make_numpy_random_fixture.py";
    return json::parse(in);
  }();
  return doc.at("cases");
}

class NumpyRandomStateTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  const json& c() const { return numpyCases().at(GetParam()); }
  uint32_t seed() const { return c().at("seed").get<uint32_t>(); }
};

TEST_P(NumpyRandomStateTest, RawDrawsMatchNumpy) {
  NumpyRandomState rs(seed());
  for (uint64_t expected : c().at("raw_first")) EXPECT_EQ(rs.nextUint32(), expected);
}

TEST_P(NumpyRandomStateTest, RawDrawsAcrossTheStateReloadMatchNumpy) {
  NumpyRandomState rs(seed());
  for (int i = 0; i < 620; ++i) rs.nextUint32();
  for (uint64_t expected : c().at("raw_620_to_639")) EXPECT_EQ(rs.nextUint32(), expected);
}

TEST_P(NumpyRandomStateTest, RandomSampleIsBitIdentical) {
  NumpyRandomState rs(seed());
  for (double expected : c().at("random_sample")) EXPECT_EQ(rs.randomSample(), expected);
}

TEST_P(NumpyRandomStateTest, RandintMatchesNumpyForEveryRange) {
  for (const auto& r : c().at("randint")) {
    NumpyRandomState rs(seed());
    int64_t low = r.at("low"), high = r.at("high");
    for (int64_t expected : r.at("values")) EXPECT_EQ(rs.randint(low, high), expected) << "randint(" << low << ", " << high << ")";
  }
}

TEST_P(NumpyRandomStateTest, ShuffleMatchesNumpy) {
  for (const auto& s : c().at("shuffle")) {
    NumpyRandomState rs(seed());
    std::vector<int64_t> x(s.at("n").get<std::size_t>());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int64_t>(i);
    rs.shuffle(x);
    EXPECT_EQ(x, s.at("result").get<std::vector<int64_t>>()) << "n=" << x.size();
  }
}

TEST_P(NumpyRandomStateTest, SuccessiveShufflesOnOneStateMatchNumpy) {
  NumpyRandomState rs(seed());
  const auto& seq = c().at("shuffle_sequence");
  const auto sizes = seq.at("sizes").get<std::vector<std::size_t>>();
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    std::vector<int> x(sizes[k]);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int>(i);
    rs.shuffle(x);
    EXPECT_EQ(x, seq.at("results").at(k).get<std::vector<int>>()) << "shuffle #" << k;
  }
}

TEST_P(NumpyRandomStateTest, PermutationMatchesNumpy) {
  for (const auto& [n, expected] : c().at("permutation").items()) {
    NumpyRandomState rs(seed());
    EXPECT_EQ(rs.permutation(std::stoll(n)), expected.get<std::vector<int64_t>>()) << "n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, NumpyRandomStateTest, ::testing::Range<std::size_t>(0, 5),
                         [](const auto& info) { return "seed" + numpyCases().at(info.param).at("seed").dump(); });

TEST(NumpyRandomStateFixture, CoversFiveSeeds) { EXPECT_EQ(numpyCases().size(), 5u); }

}  // namespace
}  // namespace chorus
