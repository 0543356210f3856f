// chorus run under mpirun -np 2: every stage collective or run by rank 0 alone, the training jobs
// spread over rank groups, one summary (rank 0), and the same scored submission as a plain run.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;

const char* kConfig = R"([synth]
preset = "demo"
seed = 7
species = 6
train-clips = 30
train-soundscapes = 4
test-soundscapes = 2

[train]
backbones = ["convnext_atto"]
folds = [0, 1]
epochs = 1
warmup-epochs = 0
max-steps-per-epoch = 2
batch-size = 4
threads = 1

[pseudo]
tta = ["orig"]
threads = 1

[infer]
tta = ["orig"]
threads = 1
time-budget = 0
)";

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(RunRanks, TwoRanksRunTheWholeChain) {
  const fs::path dir = testing::scratchDir(), work = dir / "work";
  std::ofstream(dir / "tiny.toml") << kConfig;
  auto r = testing::run(
      testing::kMpirunNp2 + testing::chorusBinary() + " run --config " + (dir / "tiny.toml").string() +
      " --work " + work.string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(count(r.output, "run summary"), 1u) << "only rank 0 prints the summary:\n" << r.output;
  EXPECT_NE(r.output.find("2 jobs on 2 groups"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 MPI ranks"), std::string::npos) << "infer over both ranks:\n" << r.output;
  for (const char* log : {"run.rank0.log", "run.rank1.log", "features.rank1.log"})
    EXPECT_TRUE(fs::exists(work / "logs" / log)) << log;
  std::ifstream in(work / "run.json");
  std::stringstream s;
  s << in.rdbuf();
  auto j = nlohmann::json::parse(s.str());
  EXPECT_EQ(j["ranks"], 2);
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["models"].size(), 4u);  // 2 folds, rounds 0 and 1
  EXPECT_GE(j["submission_score"].get<double>(), 0.0);
  EXPECT_TRUE(fs::exists(work / "report.html"));
}

}  // namespace
}  // namespace chorus
