#include "core/atomic_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {

TEST(AtomicFile, TargetAppearsOnlyOnCommit) {
  auto dir = testing::scratchDir();
  auto target = dir / "sub" / "out.csv";
  {
    AtomicFile f(target);
    f.stream() << "a,b\n1,2\n";
    EXPECT_FALSE(fs::exists(target)) << "the target must not be visible before commit";
    EXPECT_TRUE(fs::exists(f.tempPath()));
    f.commit();
  }
  EXPECT_EQ(readTextFile(target), "a,b\n1,2\n");
  for (auto& e : fs::directory_iterator(dir / "sub")) EXPECT_EQ(e.path().filename(), "out.csv");
}

TEST(AtomicFile, AbandonedWriteLeavesOldContentAndNoTemporary) {
  auto dir = testing::scratchDir();
  auto target = dir / "report.json";
  writeFileAtomic(target, "old");
  {
    AtomicFile f(target);
    f.stream() << "half-writ";
    // destroyed without commit: as if the writer threw half way
  }
  EXPECT_EQ(readTextFile(target), "old");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1) << "the temporary file must be removed";
}

TEST(AtomicFile, UnwritableFolderNamesThePath) {
  try {
    writeFileAtomic("/proc/chorus-no-such/x.txt", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/chorus-no-such"), std::string::npos) << e.what();
  }
}

TEST(Fs, ReadMissingFileIsInputErrorNamingIt) {
  try {
    readTextFile("/nonexistent/chorus.csv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::BadInput);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/chorus.csv"), std::string::npos);
  }
}

TEST(Errors, ExitCodesAreDistinct) {
  EXPECT_EQ(static_cast<int>(UsageError("x").code()), 2);
  EXPECT_EQ(static_cast<int>(InputError("f.csv", 7, "bad").code()), 3);
  EXPECT_EQ(std::string(InputError("f.csv", 7, "bad").what()), "f.csv:7: bad");
  EXPECT_EQ(static_cast<int>(Error("p", ExitCode::PartialFailure).code()), 4);
}

}  // namespace
}  // namespace chorus
