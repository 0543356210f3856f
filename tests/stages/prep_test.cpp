// chorus prep on a small hand-made dataset in a scratch folder. The clean train rows are the
// labels of tests/fixtures/folds_stratified.csv, so the written fold column must equal the one
// scikit-learn gave for them (tools/make_fold_fixture.py); bad rows are slipped in between and
// must come out named in the report. One test runs the binary for --config and exit codes.
#include "stages/prep.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "meta/csv.hpp"
#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus::stages {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void touch(const fs::path& file) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << "OggS";  // any bytes: prep only checks the file is there
}

// Writes CSV rows and remembers the line each row starts on (fields may hold newlines).
struct CsvWriter {
  std::ostringstream out;
  long nextLine = 1;
  long row(const std::vector<std::string>& fields) {
    long line = nextLine;
    std::ostringstream one;
    meta::writeCsvRow(one, fields);
    for (char c : one.str()) nextLine += c == '\n';
    out << one.str();
    return line;
  }
  void save(const fs::path& file) const { std::ofstream(file, std::ios::binary) << out.str(); }
};

struct Dataset {
  fs::path data, work;
  std::vector<std::string> keptLabels;  // sklearn fixture order
  std::vector<int> sklearnFolds;        // fold_k5_s42 of the fixture
  std::map<std::string, long> badLine;  // what was slipped in -> its line in its file
};

Dataset makeDataset(const fs::path& root) {
  Dataset d;
  d.data = root / "data";
  d.work = root / "work";
  const auto fixture = meta::CsvTable::read(testing::fixture("folds_stratified.csv"));
  std::set<std::string> labels;
  for (std::size_t r = 0; r < fixture.size(); ++r) {
    d.keptLabels.push_back(fixture.at(r, "primary_label"));
    d.sklearnFolds.push_back(std::stoi(fixture.at(r, "fold_k5_s42")));
    labels.insert(d.keptLabels.back());
  }
  // Submission order differs from taxonomy order; "zeroclip" has no train clip at all.
  CsvWriter submission, taxonomy;
  std::vector<std::string> header = {"row_id", "zeroclip"};
  header.insert(header.end(), labels.rbegin(), labels.rend());
  submission.row(header);
  submission.row(std::vector<std::string>(header.size(), "0"));
  fs::create_directories(d.data);
  submission.save(d.data / "sample_submission.csv");
  taxonomy.row({"primary_label", "inat_taxon_id", "scientific_name", "common_name", "class_name"});
  for (const auto& l : labels) taxonomy.row({l, "1", "Sci " + l, "Common, " + l, "Aves"});
  taxonomy.row({"zeroclip", "2", "Nemo", "Nobody", "Insecta"});
  taxonomy.save(d.data / "taxonomy.csv");

  CsvWriter train;
  train.row({"primary_label", "secondary_labels", "type", "filename", "author", "rating"});
  for (std::size_t i = 0; i < d.keptLabels.size(); ++i) {
    const std::string file = "clips/" + std::to_string(i) + ".ogg";
    touch(d.data / "train_audio" / file);
    const std::string secondary = i == 3 ? "['zeroclip', 'not_a_species']" : i % 2 ? "['zeroclip']" : "[]";
    const std::string author = i == 7 ? "multi\nline, \"quoted\"" : "A. Recordist";
    long line = train.row({d.keptLabels[i], secondary, "['song']", file, author, "4.5"});
    if (i == 3) d.badLine["unknown secondary"] = line;
    if (i == 10) d.badLine["duplicate"] = train.row({d.keptLabels[i], secondary, "['song']", file, author, "4.5"});
    if (i == 20) d.badLine["unknown label"] = train.row({"not_a_species", "[]", "[]", file + "x", "B", "1"});
    if (i == 30) d.badLine["missing audio"] = train.row({d.keptLabels[i], "[]", "[]", "clips/gone.ogg", "C", "2"});
    if (i == 40) d.badLine["bad list"] = train.row({d.keptLabels[i], "['a', b]", "[]", "clips/0.ogg", "D", "3"});
  }
  train.save(d.data / "train.csv");

  CsvWriter windows;
  windows.row({"filename", "start", "end", "primary_label"});
  const std::string a = d.keptLabels[0], b = d.keptLabels[1];
  for (int f = 0; f < 8; ++f) {
    const std::string file = "S" + std::to_string(f) + ".ogg";
    touch(d.data / "train_soundscapes" / file);
    for (int w = 0; w <= f % 3; ++w) {
      const std::string start = "00:00:" + std::string(w < 2 ? "0" : "") + std::to_string(5 * w);
      const std::string end = "00:00:" + std::string(w < 1 ? "0" : "") + std::to_string(5 * w + 5);
      windows.row({file, start, end, a + ";" + b});
    }
  }
  d.badLine["window duplicate"] = windows.row({"S2.ogg", "00:00:00", "00:00:05", a + ";" + b});
  d.badLine["window bad time"] = windows.row({"S3.ogg", "00:00:5", "00:00:10", a});
  d.badLine["window missing"] = windows.row({"S99.ogg", "00:00:00", "00:00:05", a});
  d.badLine["window unknown"] = windows.row({"S4.ogg", "00:00:55", "00:01:00", "not_a_species;" + b});
  windows.save(d.data / "train_soundscapes_labels.csv");
  return d;
}

