// No instant of `chorus prep` or `chorus pseudo` loses data: each is killed (SIGKILL) just before
// each of its renames in turn (rename_shim.c, LD_PRELOAD), then rerun. The rerun must end with a
// clean run's files: prep's WORK/meta tables and prep_report.json (the completion marker, published
// last), pseudo's WORK/pseudo/r1 files (report.json last). A rerun that trusted a partial output
// or a marker published before its files would differ here. No temporaries are left behind.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "run_util.hpp"
#include "test_util.hpp"
#include "tiny_train_run.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using testing::temporariesUnder;
using testing::readAll;

std::string underShim(const std::string& env) {
  return "env LD_PRELOAD=" + std::string(CHORUS_RENAME_SHIM) + " " + env + " " + testing::chorusBinary();
}

size_t linesIn(const fs::path& file) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// TEXT with every occurrence of FROM replaced by TO (the work folder's path in a report).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// TEXT without its lines that name KEY (a wall time: the one value no two runs share).
std::string withoutKey(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (line.find("\"" + key + "\"") == std::string::npos) out += line + "\n";
  return out;
}

const char* const kPrepFiles[] = {"train_cleaned_stratified.csv", "soundscape_labels_with_folds.csv", "species_list.csv",
                                  "rare_species.csv", "prep_report.json"};

std::map<std::string, std::string> prepOutputs(const fs::path& work) {
  std::map<std::string, std::string> files;
  for (const char* name : kPrepFiles) files[name] = readAll(work / "meta" / name);
  files["prep_report.json"] = replaced(files["prep_report.json"], work.string(), "WORK");
  return files;
}

TEST(StageRenameKill, PrepRerunAfterAKillAtEachRenameWritesTheCleanRunsTables) {
  const fs::path dir = testing::scratchDir();
  const std::string data = (testing::tinyTrainRunData() / "data").string();
  const auto args = [&](const fs::path& work) {
    return " prep --data " + data + " --work " + work.string() + " --n-folds 2";
  };
  auto clean = testing::run(underShim("CHORUS_RENAME_LOG=" + (dir / "renames.txt").string()) + args(dir / "clean"));
  ASSERT_TRUE(clean.code == 0 || clean.code == 4) << clean.output;
  const auto expected = prepOutputs(dir / "clean");
  for (const auto& [name, bytes] : expected) ASSERT_FALSE(bytes.empty()) << name;
  const size_t renames = linesIn(dir / "renames.txt");
  ASSERT_GE(renames, 5u) << "four tables and the report are published by rename";
  std::cout << "prep: " << renames << " renames in a clean run\n";

  for (size_t k = 1; k <= renames; ++k) {
    SCOPED_TRACE("killed before rename " + std::to_string(k));
    const fs::path work = dir / ("k" + std::to_string(k));
    auto killed = testing::run(underShim("CHORUS_RENAME_KILL_AT=" + std::to_string(k)) + args(work));
    ASSERT_EQ(killed.code, 128 + 9) << killed.output;
    // The marker is published last: a killed run never leaves it.
    EXPECT_FALSE(fs::exists(work / "meta/prep_report.json")) << "prep_report.json published before its tables";
    auto rerun = testing::run(testing::chorusBinary() + args(work));
    ASSERT_EQ(rerun.code, clean.code) << rerun.output;
    const auto got = prepOutputs(work);
    for (const auto& [name, bytes] : expected) EXPECT_TRUE(got.at(name) == bytes) << name << " differs from the clean run's";
    EXPECT_EQ(temporariesUnder(work / "meta"), std::vector<std::string>{});
    if (!::testing::Test::HasFailure()) fs::remove_all(work);
  }
}

// WORK/pseudo/r1's text files, as a rerun must reproduce them: report.json without its wall time.
// The .h5 files are compared by h5diff (HDF5 stamps objects with their creation time), predictions.h5
// without its `seconds` (a wall time too).
std::map<std::string, std::string> pseudoOutputs(const fs::path& round) {
  std::map<std::string, std::string> files;
  files["pseudo_labels_soft.csv"] = readAll(round / "pseudo_labels_soft.csv");
  files["report.json"] = withoutKey(readAll(round / "report.json"), "seconds");
  return files;
}

