// End to end through the binary: synth -> prep -> features -> train (two tiny jobs) -> infer, as
// one process (the Kaggle mode) and under mpirun -np 2 (the same submission, byte for byte), then
// chorus score against the hidden solution; and the Kaggle bundle run from a copy with env -i.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "meta/csv.hpp"
#include "run_util.hpp"
#include "test_util.hpp"

namespace {
namespace fs = std::filesystem;
using chorus::testing::run;

const std::string& kMpirun = chorus::testing::kMpirunNp2;

using chorus::testing::readAll;

// Synth, prep, features and two tiny training jobs, once per process.
const fs::path& trainedRoot() {
  static const fs::path root = [] {
    const fs::path r = fs::temp_directory_path() / "chorus-tests" / ("infer-e2e-" + std::to_string(::getpid()));
    fs::remove_all(r);
    fs::create_directories(r);
    const std::string B = chorus::testing::chorusBinary();
    const std::string D = (r / "data").string(), W = (r / "work").string();
    for (const std::string& cmd :
         {B + " synth --out " + D + " --solution " + (r / "solution.csv").string() +
              " --preset demo --species 4 --train-clips 24 --train-soundscapes 2 --test-soundscapes 3 --seed 5",
          B + " prep --data " + D + " --work " + W,
          B + " features --data " + D + " --work " + W + " --set all",
          B + " train --data " + D + " --work " + W + " --job convnext_atto/0 --epochs 1 --warmup-epochs 0 --max-steps-per-epoch 2 --batch-size 4",
          B + " train --data " + D + " --work " + W + " --job convnext_atto/1 --epochs 1 --warmup-epochs 0 --max-steps-per-epoch 2 --batch-size 4"}) {
      auto res = run(cmd);
      if (res.code != 0) ADD_FAILURE() << cmd << "\n" << res.output;
    }
    return r;
  }();
  return root;
}

std::string inferCommand(const fs::path& out, const std::string& extra = "") {
  const fs::path r = trainedRoot();
  return chorus::testing::chorusBinary() + " infer --data " + (r / "data").string() + " --work " + (r / "work").string() +
         " --out " + out.string() + " --threads 1 " + extra;
}

void oneAndTwoRanksGiveTheSameScoredSubmission() {
  const fs::path r = trainedRoot();
  auto one = run(inferCommand(r / "sub1.csv", "--time-budget 0"));
  ASSERT_EQ(one.code, 0) << one.output;
  auto two = run(std::string(kMpirun) + inferCommand(r / "sub2.csv"));
  ASSERT_EQ(two.code, 0) << two.output;
  const std::string a = readAll(r / "sub1.csv"), b = readAll(r / "sub2.csv");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b) << "np 1 and np 2 submissions differ";

  // Exactly sample_submission's columns, one row per window (3 soundscapes x 12), values in [0, 1].
  const auto sub = chorus::meta::CsvTable::read(r / "sub1.csv");
  const auto sample = chorus::meta::CsvTable::read(r / "data" / "sample_submission.csv");
  EXPECT_EQ(sub.header(), sample.header());
  EXPECT_EQ(sub.size(), 36u);
  for (const auto& row : sub.rows())
    for (size_t c = 1; c < row.fields.size(); ++c) {
      const double v = std::stod(row.fields[c]);
      ASSERT_TRUE(v >= 0 && v <= 1) << row.fields[0];
    }
  auto report = nlohmann::json::parse(readAll(r / "work" / "infer" / "report.json"));
  EXPECT_EQ(report["models"].size(), 2u);
  EXPECT_EQ(report["tta"].size(), 4u);
  EXPECT_EQ(report["soundscapes_failed"].size(), 0u);

  auto score = run(chorus::testing::chorusBinary() + " score --solution " + (r / "solution.csv").string() +
                   " --submission " + (r / "sub1.csv").string());
  ASSERT_EQ(score.code, 0) << score.output;
  const std::string last = score.output.substr(score.output.find_last_of('\n', score.output.size() - 2) + 1);
  const double auc = std::stod(last);
  EXPECT_GT(auc, 0.0) << score.output;
  EXPECT_LE(auc, 1.0) << score.output;
  std::cout << "end-to-end submission score: " << auc << "\n";
}

