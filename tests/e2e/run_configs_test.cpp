// Every shipped config is made of real options: CLI11 applies each [section] to its subcommand
// while parsing (before --help is answered) and rejects unknown keys and bad values, so
// `chorus run --config FILE --help` exits 0 only for a config every stage accepts.
#include <gtest/gtest.h>

#include <fstream>

#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;

TEST(RunConfigs, EveryShippedConfigParses) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(CHORUS_SOURCE_DIR) / "configs")) {
    if (e.path().extension() != ".toml") continue;
    ++n;
    auto r = testing::run(testing::chorusBinary() + " run --config " + e.path().string() + " --help");
    EXPECT_EQ(r.code, 0) << e.path() << ":\n" << r.output;
  }
  EXPECT_GE(n, 3u) << "demo.toml, birdclef2026.toml, kaggle.toml";
}

TEST(RunConfigs, TheCheckCatchesBadKeysAndValues) {
  const auto dir = testing::scratchDir();
  std::ofstream(dir / "key.toml") << "[pseudo]\nthreshhold = 0.5\n";
  std::ofstream(dir / "value.toml") << "[infer]\ndevice = \"tpu\"\n";
  std::ofstream(dir / "run.toml") << "[run]\npseudo-rounds = 42\n";
  for (const char* bad : {"key.toml", "value.toml", "run.toml"}) {
    auto r = testing::run(testing::chorusBinary() + " run --config " + (dir / bad).string() + " --help");
    EXPECT_EQ(r.code, 2) << bad << ":\n" << r.output;
  }
}

}  // namespace
}  // namespace chorus