TEST(StageRenameKill, PseudoRerunAfterAKillAtEachRenameWritesTheCleanRunsLabels) {
  const fs::path dir = testing::scratchDir();
  const fs::path work = testing::tinyTrainRunWork(dir / "train");
  auto trained = testing::run(testing::chorusBinary() + testing::tinyTrainArgs(work, 1, 2));
  ASSERT_EQ(trained.code, 0) << trained.output;
  const std::string args = " pseudo --data " + (testing::tinyTrainRunData() / "data").string() + " --work " +
                           work.string() + " --threads 1 --tta orig --threshold 0.01 --floor 0";
  const fs::path round = work / "pseudo/r1";
  // The first run exports the model next to its checkpoint (a cache later runs reuse): each killed
  // run starts from the trained folder alone, so that a kill inside the export is tried too.
  const fs::path checkpoint = work / "models/convnext_atto-f0/epoch-0001";
  std::set<fs::path> trainedFiles;
  for (const auto& e : fs::directory_iterator(checkpoint)) trainedFiles.insert(e.path());
  const auto fresh = [&] {
    fs::remove_all(work / "pseudo");
    for (const auto& e : fs::directory_iterator(checkpoint))
      if (!trainedFiles.count(e.path())) fs::remove_all(e.path());
  };
  auto clean = testing::run(underShim("CHORUS_RENAME_LOG=" + (dir / "renames.txt").string()) + args);
  ASSERT_EQ(clean.code, 0) << clean.output;
  const auto expected = pseudoOutputs(round);
  for (const auto& [name, bytes] : expected) ASSERT_FALSE(bytes.empty()) << name;
  ASSERT_NE(linesIn(round / "pseudo_labels_soft.csv"), 1u) << "no window kept: nothing to compare";
  for (const char* h5 : {"predictions.h5", "pseudo_labels_soft.h5"}) fs::copy_file(round / h5, dir / ("clean-" + std::string(h5)));
  const size_t renames = linesIn(dir / "renames.txt");
  ASSERT_GE(renames, 4u) << "predictions, both label files and the report are published by rename";
  std::cout << "pseudo: " << renames << " renames in a clean run\n";
  const bool h5diff = testing::run("command -v h5diff").code == 0;
  if (!h5diff) std::cout << "h5diff not found: the .h5 files checked for presence only\n";

  for (size_t k = 1; k <= renames; ++k) {
    SCOPED_TRACE("killed before rename " + std::to_string(k));
    fresh();
    auto killed = testing::run(underShim("CHORUS_RENAME_KILL_AT=" + std::to_string(k)) + args);
    ASSERT_EQ(killed.code, 128 + 9) << killed.output;
    EXPECT_FALSE(fs::exists(round / "report.json")) << "report.json published before the labels";
    auto rerun = testing::run(testing::chorusBinary() + args);
    ASSERT_EQ(rerun.code, 0) << rerun.output;
    const auto got = pseudoOutputs(round);
    for (const auto& [name, bytes] : expected) EXPECT_TRUE(got.at(name) == bytes) << name << " differs from the clean run's";
    for (const std::string h5 : {"predictions.h5", "pseudo_labels_soft.h5"}) {
      ASSERT_TRUE(fs::exists(round / h5)) << h5;
      if (!h5diff) continue;
      auto diff = testing::run("h5diff --exclude-path /seconds " + (dir / ("clean-" + h5)).string() + " " +
                               (round / h5).string());
      EXPECT_EQ(diff.code, 0) << h5 << " differs from the clean run's:\n" << diff.output;
    }
    EXPECT_EQ(temporariesUnder(work / "pseudo"), std::vector<std::string>{});
    EXPECT_EQ(temporariesUnder(checkpoint), std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace chorus