PrepOptions options(const fs::path& data, const fs::path& work, int folds = 5) {
  PrepOptions o;
  o.data = data;
  o.work = work;
  o.folds = folds;
  return o;
}

const json* issueAt(const json& report, const std::string& fileEnd, long line) {
  for (const auto& i : report["issues"]) {
    const std::string file = i["file"];
    if (i["line"] == line && file.size() >= fileEnd.size() && file.compare(file.size() - fileEnd.size(), fileEnd.size(), fileEnd) == 0)
      return &i;
  }
  return nullptr;
}

TEST(Prep, WritesCleanTablesWithSklearnFoldsAndNamesEveryBadRow) {
  const Dataset d = makeDataset(testing::scratchDir());
  PrepOptions o = options(d.data, d.work);
  o.maxBadRows = 2;  // the bad list literal and the bad time
  ::testing::internal::CaptureStderr();
  const PrepSummary s = runPrep(o);
  const std::string console = ::testing::internal::GetCapturedStderr();

  // Unusable rows were skipped: exit 4, and the console names them by file and line, ten at most.
  EXPECT_EQ(s.exitCode, ExitCode::PartialFailure);
  EXPECT_EQ(s.skippedBadRows, 2u + 2 + 1);  // parse errors, missing audio (clip, window), unknown label
  EXPECT_NE(console.find("prep: 7 rows dropped:"), std::string::npos) << console;
  const std::string firstTrain = (d.data / "train.csv").string() + ":" + std::to_string(d.badLine.at("duplicate")) + ": duplicate";
  EXPECT_NE(console.find(firstTrain), std::string::npos) << console;
  const std::string unknownWindow = "train_soundscapes_labels.csv:" + std::to_string(d.badLine.at("window unknown"));
  EXPECT_EQ(console.find(unknownWindow), std::string::npos) << "changed, not dropped: only in the report";
  EXPECT_EQ(json::parse(readTextFile(d.work / "meta" / "prep_report.json"))["status"], "rows_skipped");

  EXPECT_EQ(s.trainRows, d.keptLabels.size() + 4);
  EXPECT_EQ(s.trainKept, d.keptLabels.size());
  EXPECT_EQ(s.droppedDuplicate, 1u);
  EXPECT_EQ(s.droppedUnknownLabel, 1u);
  EXPECT_EQ(s.droppedMissingAudio, 2u);  // one clip, one soundscape window
  EXPECT_EQ(s.parseErrors, 2u);
  EXPECT_EQ(s.duplicateWindowRows, 1u);
  EXPECT_EQ(s.soundscapeWindows, 15u + 1);  // 8 files of 1-3 windows, and S4's cleaned extra one
  EXPECT_EQ(s.soundscapeFiles, 8u);

  // train_cleaned_stratified.csv: train.csv's columns and order, and sklearn's folds.
  const auto train = meta::CsvTable::read(d.work / "meta" / "train_cleaned_stratified.csv");
  EXPECT_EQ(train.header(), (std::vector<std::string>{"primary_label", "secondary_labels", "type", "filename", "author", "rating", "fold"}));
  ASSERT_EQ(train.size(), d.keptLabels.size());
  for (std::size_t r = 0; r < train.size(); ++r) {
    ASSERT_EQ(train.at(r, "primary_label"), d.keptLabels[r]) << "row " << r;
    ASSERT_EQ(train.at(r, "filename"), "clips/" + std::to_string(r) + ".ogg");
    ASSERT_EQ(std::stoi(train.at(r, "fold")), d.sklearnFolds[r]) << "row " << r << " fold differs from sklearn's";
  }
  EXPECT_EQ(train.at(7, "author"), "multi\nline, \"quoted\"");
  EXPECT_EQ(train.at(3, "secondary_labels"), "['zeroclip']");  // the unknown one removed
  EXPECT_EQ(train.at(5, "secondary_labels"), "['zeroclip']");

  // Soundscape windows: deduplicated, seconds added, one fold per file.
  const auto windows = meta::CsvTable::read(d.work / "meta" / "soundscape_labels_with_folds.csv");
  EXPECT_EQ(windows.header(), (std::vector<std::string>{"filename", "start", "end", "primary_label", "start_s", "end_s", "fold"}));
  ASSERT_EQ(windows.size(), s.soundscapeWindows);
  std::map<std::string, std::set<std::string>> foldsOfFile;
  for (std::size_t r = 0; r < windows.size(); ++r) foldsOfFile[windows.at(r, "filename")].insert(windows.at(r, "fold"));
  for (const auto& [file, folds] : foldsOfFile) EXPECT_EQ(folds.size(), 1u) << file << " spans folds";
  EXPECT_EQ(windows.at(windows.size() - 1, "start"), "00:00:55");
  EXPECT_EQ(windows.at(windows.size() - 1, "start_s"), "55");
  EXPECT_EQ(windows.at(windows.size() - 1, "end_s"), "60");
  EXPECT_EQ(windows.at(windows.size() - 1, "primary_label"), d.keptLabels[1]);
  EXPECT_EQ(windows.at(0, "primary_label"), d.keptLabels[0] + ";" + d.keptLabels[1]);

  // Species in submission order, with counts; the rare ones include the one without clips.
  const auto species = meta::CsvTable::read(d.work / "meta" / "species_list.csv");
  const auto classes = meta::CsvTable::read(d.data / "sample_submission.csv").header();
  ASSERT_EQ(species.size(), classes.size() - 1);
  std::map<std::string, int> clips;
  for (const auto& l : d.keptLabels) ++clips[l];
  for (std::size_t r = 0; r < species.size(); ++r) {
    EXPECT_EQ(species.at(r, "primary_label"), classes[r + 1]);
    EXPECT_EQ(species.at(r, "index"), std::to_string(r));
    EXPECT_EQ(std::stoi(species.at(r, "train_clips")), clips[classes[r + 1]]) << classes[r + 1];  // adds zeroclip: 0
  }
  EXPECT_EQ(species.at(0, "scientific_name"), "Nemo");
  EXPECT_EQ(std::stoi(species.at(0, "secondary_clips")), static_cast<int>(d.keptLabels.size() / 2));
  const auto rare = meta::CsvTable::read(d.work / "meta" / "rare_species.csv");
  std::size_t expectedRare = 0;  // zeroclip is among them, with 0 clips
  for (const auto& [label, n] : clips) expectedRare += n < 10;
  EXPECT_EQ(rare.size(), expectedRare);
  EXPECT_EQ(rare.at(0, "primary_label"), "zeroclip");
  EXPECT_EQ(s.rare, expectedRare);

  // The report names each bad row by file and line.
  const json report = json::parse(readTextFile(s.report));
  EXPECT_EQ(report["status"], "rows_skipped");
  auto expectIssue = [&](const std::string& what, const std::string& file, const std::string& kind) {
    const json* i = issueAt(report, file, d.badLine.at(what));
    ASSERT_NE(i, nullptr) << what << " (line " << d.badLine.at(what) << ") not in the report";
    EXPECT_EQ((*i)["kind"], kind) << what;
  };
  expectIssue("duplicate", "/train.csv", "duplicate");
  expectIssue("unknown label", "/train.csv", "unknown_label");
  expectIssue("missing audio", "/train.csv", "missing_audio");
  expectIssue("bad list", "/train.csv", "parse_error");
  expectIssue("unknown secondary", "/train.csv", "unknown_secondary_label");
  expectIssue("window duplicate", "train_soundscapes_labels.csv", "duplicate");
  expectIssue("window bad time", "train_soundscapes_labels.csv", "parse_error");
  expectIssue("window missing", "train_soundscapes_labels.csv", "missing_audio");
  expectIssue("window unknown", "train_soundscapes_labels.csv", "unknown_label");
  EXPECT_EQ(report["counts"]["dropped"]["parse_error"], 2);
  EXPECT_EQ(report["counts"]["dropped"]["duplicate"], 2);
  EXPECT_EQ(report["counts"]["dropped"]["missing_audio"], 2);
  EXPECT_EQ(report["counts"]["dropped"]["unknown_label"], 1);
  EXPECT_EQ(report["counts"]["changed"]["unknown_label"], 1);
  EXPECT_EQ(report["counts"]["changed"]["unknown_secondary_label"], 1);
  EXPECT_EQ(report["folds"]["train_clips"].size(), 5u);
  EXPECT_FALSE(report["warnings"].empty()) << "classes of 1 member: sklearn's warning belongs in the report";
}

