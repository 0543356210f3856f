// The SED and pooled heads against a PyTorch reference (tests/fixtures/model, written by
// tools/make_model_fixture.py from the BirdCLEF SED models' head code).
#include "core/error.hpp"
#include "model/checkpoint.hpp"
#include "model/heads.hpp"
#include "model_test_util.hpp"

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

NamedTensors io() { return readTensorFile(ct::fixture("model/heads_io.pt")); }

}  // namespace

TEST(SedHead, MatchesTheReferenceInEvalMode) {
  auto head = makeSedHead(16, 5, 0.5);
  loadWeights(*head, ct::fixture("model/sed_head.pt"));
  head->eval();
  const auto ref = io();
  const auto out = head->forward(ct::entry(ref, "features"));
  EXPECT_EQ(out.frames.sizes(), (std::vector<int64_t>{2, 5, 7}));
  EXPECT_LT(ct::maxAbsDiff(out.clip, ct::entry(ref, "sed_clip")), 1e-5);
  EXPECT_LT(ct::maxAbsDiff(out.frames, ct::entry(ref, "sed_frames")), 1e-5);
  EXPECT_LT(ct::maxAbsDiff(out.attention, ct::entry(ref, "sed_attention")), 1e-6);
  // The attention is a distribution over time for every class.
  EXPECT_TRUE(torch::allclose(out.attention.sum(2), torch::ones({2, 5}), 1e-5, 1e-6));
}

TEST(SedHead, DropoutActsOnlyInTraining) {
  torch::manual_seed(0);
  auto head = makeSedHead(16, 5, 0.5);
  const auto x = ct::entry(io(), "features");
  head->eval();
  EXPECT_TRUE(torch::equal(head->forward(x).clip, head->forward(x).clip));
  head->train();
  EXPECT_FALSE(torch::allclose(head->forward(x).clip, head->forward(x).clip));
}

TEST(PooledHead, MatchesTheReferenceAndItsFramesAverageToTheClip) {
  auto head = makePooledHead(16, 5, 0.5);
  loadWeights(*head, ct::fixture("model/pooled_head.pt"));
  head->eval();
  const auto ref = io();
  const auto out = head->forward(ct::entry(ref, "features"));
  EXPECT_LT(ct::maxAbsDiff(out.clip, ct::entry(ref, "pooled_clip")), 1e-5);
  EXPECT_LT(ct::maxAbsDiff(out.frames, ct::entry(ref, "pooled_frames")), 1e-5);
  EXPECT_LT(ct::maxAbsDiff(out.frames.mean(2), out.clip), 1e-5);
  EXPECT_FALSE(out.attention.defined());
}

TEST(Heads, RejectAFeatureVector) {
  auto head = makeSedHead(16, 5, 0.5);
  EXPECT_THROW(head->forward(torch::zeros({2, 16})), chorus::Error);
}
