// Torch tensors through safetensors files: every dtype a checkpoint holds comes back bit-equal, and
// the reference writer's file (tools/make_safetensors_fixture.py) reads into the same tensors.
#include <gtest/gtest.h>

#include "model/safetensors_io.hpp"
#include "test_util.hpp"

using namespace chorus;

TEST(SafetensorsIo, EveryDtypeRoundTripsBitEqual) {
  torch::manual_seed(7);
  model::NamedTensors in = {{"w", torch::randn({3, 2, 5})},
                            {"h", torch::randn({4}).to(torch::kFloat16)},
                            {"b", torch::randn({2, 2}).to(torch::kBFloat16)},
                            {"d", torch::randn({3}, torch::kFloat64)},
                            {"n", torch::tensor(int64_t(12345))},
                            {"e", torch::zeros({0, 3})}};
  const auto file = chorus::testing::scratchDir() / "t.safetensors";
  model::writeSafetensors(file, in, {{"k", "v"}});
  const auto out = model::readSafetensors(file);
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [name, t] : in) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(out.count(name));
    EXPECT_EQ(out.at(name).scalar_type(), t.scalar_type());
    EXPECT_EQ(out.at(name).sizes(), t.sizes());
    EXPECT_TRUE(torch::equal(out.at(name), t));
  }
  EXPECT_EQ(weights::SafeTensorsFile::read(file).metadata().at("k"), "v");
}

TEST(SafetensorsIo, ReadsTheReferenceWritersFile) {
  const auto t = model::readSafetensors(chorus::testing::fixture("weights/reference.safetensors"));
  EXPECT_EQ(t.at("conv_stem.weight").sizes(), (torch::IntArrayRef{4, 3, 3, 3}));
  EXPECT_EQ(t.at("bn1.running_var").scalar_type(), torch::kFloat16);
  EXPECT_EQ(t.at("blocks.0.0.conv_dw.weight").scalar_type(), torch::kBFloat16);
  EXPECT_EQ(t.at("bn1.num_batches_tracked").item<int64_t>(), 1234567890123);
  EXPECT_FLOAT_EQ(t.at("scalar").item<float>(), 3.5f);
}
