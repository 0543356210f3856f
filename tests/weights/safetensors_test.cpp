// The safetensors reader against a file the reference writer made (tools/make_safetensors_fixture.py),
// our writer read back by the reference reader (Python, where it is installed), every malformed-header
// rule, and SHA-256 against FIPS 180-4's vectors and sha256sum.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "test_util.hpp"
#include "weights/safetensors.hpp"

using namespace chorus;
using namespace chorus::weights;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> fileWithHeader(const std::string& header, size_t dataBytes) {
  std::vector<uint8_t> out(8);
  for (int i = 0; i < 8; ++i) out[size_t(i)] = uint8_t(uint64_t(header.size()) >> (8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + dataBytes, 0);
  return out;
}

std::string errorOf(const std::string& header, size_t dataBytes) {
  try {
    SafeTensorsFile::parse(fileWithHeader(header, dataBytes), "case.safetensors");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SafeTensors, ReadsWhatTheReferenceWriterWrote) {
  const auto f = SafeTensorsFile::read(chorus::testing::fixture("weights/reference.safetensors"));
  std::ifstream in(chorus::testing::fixture("weights/reference.json"));
  const auto expected = nlohmann::json::parse(in);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("made_by"), expected["metadata"]["made_by"]);
  ASSERT_EQ(f.tensors().size(), expected["tensors"].size());
  for (const auto& [name, want] : expected["tensors"].items()) {
    SCOPED_TRACE(name);
    const TensorView* t = f.find(name);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(dtypeName(t->dtype), want["dtype"].get<std::string>());
    EXPECT_EQ(t->shape, want["shape"].get<std::vector<int64_t>>());
    const auto values = want["values"].get<std::vector<double>>();
    ASSERT_EQ(size_t(t->numel()), values.size());
    if (t->dtype == DType::I64) {
      int64_t v;
      std::memcpy(&v, t->data, 8);
      EXPECT_EQ(v, int64_t(values[0]));
      EXPECT_THROW(f.floats(*t), InputError);
      continue;
    }
    const auto got = f.floats(*t);
    for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(got[i], float(values[i])) << i;  // exact: same widening
  }
  EXPECT_EQ(f.find("no.such.tensor"), nullptr);
}

TEST(SafeTensors, WriteThenReadIsExactAndThePythonReaderAgrees) {
  const fs::path file = chorus::testing::scratchDir() / "ours.safetensors";
  std::vector<float> a = {1.5f, -2.25f, 3e-8f, 65504.f, -0.f, 7.f};
  std::vector<int64_t> b = {42};
  writeSafeTensors(file,
                   {{"stem.weight", DType::F32, {2, 3}, reinterpret_cast<const uint8_t*>(a.data()), a.size() * 4},
                    {"count", DType::I64, {}, reinterpret_cast<const uint8_t*>(b.data()), 8}},
                   {{"chorus", "test"}});
  const auto f = SafeTensorsFile::read(file);
  EXPECT_EQ(f.floats(*f.find("stem.weight")), a);
  EXPECT_EQ(f.find("stem.weight")->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.metadata().at("chorus"), "test");
  // The reference reader: safetensors' own Python package, where it is installed.
  if (std::system("python3 -c 'import safetensors' 2>/dev/null") != 0) GTEST_SKIP() << "python3 safetensors not installed";
  const std::string cmd = "python3 -c \"from safetensors.numpy import load_file; from safetensors import safe_open; import numpy as np; "
                          "t = load_file('" + file.string() + "'); "
                          "assert np.array_equal(t['stem.weight'], np.array([[1.5, -2.25, 3e-8], [65504, 0, 7]], np.float32)); "
                          "assert int(t['count']) == 42; "
                          "assert safe_open('" + file.string() + "', 'np').metadata() == {'chorus': 'test'}\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(SafeTensors, RefusesMalformedHeadersNamingTheProblem) {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  EXPECT_EQ(errorOf(ok, 8), "");
  EXPECT_NE(errorOf(ok, 12).find("cover 8 bytes of a 12-byte buffer"), std::string::npos);
  EXPECT_NE(errorOf(ok, 4).find("cover 8 bytes of a 4-byte buffer"), std::string::npos);
  EXPECT_NE(errorOf(ok, 0).find("cover 8 bytes of a 0-byte buffer"), std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8).find("its shape needs 12"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", 8).find("unknown dtype Q7"), std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8).find("shape"), std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8).find("does not start"), std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4)
                .find("does not start"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"dtype":"F32","shape":[4611686018427387904,8],"data_offsets":[0,8]}})", 8).find("too large"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"a":[1,2]})", 0).find("not an object"), std::string::npos);
  EXPECT_NE(errorOf(R"({"__metadata__":{"k":1}})", 0).find("not a string"), std::string::npos);
  EXPECT_NE(errorOf("[1]", 0).find("not a JSON object"), std::string::npos);
  EXPECT_NE(errorOf("{\"a\":", 0).find("not a JSON object"), std::string::npos);
  EXPECT_EQ(errorOf("{}   ", 0), "");  // padding after the object is allowed
  auto longer = fileWithHeader(ok, 8);
  longer[1] = 0x10;  // a header length of 4 KB in a file of 80 bytes
  EXPECT_THROW(
      {
        try {
          SafeTensorsFile::parse(longer, "x");
        } catch (const InputError& e) {
          EXPECT_NE(std::string(e.what()).find("runs past the end"), std::string::npos);
          throw;
        }
      },
      InputError);
  try {
    SafeTensorsFile::parse({1, 2, 3}, "tiny.safetensors");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny.safetensors"), std::string::npos);
  }
}

TEST(Sha256, MatchesTheStandardsVectorsAndSha256sum) {
  EXPECT_EQ(sha256Hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256Hex(two.data(), two.size()), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  const std::string a(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(a.data(), a.size());
  EXPECT_EQ(million.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  const fs::path fixture = chorus::testing::fixture("weights/reference.safetensors");
  const std::string out = (chorus::testing::scratchDir() / "sum").string();
  ASSERT_EQ(std::system(("sha256sum " + fixture.string() + " | cut -c1-64 > " + out).c_str()), 0);
  std::ifstream in(out);
  std::string expected;
  in >> expected;
  EXPECT_EQ(sha256File(fixture), expected);
  EXPECT_THROW(sha256File("/no/such/file"), Error);
}