void tinyTimeBudgetIsReportedAndSampleRowsWithoutAudioGetTheConstant() {
  const fs::path r = trainedRoot();
  // A sample_submission with one extra row whose soundscape has no audio.
  const fs::path sample = r / "sample_extra.csv";
  std::string text = readAll(r / "data" / "sample_submission.csv");
  const auto header = text.substr(0, text.find('\n'));
  const size_t classes = size_t(std::count(header.begin(), header.end(), ','));
  std::string extra = "no_such_soundscape_5";
  for (size_t c = 0; c < classes; ++c) extra += ",0";
  std::ofstream(sample) << text << extra << "\n";
  auto res = run(inferCommand(r / "sub_budget.csv", "--time-budget 0.00001 --missing-value 0.25 --sample-submission " +
                                                        sample.string()));
  ASSERT_EQ(res.code, 0) << res.output;
  auto report = nlohmann::json::parse(readAll(r / "work" / "infer" / "report.json"));
  EXPECT_EQ(report["tta"], nlohmann::json::array({"orig"}));
  EXPECT_EQ(report["dropped_tta"], nlohmann::json::array({"gain-3", "gain+3", "reverse"}));
  EXPECT_EQ(report["models"].size(), 1u);
  EXPECT_EQ(report["dropped_models"].size(), 1u);
  EXPECT_EQ(report["missing_rows"], 1);
  const auto sub = chorus::meta::CsvTable::read(r / "sub_budget.csv");
  bool found = false;
  for (const auto& row : sub.rows())
    if (row.fields[0] == "no_such_soundscape_5") {
      found = true;
      EXPECT_EQ(row.fields[1], "0.25");
    }
  EXPECT_TRUE(found);
}

void kaggleBundleRunsFromACopyWithAnEmptyEnvironment() {
  const fs::path r = trainedRoot();
  const fs::path bundle = r / "bundle", copy = r / "bundle-copy";
  fs::remove_all(bundle), fs::remove_all(copy);
  // The torch bundle (the full binary, libtorch): no torch-free binary offered, as where none was built.
  auto pack = run("CHORUS_LITE_BIN=/nonexistent WORK=" + (r / "work").string() + " CHORUS_BIN=" + chorus::testing::chorusBinary() + " bash " +
                  std::string(CHORUS_SOURCE_DIR) + "/tools/kaggle_bundle.sh " + bundle.string());
  ASSERT_EQ(pack.code, 0) << pack.output;
  // The copy lives at another path; its files are hard links (the libraries are gigabytes with
  // libtorch's CUDA companions), which is all that "elsewhere" needs: nothing may point back.
  ASSERT_EQ(run("cp -al " + bundle.string() + " " + copy.string()).code, 0);
  // Every library of the copied binary resolves inside the copy (or is a glibc/loader basic).
  auto ldd = run("env -i LD_LIBRARY_PATH=" + (copy / "lib").string() + " ldd " + (copy / "bin" / "chorus").string());
  ASSERT_EQ(ldd.code, 0) << ldd.output;
  EXPECT_EQ(ldd.output.find("not found"), std::string::npos) << ldd.output;
  std::istringstream lines(ldd.output);
  for (std::string line; std::getline(lines, line);) {
    const auto arrow = line.find("=> /");
    if (arrow == std::string::npos) continue;
    const std::string lib = line.substr(arrow + 3, line.find(' ', arrow + 3) - arrow - 3);
    const bool basic = lib.find("/libc.so") != std::string::npos || lib.find("/libm.so") != std::string::npos ||
                       lib.find("/libpthread") != std::string::npos || lib.find("/libdl.so") != std::string::npos ||
                       lib.find("/librt.so") != std::string::npos || lib.find("ld-linux") != std::string::npos;
    EXPECT_TRUE(basic || lib.rfind(copy.string(), 0) == 0) << "resolved outside the bundle: " << line;
  }
  // Kaggle mode from the copy: no mpirun, an empty environment.
  const fs::path out = r / "sub_bundle.csv";
  auto res = run("cd / && env -i CHORUS_WORK=" + (r / "bundle-work").string() + " " + (copy / "run.sh").string() + " --data " + (r / "data").string() + " --out " +
                 out.string() + " --threads 1 --time-budget 0");
  ASSERT_EQ(res.code, 0) << res.output;
  // The same models and options as the one-process run of the first test (run here if it was not).
  if (!fs::exists(r / "sub1.csv")) {
    ASSERT_EQ(run(inferCommand(r / "sub1.csv", "--time-budget 0")).code, 0);
  }
  EXPECT_EQ(readAll(out), readAll(r / "sub1.csv"));
  EXPECT_EQ(chorus::meta::CsvTable::read(out).size(), 36u);
  fs::remove_all(bundle), fs::remove_all(copy);
}

// The torch-free binary (CHORUS_WITH_TORCH=OFF) that tools/setup.sh builds in build-notorch/, or
// CHORUS_LITE_BIN; "" when there is none.
std::string torchFreeBinary() {
  const char* given = std::getenv("CHORUS_LITE_BIN");
  const fs::path bin = given ? fs::path(given) : fs::path(CHORUS_SOURCE_DIR) / "build-notorch" / "chorus";
  return fs::exists(bin) ? bin.string() : "";
}

