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

// [teachers]: its stores reach the stages' own command lines, which chorus run parses before anything
// runs: a store that does not exist stops the run at once (exit 2) naming it, for each of the three.
TEST(RunConfigs, TeachersSectionReachesEveryStage) {
  const auto dir = testing::scratchDir();
  const fs::path store = dir / "teacher.h5";
  std::ofstream(store) << "not read by --help";
  std::ofstream(dir / "ok.toml") << "[teachers]\npseudo = \"" << store.string() << "\"\npseudo-weight = 0.5\ndistil = \""
                                 << store.string() << "\"\ndistil-weight = 1\ndistil-temperature = 2\ninfer = \""
                                 << store.string() << "\"\ninfer-weight = 0.3\n";
  auto r = testing::run(testing::chorusBinary() + " run --config " + (dir / "ok.toml").string() + " --help");
  EXPECT_EQ(r.code, 0) << r.output;
  std::ofstream(dir / "typo.toml") << "[teachers]\npsuedo = \"x.h5\"\n";
  r = testing::run(testing::chorusBinary() + " run --config " + (dir / "typo.toml").string() + " --help");
  EXPECT_EQ(r.code, 2) << r.output;
  for (const char* key : {"pseudo", "distil", "infer"}) {
    const fs::path missing = dir / (std::string(key) + "_missing.h5");
    const fs::path config = dir / (std::string(key) + ".toml");
    std::ofstream(config) << "[run]\npseudo-rounds = 1\n[teachers]\n" << key << " = \"" << missing.string() << "\"\n";
    r = testing::run(testing::chorusBinary() + " run --config " + config.string() + " --work " + (dir / "work").string());
    EXPECT_EQ(r.code, 2) << key << ":\n" << r.output;
    EXPECT_NE(r.output.find(missing.filename().string()), std::string::npos) << key << ":\n" << r.output;
    EXPECT_FALSE(fs::exists(dir / "work" / "data")) << "a stage ran before the check";
  }
  r = testing::run(testing::chorusBinary() + " teachers");
  EXPECT_EQ(r.code, 2) << r.output;
}

}  // namespace
}  // namespace chorus
