#include "pipeline/run_plan.hpp"

namespace chorus::pipeline {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Defaults and absolute paths: stages and their reports then name files the same from any folder.
RunPlan resolvedPaths(const RunPlanOptions& o) {
  RunPlan plan;
  plan.synthetic = o.data.empty();
  plan.work = o.work;
  plan.data = plan.synthetic ? o.work / "data" : o.data;
  plan.solution = o.solution.empty() && plan.synthetic ? o.work / "solution.csv" : o.solution;
  plan.submission = o.submission.empty() ? o.work / "submission.csv" : o.submission;
  for (fs::path* p : {&plan.data, &plan.work, &plan.solution, &plan.submission})
    if (!p->empty()) *p = fs::absolute(*p).lexically_normal();
  return plan;
}

}  // namespace

RunPlan planRun(const RunPlanOptions& o) {
  RunPlan plan = resolvedPaths(o);
  const std::string data = plan.data.string(), work = plan.work.string();
  auto add = [&](std::string marker, std::vector<std::string> args, bool collective,
                 std::vector<std::string> later = {}) {
    plan.stages.push_back({std::move(marker), std::move(args), collective, std::move(later)});
  };
  if (plan.synthetic) add("synth", {"synth", "--out", data, "--solution", plan.solution.string()}, false);
  add("prep", {"prep", "--data", data, "--work", work}, false);
  add("features", {"features", "--data", data, "--work", work}, true);
  // Collective: ranks split into groups that take the (backbone, fold) jobs in turn.
  add("train", with({"train", "--data", data, "--work", work}, o.trainExtra), true);
  // Noisy student: round r's pseudo-labels come from round r-1's models, then every job is
  // retrained with them into models/<backbone>-f<k>-r<r>/.
  for (int r = 1; r <= o.pseudoRounds; ++r) {
    const std::string round = std::to_string(r), dir = (plan.work / "pseudo" / ("r" + round)).string();
    add("pseudo-r" + round, with({"pseudo", "--data", data, "--work", work, "--round", round}, o.pseudoExtra), true);
    add("train-r" + round, with({"train", "--data", data, "--work", work}, o.trainExtra), true, {"--pseudo", dir});
  }
  add("infer", with({"infer", "--data", data, "--work", work, "--out", plan.submission.string()}, o.inferExtra), true);
  return plan;
}

}  // namespace chorus::pipeline