uintmax_t folderBytes(const fs::path& folder) {
  uintmax_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(folder))
    if (e.is_regular_file() && !e.is_symlink()) bytes += e.file_size();
  return bytes;
}

// The OpenVINO bundle: the torch-free binary, OpenVINO's CPU libraries and the IR, at most 300 MB,
// linking no libtorch; run from a real copy (cp -a: no hard links back) with an empty environment
// and only its lib/, it writes the full build's OpenVINO submission byte for byte.
void torchFreeBundleRunsFromACopyAndMatchesTheFullBuild() {
  const std::string lite = torchFreeBinary();
  if (lite.empty()) GTEST_SKIP() << "no torch-free binary (tools/setup.sh builds build-notorch/chorus; or set CHORUS_LITE_BIN)";
  const fs::path r = trainedRoot();
  const fs::path bundle = r / "lite-bundle", copy = r / "lite-bundle-copy";
  fs::remove_all(bundle), fs::remove_all(copy);
  // IR_WEIGHTS=f32: the IR exactly as the full build writes it, so the submission can be byte-equal
  // (the default f16 weights move the logits by their rounding: EngineExport.F16WeightsHalve...).
  auto pack = run("IR_WEIGHTS=f32 WORK=" + (r / "work").string() + " CHORUS_BIN=" + chorus::testing::chorusBinary() + " CHORUS_LITE_BIN=" +
                  lite + " bash " + std::string(CHORUS_SOURCE_DIR) + "/tools/kaggle_bundle.sh " + bundle.string());
  ASSERT_EQ(pack.code, 0) << pack.output;
  EXPECT_NE(pack.output.find("openvino bundle"), std::string::npos) << pack.output;
  const uintmax_t bytes = folderBytes(bundle);
  std::cout << "[ bundle   ] torch-free Kaggle bundle: " << bytes / 1000000 << " MB\n";
  EXPECT_LE(bytes, 300u * 1000 * 1000);
  ASSERT_EQ(run("cp -a " + bundle.string() + " " + copy.string()).code, 0);
  fs::remove_all(bundle);  // nothing may point back to it
  auto ldd = run("env -i LD_LIBRARY_PATH=" + (copy / "lib").string() + " ldd " + (copy / "bin" / "chorus").string());
  ASSERT_EQ(ldd.code, 0) << ldd.output;
  EXPECT_EQ(ldd.output.find("not found"), std::string::npos) << ldd.output;
  EXPECT_EQ(ldd.output.find("libtorch"), std::string::npos) << ldd.output;
  EXPECT_EQ(ldd.output.find("libc10"), std::string::npos) << ldd.output;
  const fs::path out = r / "sub_lite_bundle.csv";
  auto res = run("cd / && env -i CHORUS_WORK=" + (r / "lite-bundle-work").string() + " " + (copy / "run.sh").string() +
                 " --data " + (r / "data").string() + " --out " + out.string() + " --threads 1 --time-budget 0");
  ASSERT_EQ(res.code, 0) << res.output;
  const auto report = nlohmann::json::parse(readAll(r / "lite-bundle-work" / "infer" / "report.json"));
  EXPECT_EQ(report["engine"], "openvino");
  // The full build's OpenVINO run on the same models and options.
  ASSERT_EQ(run(inferCommand(r / "sub_openvino.csv", "--time-budget 0 --engine openvino")).code, 0);
  EXPECT_EQ(readAll(out), readAll(r / "sub_openvino.csv"));
  EXPECT_EQ(chorus::meta::CsvTable::read(out).size(), 36u);
  // What needs torch says so.
  auto train = run("env -i " + (copy / "bin" / "chorus").string() + " train --data x --work y");
  EXPECT_EQ(train.code, 2) << train.output;
  EXPECT_NE(train.output.find("needs a chorus built with torch"), std::string::npos) << train.output;
  fs::remove_all(copy);
}

}  // namespace

// One test: each gtest process would otherwise train its own models (ctest runs every discovered
// test in a process of its own), which costs far more than the checks.
TEST(InferE2E, SubmissionOnOneAndTwoRanksTimeBudgetAndKaggleBundle) {
  {
    SCOPED_TRACE("np 1 vs np 2, score");
    oneAndTwoRanksGiveTheSameScoredSubmission();
  }
  {
    SCOPED_TRACE("time budget, rows without audio");
    tinyTimeBudgetIsReportedAndSampleRowsWithoutAudioGetTheConstant();
  }
  {
    SCOPED_TRACE("Kaggle bundle");
    kaggleBundleRunsFromACopyWithAnEmptyEnvironment();
  }
  {
    SCOPED_TRACE("torch-free Kaggle bundle");
    torchFreeBundleRunsFromACopyAndMatchesTheFullBuild();
  }
}
