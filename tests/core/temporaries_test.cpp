// Stale temporaries: a killed publish's `*.tmp.<pid>` file or folder is removed when its pid is
// dead, kept when the process lives (this test), and nothing else in the folder is touched.
#include "core/temporaries.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "test_util.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;

// The pid of a process that has exited and been reaped: kill(pid, 0) gives ESRCH.
pid_t deadPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(Temporaries, TheOwnerIsThePidAfterTmp) {
  EXPECT_EQ(temporaryOwner("metrics.csv.tmp.1234"), pid_t(1234));
  EXPECT_EQ(temporaryOwner("epoch-0001.tmp.77"), pid_t(77));
  EXPECT_FALSE(temporaryOwner("metrics.csv"));
  EXPECT_FALSE(temporaryOwner("notes.tmp.txt"));
  EXPECT_FALSE(temporaryOwner("x.tmp."));
  EXPECT_FALSE(temporaryOwner("x.tmp.0"));
}

TEST(Temporaries, OnlyThoseOfDeadProcessesAreRemoved) {
  const fs::path dir = testing::scratchDir();
  const std::string dead = std::to_string(deadPid()), live = std::to_string(::getpid());
  for (const std::string& name : std::vector<std::string>{"metrics.csv.tmp." + dead, "metrics.csv.tmp." + live, "metrics.csv", "part-1.h5.tmp." + dead})
    std::ofstream(dir / name) << "x";
  fs::create_directories(dir / ("epoch-0001.tmp." + dead) / "inner");
  std::ofstream(dir / ("epoch-0001.tmp." + dead) / "inner" / "weights.pt") << "x";
  fs::create_directories(dir / ("epoch-0002.tmp." + live));

  EXPECT_EQ(removeStaleTemporaries(dir, "part-"), 1u);  // the prefix keeps the others for now
  EXPECT_FALSE(fs::exists(dir / ("part-1.h5.tmp." + dead)));
  EXPECT_EQ(clearStaleTemporaries({dir, dir / "absent"}, "test"), 2u);
  EXPECT_FALSE(fs::exists(dir / ("metrics.csv.tmp." + dead)));
  EXPECT_FALSE(fs::exists(dir / ("epoch-0001.tmp." + dead)));
  EXPECT_TRUE(fs::exists(dir / ("metrics.csv.tmp." + live)));
  EXPECT_TRUE(fs::exists(dir / ("epoch-0002.tmp." + live)));
  EXPECT_TRUE(fs::exists(dir / "metrics.csv"));
  EXPECT_EQ(removeStaleTemporaries(dir), 0u);
}

}  // namespace
}  // namespace chorus
