// The binary's contract: --version, --help on every subcommand, config errors as usage errors.
#include <gtest/gtest.h>

#include <fstream>

#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {

using testing::chorusBinary;
using testing::run;

TEST(Cli, VersionNamesRevisionTorchCudaAndNccl) {
  auto r = run(chorusBinary() + " --version");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("chorus 0."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(git "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("torch 2."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CUDA: compiled"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("NCCL: compiled"), std::string::npos) << r.output;
#ifdef CHORUS_EXPECT_TCMALLOC
  // The allocator is asked of the running process, not of the build: tcmalloc really replaced malloc.
  EXPECT_NE(r.output.find("allocator: gperftools"), std::string::npos) << r.output;
#else
  EXPECT_NE(r.output.find("allocator: glibc malloc"), std::string::npos) << r.output;
#endif
}

TEST(Cli, EverySubcommandHasHelp) {
  auto top = run(chorusBinary() + " --help");
  ASSERT_EQ(top.code, 0) << top.output;
  for (const char* sub : {"synth", "prep", "score", "features"}) {
    EXPECT_NE(top.output.find(sub), std::string::npos) << sub << " missing from --help";
    auto r = run(chorusBinary() + " " + sub + " --help");
    EXPECT_EQ(r.code, 0) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("--config"), std::string::npos) << sub << " --help must mention --config";
  }
}

TEST(Cli, UnknownOptionAndMisspeltConfigKeyAreUsageErrors) {
  auto r = run(chorusBinary() + " prep --no-such-flag");
  EXPECT_EQ(r.code, 2) << r.output;
  auto dir = testing::scratchDir();
  std::ofstream(dir / "bad.toml") << "[prep]\nfoldz = 3\n";
  r = run(chorusBinary() + " prep --config " + (dir / "bad.toml").string() + " --data x --work y");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("foldz"), std::string::npos) << "the message must name the bad key: " << r.output;
}

TEST(Cli, NoSubcommandPrintsHelpAndUsageCode) {
  auto r = run(chorusBinary());
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("Subcommands"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace chorus
