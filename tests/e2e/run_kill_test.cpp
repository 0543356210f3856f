// chorus run end to end with the binary: a tiny synthetic run, SIGKILL in the middle of training,
// a rerun that finishes without redoing the completed stages (their markers and outputs untouched),
// and the closing summary, run.json and report.html of a scored submission.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using testing::chorusBinary;

// Tiny: 6 species, 30 clips, one backbone and two folds, 2 epochs of 2 steps, one pseudo round.
const char* kConfig = R"([synth]
preset = "demo"
seed = 11
species = 6
train-clips = 30
train-soundscapes = 4
test-soundscapes = 2

[train]
backbones = ["convnext_atto"]
folds = [0, 1]
epochs = 2
warmup-epochs = 0
max-steps-per-epoch = 2
batch-size = 4
eval-batch-size = 16
threads = 1

[infer]
tta = ["orig"]
threads = 1
time-budget = 0

[pseudo]
tta = ["orig"]
threads = 1
)";

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, fs::file_time_type> times(const std::vector<fs::path>& files) {
  std::map<std::string, fs::file_time_type> t;
  for (const auto& f : files) t[f.string()] = fs::last_write_time(f);
  return t;
}

TEST(RunE2E, KillDuringTrainingThenRerunSkipsCompletedStages) {
  const fs::path dir = testing::scratchDir(), work = dir / "work", config = dir / "tiny.toml";
  std::ofstream(config) << kConfig;
  const std::string command = chorusBinary() + " run --config " + config.string() + " --work " + work.string();

  // First run, killed once the first training checkpoint exists (the middle of the train stage).
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string log = (dir / "first.log").string();
    execl("/bin/sh", "sh", "-c", ("exec " + command + " > " + log + " 2>&1").c_str(), (char*)nullptr);
    _exit(127);
  }
  const fs::path firstCheckpoint = work / "models" / "convnext_atto-f0" / "last.json";
  bool killed = false;
  for (int i = 0; i < 3000 && !killed; ++i) {  // up to 5 minutes
    if (fs::exists(firstCheckpoint)) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    int status = 0;
    if (!killed && ::waitpid(pid, &status, WNOHANG) == pid) FAIL() << "run ended before training:\n" << slurp(dir / "first.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(killed) << slurp(dir / "first.log");
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  // Done before the kill: synth, prep, features. Not done: train (no marker).
  std::vector<fs::path> earlier;
  for (const char* stage : {"synth", "prep", "features"}) {
    ASSERT_TRUE(fs::exists(work / "stages" / (std::string(stage) + ".json"))) << stage;
    earlier.push_back(work / "stages" / (std::string(stage) + ".json"));
  }
  EXPECT_FALSE(fs::exists(work / "stages" / "train.json"));
  for (const char* out : {"data/train.csv", "meta/train_cleaned_stratified.csv", "features/train_audio.h5",
                          "features/test_soundscapes.h5"})
    earlier.push_back(work / out);
  std::map<fs::path, std::string> contents;
  for (const auto& f : earlier) contents[f] = slurp(f);
  const auto before = times(earlier);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a rewrite would show in the times

  auto r = testing::run(command);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(times(earlier), before) << "a completed stage was redone";
  for (const auto& f : earlier) EXPECT_EQ(slurp(f), contents[f]) << f;
  for (const char* stage : {"synth", "prep", "features"})
    EXPECT_NE(r.output.find(std::string("run: ") + stage + ": complete"), std::string::npos) << stage << "\n" << r.output;

  // Everything else finished: markers, the round-1 models, a scored submission.
  for (const char* stage : {"train", "pseudo-r1", "train-r1", "infer"})
    EXPECT_TRUE(fs::exists(work / "stages" / (std::string(stage) + ".json"))) << stage;
  for (const char* model : {"convnext_atto-f0", "convnext_atto-f1", "convnext_atto-f0-r1", "convnext_atto-f1-r1"})
    EXPECT_TRUE(fs::exists(work / "models" / model / "metrics.csv")) << model;
  EXPECT_NE(r.output.find("run summary"), std::string::npos);
  EXPECT_NE(r.output.find("ensemble out-of-fold AUC"), std::string::npos);
  EXPECT_NE(r.output.find("submission score against the hidden solution: "), std::string::npos) << r.output;

  auto j = nlohmann::json::parse(slurp(work / "run.json"));
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_TRUE(j["synthetic"].get<bool>());
  EXPECT_FALSE(j["git"].get<std::string>().empty());
  EXPECT_EQ(j["versions"]["torch"].get<std::string>().substr(0, 2), "2.");
  const double score = j["submission_score"].get<double>();
  EXPECT_GE(score, 0.0);
  EXPECT_LE(score, 1.0);
  EXPECT_EQ(j["models"].size(), 4u);
  EXPECT_GE(j["oof"]["ensemble"].get<double>(), 0.0);
  // The submission's score is the one `chorus score` gives.
  auto scored = testing::run(chorusBinary() + " score --solution " + (work / "solution.csv").string() + " --submission " +
                             (work / "submission.csv").string());
  ASSERT_EQ(scored.code, 0) << scored.output;
  const std::string last = scored.output.substr(scored.output.find_last_of('\n', scored.output.size() - 2) + 1);
  EXPECT_NEAR(std::stod(last), score, 1e-9);  // printed with 10 digits
  // Skipped stages keep the time they took when they ran.
  for (const auto& st : j["stages"])
    if (st["stage"] == "synth") EXPECT_TRUE(st["skipped"].get<bool>());
  EXPECT_TRUE(fs::exists(work / "report.html"));

  // A third run has nothing to do.
  auto again = testing::run(command);
  ASSERT_EQ(again.code, 0) << again.output;
  for (const char* stage : {"synth", "prep", "features", "train", "pseudo-r1", "train-r1", "infer"})
    EXPECT_NE(again.output.find(std::string("run: ") + stage + ": complete"), std::string::npos) << stage;
}

TEST(RunE2E, BadConfigKeyStopsBeforeAnyStage) {
  const fs::path dir = testing::scratchDir();
  std::ofstream(dir / "bad.toml") << "[train]\nepochz = 3\n";
  auto r = testing::run(chorusBinary() + " run --config " + (dir / "bad.toml").string() + " --work " +
                        (dir / "work").string());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("epochz"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "work" / "stages"));
}

}  // namespace
}  // namespace chorus