TEST(Prep, MoreBadRowsThanToleratedThrowsNamingTheFirstAndWritesNoTables) {
  const Dataset d = makeDataset(testing::scratchDir());
  PrepOptions tolerant = options(d.data, d.work);
  tolerant.maxBadRows = 2;
  runPrep(tolerant);  // an earlier, good run's tables: a failed run must not leave them to be trusted
  ASSERT_TRUE(fs::exists(d.work / "meta" / "train_cleaned_stratified.csv"));
  try {
    runPrep(options(d.data, d.work));
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string expected = (d.data / "train.csv").string() + ":" + std::to_string(d.badLine.at("bad list")) + ":";
    EXPECT_EQ(std::string(e.what()).rfind(expected, 0), 0u) << e.what();
  }
  for (const char* table : {"train_cleaned_stratified.csv", "soundscape_labels_with_folds.csv", "species_list.csv",
                            "rare_species.csv"})
    EXPECT_FALSE(fs::exists(d.work / "meta" / table)) << table;
  EXPECT_EQ(json::parse(readTextFile(d.work / "meta" / "prep_report.json"))["status"], "bad_rows");
}

TEST(Prep, ARowWithAnExtraFieldIsABadRowLikeAnyOther) {
  const Dataset d = makeDataset(testing::scratchDir());
  const long extraLine = [&] {
    std::ifstream in(d.data / "train.csv", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    long line = 1;
    for (char c : text) line += c == '\n';
    std::ofstream(d.data / "train.csv", std::ios::app) << d.keptLabels[0] << ",[],[],clips/0.ogg,E,5,extra\n";
    return line;
  }();
  PrepOptions o = options(d.data, d.work);
  o.maxBadRows = 3;
  const PrepSummary s = runPrep(o);
  EXPECT_EQ(s.parseErrors, 3u);
  EXPECT_EQ(s.exitCode, ExitCode::PartialFailure);
  const json report = json::parse(readTextFile(d.work / "meta" / "prep_report.json"));
  const json* issue = issueAt(report, "/train.csv", extraLine);
  ASSERT_NE(issue, nullptr) << "line " << extraLine;
  EXPECT_EQ((*issue)["kind"], "parse_error");
  EXPECT_NE((*issue)["reason"].get<std::string>().find("found 7"), std::string::npos) << *issue;
  o.maxBadRows = 2;
  EXPECT_THROW(runPrep(o), InputError);
}

TEST(Prep, UnreadableTableFailsWithAReportAndNoHalfWrittenOutputs) {
  const Dataset d = makeDataset(testing::scratchDir());
  fs::remove(d.data / "taxonomy.csv");
  EXPECT_THROW(runPrep(options(d.data, d.work)), InputError);
  const json report = json::parse(readTextFile(d.work / "meta" / "prep_report.json"));
  EXPECT_EQ(report["status"], "failed");
  EXPECT_NE(report["error"].get<std::string>().find("taxonomy.csv"), std::string::npos);
  EXPECT_FALSE(fs::exists(d.work / "meta" / "train_cleaned_stratified.csv"));
  for (const auto& entry : fs::directory_iterator(d.work / "meta"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
}

TEST(Prep, BadOptionsAreUsageErrors) {
  const auto dir = testing::scratchDir();
  EXPECT_THROW(runPrep(options(dir, dir / "w", 1)), UsageError);
  EXPECT_THROW(runPrep(options(dir / "absent", dir / "w")), InputError);
}

TEST(Prep, BinaryReadsThePrepSectionOfConfigAndMapsExitCodes) {
  const auto root = testing::scratchDir();
  const Dataset d = makeDataset(root);
  std::ofstream(root / "c.toml") << "[prep]\ndata = \"" << d.data.string() << "\"\nwork = \"" << d.work.string()
                                 << "\"\nn-folds = 3\nseed = 7\nrare-threshold = 4\n";
  const std::string prep = testing::chorusBinary() + " prep --config " + (root / "c.toml").string();
  auto r = testing::run(prep);  // two rows do not parse, none tolerated
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_NE(r.output.find("train.csv:" + std::to_string(d.badLine.at("bad list"))), std::string::npos) << r.output;
  r = testing::run(prep + " --max-bad-rows 2");  // within tolerance: skipped, named, exit 4
  ASSERT_EQ(r.code, 4) << r.output;
  EXPECT_NE(r.output.find("prep: train.csv"), std::string::npos) << "summary missing: " << r.output;
  const json options = json::parse(readTextFile(d.work / "meta" / "prep_report.json"))["options"];
  EXPECT_EQ(options["n_folds"], 3);
  EXPECT_EQ(options["seed"], 7);
  EXPECT_EQ(options["rare_threshold"], 4);
  const auto train = meta::CsvTable::read(d.work / "meta" / "train_cleaned_stratified.csv");
  const auto fixture = meta::CsvTable::read(testing::fixture("folds_stratified.csv"));
  for (std::size_t r = 0; r < train.size(); ++r) ASSERT_EQ(train.at(r, "fold"), fixture.at(r, "fold_k3_s7")) << "row " << r;
  EXPECT_EQ(testing::run(prep + " --n-folds 1").code, 2);
}

}  // namespace
}  // namespace chorus::stages
