#include <gtest/gtest.h>

#include <cstdlib>

#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {

TEST(Log, RankFromLauncherEnvironment) {
  ::setenv("OMPI_COMM_WORLD_RANK", "3", 1);
  EXPECT_EQ(log::rankFromEnvironment(), 3);
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  ::setenv("SLURM_PROCID", "5", 1);
  EXPECT_EQ(log::rankFromEnvironment(), 5);
  ::unsetenv("SLURM_PROCID");
}

TEST(Log, EveryRankWritesItsOwnFileWithLevelAndRank) {
  auto dir = testing::scratchDir();
  int saved = log::rank();
  log::setRank(1);
  auto path = log::rankLogPath(dir, "features");
  EXPECT_EQ(path.filename(), "features.rank1.log");
  log::openFile(path);
  CHORUS_LOG(Debug) << "decoded " << 3 << " files";
  CHORUS_LOG(Warn) << "bad file x.ogg";
  log::openFile({});
  log::setRank(saved);
  std::string text = readTextFile(path);
  EXPECT_NE(text.find("DEBUG [rank 1] decoded 3 files"), std::string::npos) << text;
  EXPECT_NE(text.find("WARN [rank 1] bad file x.ogg"), std::string::npos) << text;
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(Progress::formatDuration(0), "0:00");
  EXPECT_EQ(Progress::formatDuration(75), "1:15");
  EXPECT_EQ(Progress::formatDuration(3725), "1:02:05");
  EXPECT_EQ(Progress::formatDuration(-1), "?");
}

TEST(Progress, FinalLineCarriesCountRateAndEta) {
  auto dir = testing::scratchDir();
  log::openFile(dir / "p.log");
  {
    Progress p("features train_audio", 4, "files");
    p.advance(2);
    p.advance(2);
  }
  log::openFile({});
  std::string text = readTextFile(dir / "p.log");
  EXPECT_NE(text.find("features train_audio: 4/4 files (100.0%)"), std::string::npos) << text;
  EXPECT_NE(text.find("files/s"), std::string::npos) << text;
  EXPECT_NE(text.find("ETA 0:00"), std::string::npos) << text;
}

}  // namespace
}  // namespace chorus
