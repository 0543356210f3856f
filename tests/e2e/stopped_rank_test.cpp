// A rank that stops answering must not hang the others: `mpirun -np 2 chorus features` and
// `chorus train` (10 jobs) with rank 1 stopped by SIGSTOP end within --collective-timeout plus slack,
// with a non-zero exit and a message naming rank 1 and where the others waited for it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "run_util.hpp"
#include "tiny_train_run.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::chorusBinary;
using testing::readAll;
using testing::run;

constexpr int kTimeout = 5;

// 3 species, 30 clips, 5 folds: with 2 backbones the 10 jobs of a train run.
const fs::path& fiveFoldData() {
  static const fs::path root = testing::syntheticDataset(
      "stopped-rank", "--preset demo --species 3 --train-clips 30 --train-soundscapes 2 --test-soundscapes 1", 5, {"all"});
  return root;
}

// The pid in a rank's heartbeat record (0 while there is none).
pid_t heartbeatPid(const fs::path& work, int rank) {
  const std::string r = readAll(work / "logs" / "heartbeats" / ("rank-" + std::to_string(rank)));
  const size_t at = r.find("pid=");
  return at == std::string::npos ? 0 : pid_t(std::atol(r.c_str() + at + 4));
}

bool isChorus(pid_t pid) { return readAll("/proc/" + std::to_string(pid) + "/cmdline").find("chorus") != std::string::npos; }

struct Outcome {
  int code = -1;
  bool ended = false;
  double secondsAfterStop = -1;
  std::string output;
};

// Runs `command` (mpirun -np 2 chorus ...), stops rank 1 once `ready` holds, and waits up to
// `limit` s for mpirun to end. Nothing is left running: the stopped rank is continued and killed.
template <class Ready>
Outcome runWithRankOneStopped(const std::string& command, const fs::path& work, const fs::path& log, Ready ready,
                              double limit) {
  Outcome out;
  const pid_t launcher = ::fork();
  if (launcher == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + command + " > " + log.string() + " 2>&1").c_str(), (char*)nullptr);
    ::_exit(127);
  }
  pid_t stopped = 0;
  Clock::time_point stoppedAt;
  int status = 0;
  for (auto start = Clock::now(); Clock::now() - start < std::chrono::seconds(120);) {
    if (::waitpid(launcher, &status, WNOHANG) == launcher) {
      out.ended = true;
      break;
    }
    if (!stopped && ready()) {
      stopped = heartbeatPid(work, 1);
      if (stopped > 0 && isChorus(stopped)) ::kill(stopped, SIGSTOP), stoppedAt = Clock::now();
      else stopped = 0;
    }
    if (stopped && Clock::now() - stoppedAt > std::chrono::duration<double>(limit)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (out.ended) {
    out.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (stopped) out.secondsAfterStop = std::chrono::duration<double>(Clock::now() - stoppedAt).count();
  } else {
    ::kill(launcher, SIGKILL);
    ::waitpid(launcher, &status, 0);
  }
  if (stopped && isChorus(stopped)) {
    ::kill(stopped, SIGCONT);
    ::kill(stopped, SIGKILL);
  }
  const pid_t other = heartbeatPid(work, 0);
  if (other > 0 && isChorus(other)) ::kill(other, SIGKILL);
  EXPECT_TRUE(stopped) << "rank 1 was never stopped";
  out.output = readAll(log);
  return out;
}

TEST(StoppedRank, FeaturesEndsNamingTheStoppedRank) {
  const fs::path data = fiveFoldData(), dir = data / "features-run", work = dir / "work";
  fs::remove_all(dir);
  fs::create_directories(work);
  fs::create_directory_symlink(data / "work" / "meta", work / "meta");
  const std::string cmd = testing::kMpirunNp2 + chorusBinary() + " features --data " + (data / "data").string() +
                          " --work " + work.string() + " --set all --collective-timeout " + std::to_string(kTimeout);
  auto ready = [&] { return heartbeatPid(work, 1) > 0; };  // rank 1 is up: stopped before its first collective
  const Outcome o = runWithRankOneStopped(cmd, work, dir / "features.log", ready, kTimeout + 30);
  ASSERT_TRUE(o.ended) << "mpirun still ran " << kTimeout + 30 << " s after rank 1 stopped:\n" << o.output;
  EXPECT_NE(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("rank 1 stopped answering (no reply in 5 s) during features: "), std::string::npos) << o.output;
  EXPECT_LT(o.secondsAfterStop, kTimeout + 20) << o.output;
  std::cout << "[ measured ] features: mpirun ended " << o.secondsAfterStop << " s after SIGSTOP to rank 1\n";
}

TEST(StoppedRank, TrainOfTenJobsEndsNamingTheStoppedRank) {
  const fs::path data = fiveFoldData(), dir = data / "train-run", work = dir / "work";
  fs::remove_all(dir);
  fs::create_directories(work);
  for (const char* sub : {"meta", "features"}) fs::create_directory_symlink(data / "work" / sub, work / sub);
  // 2 backbones x 5 folds: two groups of one rank, 5 jobs each; each rank trains alone.
  const std::string cmd = testing::kMpirunNp2 + chorusBinary() + " train --data " + (data / "data").string() +
                          " --work " + work.string() +
                          " --backbones convnext_atto efficientnet_b0 --folds 0 1 2 3 4 --epochs 1 --batch-size 2"
                          " --max-steps-per-epoch 1 --eval-batch-size 16 --threads 1 --device cpu --warmup-epochs 0"
                          " --collective-timeout " + std::to_string(kTimeout);
  auto ready = [&] {  // both ranks are in their first job
    size_t jobs = 0;
    if (fs::exists(work / "models"))
      for ([[maybe_unused]] const auto& e : fs::directory_iterator(work / "models")) ++jobs;
    return jobs >= 2;
  };
  const auto start = Clock::now();
  const Outcome o = runWithRankOneStopped(cmd, work, dir / "train.log", ready, 90);
  ASSERT_TRUE(o.ended) << "mpirun still ran 90 s after rank 1 stopped:\n" << o.output;
  EXPECT_NE(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("rank 1 stopped answering (no reply in 5 s) during the end of the run (train)"),
            std::string::npos)
      << o.output;
  // Rank 0 trained its 5 jobs first: a rank still alive is waited for, a silent one is not.
  size_t reported = 0;
  for (size_t at = 0; (at = o.output.find("out-of-fold AUC", at)) != std::string::npos; ++at) ++reported;
  EXPECT_EQ(reported, 5u) << o.output;
  std::cout << "[ measured ] train: mpirun ended " << o.secondsAfterStop << " s after SIGSTOP to rank 1, "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s in all\n";
}

}  // namespace
}  // namespace chorus
