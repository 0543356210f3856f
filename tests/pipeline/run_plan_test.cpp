#include "pipeline/run_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace chorus::pipeline;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> markers(const RunPlan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.stages) out.push_back(s.marker);
  return out;
}
bool has(const std::vector<std::string>& args, const std::string& a, const std::string& b) {
  auto it = std::find(args.begin(), args.end(), a);
  return it != args.end() && it + 1 != args.end() && *(it + 1) == b;
}
}  // namespace

TEST(RunPlan, WithoutDataSynthesisesAndScoresAgainstTheHiddenSolution) {
  RunPlanOptions o;
  o.work = "w";
  o.pseudoRounds = 2;
  const RunPlan p = planRun(o);
  const fs::path work = fs::absolute("w").lexically_normal();
  EXPECT_TRUE(p.synthetic);
  EXPECT_EQ(p.data, work / "data");
  EXPECT_EQ(p.solution, work / "solution.csv");
  EXPECT_EQ(p.submission, work / "submission.csv");
  EXPECT_EQ(markers(p), (std::vector<std::string>{"synth", "prep", "features", "train", "pseudo-r1", "train-r1",
                                                  "pseudo-r2", "train-r2", "infer"}));
  EXPECT_TRUE(has(p.stages[0].args, "--out", (work / "data").string()));
  EXPECT_FALSE(p.stages[0].collective);  // synth and prep on rank 0
  EXPECT_FALSE(p.stages[1].collective);
  EXPECT_TRUE(p.stages[2].collective);
  EXPECT_TRUE(has(p.stages[6].args, "--round", "2"));
  // Round 2's retraining reads round 2's labels, named only when it runs.
  EXPECT_TRUE(has(p.stages[7].later, "--pseudo", (work / "pseudo" / "r2").string()));
  EXPECT_TRUE(has(p.stages[8].args, "--out", (work / "submission.csv").string()));
}

TEST(RunPlan, GivenDataNoSynthNoSolutionAndTeacherOptionsReachTheirStages) {
  RunPlanOptions o;
  o.data = "/data/bc";
  o.work = "/scratch/w";
  o.pseudoRounds = 0;
  o.trainExtra = {"--distil", "t.h5"};
  o.inferExtra = {"--teacher", "i.h5"};
  const RunPlan p = planRun(o);
  EXPECT_FALSE(p.synthetic);
  EXPECT_TRUE(p.solution.empty());
  EXPECT_EQ(markers(p), (std::vector<std::string>{"prep", "features", "train", "infer"}));
  EXPECT_TRUE(has(p.stages[0].args, "--data", "/data/bc"));
  EXPECT_TRUE(has(p.stages[2].args, "--distil", "t.h5"));
  EXPECT_TRUE(has(p.stages[3].args, "--teacher", "i.h5"));
  EXPECT_FALSE(has(p.stages[3].args, "--distil", "t.h5"));
}
