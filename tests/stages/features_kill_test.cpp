// End to end: `mpirun -np 2 chorus features` is killed (kill -9 of rank 1) once its first part is
// published; a rerun finishes the set, reuses what was finished, and the store equals a clean
// single-rank run.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <regex>
#include <thread>

#include "core/fs.hpp"
#include "dist/mpi_context.hpp"
#include "features_dataset.hpp"
#include "run_util.hpp"
#include "stages/features.hpp"
#include "test_util.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace chorus;

namespace {

const dist::MpiContext& world() {
  static dist::MpiContext mpi;
  return mpi;
}

const std::string& kMpirun = chorus::testing::kMpirunNp2;

pid_t spawnShell(const std::string& command) {
  pid_t pid = 0;
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return -1;
  return pid;
}

bool hasFinishedPart(const fs::path& parts) {
  if (!fs::is_directory(parts)) return false;
  for (const auto& e : fs::directory_iterator(parts)) {
    std::string name = e.path().filename().string();
    if (name.rfind("part-", 0) == 0 && name.find(".tmp.") == std::string::npos) return true;
  }
  return false;
}

// Rank 1's pid, from the header line of its log ("... (pid 1234) ...").
pid_t rankPid(const fs::path& log) {
  std::smatch m;
  std::string text = fs::exists(log) ? readTextFile(log) : "";
  static const std::regex pid(R"(\(pid (\d+)\))");
  return std::regex_search(text, m, pid) ? pid_t(std::stol(m[1])) : -1;
}

}  // namespace

TEST(FeaturesKill, RerunAfterKillNineFinishesTheSetAndMatchesACleanRun) {
  if (chorus::testing::run("command -v mpirun").code != 0) GTEST_SKIP() << "mpirun is not installed";
  const fs::path root = chorus::testing::scratchDir();
  // 32 one-minute soundscapes (copies of one wav: writing is fast, decoding is real work).
  const fs::path folder = root / "data/train_soundscapes";
  fs::create_directories(folder);
  chorus::testing::writeClip(root / "one.wav", 60, 32000, 1, 7);
  for (int i = 0; i < 32; ++i) fs::copy_file(root / "one.wav", folder / ("sc_" + std::to_string(100 + i) + ".wav"));
  const std::string args = " features --data " + (root / "data").string() + " --work " + (root / "work").string() +
                           " --set train_soundscapes --part-seconds 120 --log-level warn";
  const fs::path parts = root / "work/features/train_soundscapes.parts";

  pid_t mpirun = spawnShell(std::string("exec ") + kMpirun + chorus::testing::chorusBinary() + args + " >" +
                            (root / "killed.out").string() + " 2>&1");
  ASSERT_GT(mpirun, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  pid_t victim = -1;
  while (std::chrono::steady_clock::now() < deadline && !(victim > 0 && hasFinishedPart(parts))) {
    victim = rankPid(root / "work/logs/features.rank1.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GT(victim, 0) << "rank 1 never logged its pid";
  ASSERT_TRUE(hasFinishedPart(parts)) << "no part appeared in 120 s";
  ::kill(victim, SIGKILL);
  int status = 0;
  waitpid(mpirun, &status, 0);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the killed run reported success";
  if (fs::exists(root / "work/features/train_soundscapes.h5"))
    GTEST_SKIP() << "the run finished before the kill landed; nothing to resume";

  auto rerun = chorus::testing::run(std::string(kMpirun) + chorus::testing::chorusBinary() + args);
  ASSERT_EQ(rerun.code, 0) << rerun.output;
  auto report = nlohmann::json::parse(readTextFile(root / "work/features/report.json"))["sets"]["train_soundscapes"];
  EXPECT_GE(report["parts_reused"].get<int>(), 1);
  EXPECT_LT(report["items_computed"].get<int>(), 32);  // the finished parts were not redone
  EXPECT_EQ(report["stored"], 32);
  for (const auto& e : fs::directory_iterator(parts))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();

  stages::FeaturesOptions clean;
  clean.data = root / "data";
  clean.work = root / "clean";
  clean.set = "train_soundscapes";
  clean.partSeconds = 120;
  stages::runFeatures(clean, world());
  chorus::testing::expectSameStores(store::FeatureStore(root / "clean/features/train_soundscapes.h5"),
                                    store::FeatureStore(root / "work/features/train_soundscapes.h5"));
  std::cout << "killed after " << report["parts_reused"] << " finished parts; rerun computed "
            << report["items_computed"] << " of 32 files\n";
  fs::remove_all(root);
}
