// report: results read back from a WORK folder (per-model curves, out-of-fold scores pooled over
// folds, the ensemble through the submission's reducer, per-class AUC worst first) and report.html as headless Chromium
// renders it. The WORK folder is written here with values whose AUCs are known by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/error.hpp"
#include "meta/job_name.hpp"
#include "report/html.hpp"
#include "report/oof.hpp"
#include "report/results.hpp"
#include "report/tune_post.hpp"
#include "run_util.hpp"
#include "test_util.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// Two backbones x two folds; soundscape windows A_5..A_20 (fold 0) and B_5..B_20 (fold 1).
// Class x is positive on the first two windows of each file, y on the other two.
//   b1 scores x with [.9 .4 .6 .1]: AUC 12/16 = 0.75; b2 with [.4 .9 .1 .6]: 0.75 too, but their
//   mean ranks (the submission's reducer) are 5.5 on every positive and 3.5 on every negative: the
//   ensemble's x is 1.
//   Both score y with 1 - b1's x: 0.75 each, and 0.75 for the ensemble. Macro: 0.75, 0.75, 0.875.
fs::path makeWork() {
  fs::path work = testing::scratchDir() / "work";
  write(work / "meta" / "soundscape_labels_with_folds.csv",
        "filename,start,end,primary_label,start_s,end_s,fold\n"
        "A.ogg,00:00:00,00:00:05,x,0,5,0\nA.ogg,00:00:05,00:00:10,x,5,10,0\n"
        "A.ogg,00:00:10,00:00:15,y,10,15,0\nA.ogg,00:00:15,00:00:20,y,15,20,0\n"
        "B.ogg,00:00:00,00:00:05,x,0,5,1\nB.ogg,00:00:05,00:00:10,x,5,10,1\n"
        "B.ogg,00:00:10,00:00:15,y,10,15,1\nB.ogg,00:00:15,00:00:20,y,15,20,1\n");
  write(work / "meta" / "species_list.csv", "index,primary_label,train_clips\n0,x,7\n1,y,3\n");
  const char* b1x[] = {"0.9", "0.4", "0.6", "0.1"};
  const char* b2x[] = {"0.4", "0.9", "0.1", "0.6"};
  const char* b1y[] = {"0.1", "0.6", "0.4", "0.9"};
  for (int b = 1; b <= 2; ++b) {
    for (int f = 0; f <= 1; ++f) {
      const fs::path dir = work / "models" / meta::Job{"b" + std::to_string(b), f, 0}.name();
      std::string oof = "row_id,kind,fold,x,y\n";
      // A clip row: left out, since soundscape rows are what the headline scores.
      oof += "x/c1.ogg,clip," + std::to_string(f) + ",0.01,0.99\n";
      for (int w = 0; w < 4; ++w)
        oof += std::string(f ? "B" : "A") + "_" + std::to_string(5 * (w + 1)) + ",soundscape," + std::to_string(f) +
               "," + (b == 1 ? b1x[w] : b2x[w]) + "," + b1y[w] + "\n";
      write(dir / "oof.csv", oof);
      // Epoch 2 is the best (soundscape AUC 0.8 + b/100 + f/1000); loss falls.
      std::string metrics = "epoch,step,train_loss,lr,val_loss,clip_auc,soundscape_auc,seconds\n";
      metrics += "1,2,0.9,0.001,0.8,0.5,0.6,1.5\n";
      metrics += "2,4,0.5,0.0005,0.6,0.55," + std::to_string(0.8 + b / 100.0 + f / 1000.0) + ",1.5\n";
      write(dir / "metrics.csv", metrics);
    }
  }
  fs::create_directories(work / "models" / "not-a-model");  // ignored: not <backbone>-f<k>
  return work;
}

TEST(Results, ModelsCurvesAndBestEpochs) {
  auto r = report::readResults(makeWork());
  ASSERT_EQ(r.models.size(), 4u);
  EXPECT_EQ(r.models[0].name, "b1-f0");
  EXPECT_EQ(r.models[3].name, "b2-f1");
  for (const auto& m : r.models) {
    ASSERT_EQ(m.epochs.size(), 2u) << m.name;
    EXPECT_EQ(m.bestEpoch, 2) << m.name;
    EXPECT_DOUBLE_EQ(m.epochs[1].trainLoss, 0.5);
  }
  EXPECT_NEAR(r.models[3].bestScore, 0.821, 1e-12);
  EXPECT_TRUE(r.issues.empty()) << r.issues.front();
}

// The weights a model started from come from its job's report.json (train writes them there and in
// its checkpoints; run.json lists them per model from here).
TEST(Results, StartingWeightsComeFromTheJobReport) {
  const fs::path work = makeWork();
  write(work / "models" / "b1-f0" / "report.json",
        R"({"job": "b1-f0", "issues": [], "backbone_weights": {"file": "/w/model.safetensors", "sha256": "5e7"}})");
  write(work / "models" / "b2-f0" / "report.json", R"({"job": "b2-f0", "issues": []})");
  auto r = report::readResults(work);
  ASSERT_EQ(r.models.size(), 4u);
  EXPECT_EQ(r.models[0].name, "b1-f0");
  EXPECT_EQ(r.models[0].backboneWeightsFile, "/w/model.safetensors");
  EXPECT_EQ(r.models[0].backboneWeightsSha256, "5e7");
  for (size_t i = 1; i < r.models.size(); ++i) EXPECT_TRUE(r.models[i].backboneWeightsFile.empty()) << r.models[i].name;
  EXPECT_TRUE(r.issues.empty()) << r.issues.front();
}

TEST(Results, PooledBackbonesAndRankReducedEnsemble) {
  auto r = report::readResults(makeWork());
  EXPECT_EQ(r.oof.kind, "soundscape");
  EXPECT_EQ(r.oof.rows, 8u);
  ASSERT_EQ(r.oof.perBackbone.size(), 2u);
  EXPECT_DOUBLE_EQ(r.oof.perBackbone.at("b1"), 0.75);
  EXPECT_DOUBLE_EQ(r.oof.perBackbone.at("b2"), 0.75);
  EXPECT_DOUBLE_EQ(r.oof.ensemble, 0.875);
  ASSERT_EQ(r.oof.classes.size(), 2u);
  EXPECT_EQ(r.oof.classes[0].label, "y");  // worst first
  EXPECT_DOUBLE_EQ(r.oof.classes[0].auc, 0.75);
  EXPECT_EQ(r.oof.classes[0].trainClips, 3u);
  EXPECT_EQ(r.oof.classes[0].positives, 4u);
  EXPECT_EQ(r.oof.classes[1].label, "x");
  EXPECT_DOUBLE_EQ(r.oof.classes[1].auc, 1.0);
}

// Model folders are found by their job names (meta/job_name.hpp): the round from "-r<n>", other
// folders ignored; the latest round is the one scored.
TEST(Results, ModelFoldersWithRoundsAndOthers) {
  auto work = makeWork();
  write(work / "models" / "b1-f3-r1" / "metrics.csv",
        "epoch,step,train_loss,lr,val_loss,clip_auc,soundscape_auc,seconds\n1,2,0.9,0.001,0.8,0.5,0.7,1.5\n");
  write(work / "models" / "logs" / "metrics.csv", "not,a,model\n");
  auto r = report::readResults(work);
  ASSERT_EQ(r.models.size(), 5u);
  const report::ModelRun& last = r.models.back();  // sorted by round first
  EXPECT_EQ(last.name, "b1-f3-r1");
  EXPECT_EQ(last.backbone, "b1");
  EXPECT_EQ(last.fold, 3);
  EXPECT_EQ(last.round, 1);
  EXPECT_EQ(last.bestEpoch, 1);
  EXPECT_DOUBLE_EQ(last.bestScore, 0.7);
  EXPECT_EQ(r.round, 1);
  EXPECT_TRUE(r.issues.empty()) << r.issues.front();
}

// Training's headline rule, read back: the first epoch is the best until a later one scores
// strictly higher (a tie keeps the earlier epoch, as best.json does).
TEST(Results, BestEpochIsTrainingsRule) {
  auto work = makeWork();
  write(work / "models" / "b1-f0" / "metrics.csv",
        "epoch,step,train_loss,lr,val_loss,clip_auc,soundscape_auc,seconds\n"
        "1,2,0.9,0.001,0.8,0.5,-1,1.5\n2,4,0.8,0.001,0.7,0.6,-1,1.5\n3,6,0.7,0.001,0.7,0.6,-1,1.5\n");
  auto r = report::readResults(work);
  const auto it = std::find_if(r.models.begin(), r.models.end(), [](const report::ModelRun& m) { return m.name == "b1-f0"; });
  ASSERT_NE(it, r.models.end());
  EXPECT_EQ(it->bestEpoch, 2);  // no soundscape AUC: the clip AUC is the headline, epoch 3 only ties
  EXPECT_DOUBLE_EQ(it->bestScore, 0.6);
}

TEST(Results, PerClassAucOfOneModelIsWrittenBesideItsOof) {
  const auto work = makeWork();
  ASSERT_TRUE(report::writePerClassAuc(work, "b1-f0", infer::Reduce::Rank));
  // b1-f0 holds out file A only: x [.9 .4 .6 .1] and y [.1 .6 .4 .9], 3 of 4 pairs right each.
  EXPECT_EQ(slurp(work / "models" / "b1-f0" / "per_class_auc.csv"),
            "class,positives,auc,rows,kind\nx,2,0.750000,4,soundscape\ny,2,0.750000,4,soundscape\n");
  EXPECT_FALSE(report::writePerClassAuc(work, "no-such-f9", infer::Reduce::Rank));
}

TEST(TunePost, ScoresEveryCandidateOnTheOofRowsAndWritesTheFragment) {
  const auto work = makeWork();
  report::TunePostOptions o;
  o.work = work;
  std::ostringstream out;
  const auto r = report::runTunePost(o, out);
  ASSERT_EQ(r.candidates.size(), o.kernels.size() * o.boosts.size());
  EXPECT_EQ(r.rows, 8u);
  EXPECT_EQ(r.reducer, "rank");
  EXPECT_DOUBLE_EQ(r.candidates[0].score, 0.875);  // off: the report's ensemble
  // Files A and B hold the same values: a boost adds the same amount to both, so alone it changes no order.
  for (size_t b = 0; b < o.boosts.size(); ++b) EXPECT_DOUBLE_EQ(r.candidates[b].score, 0.875) << o.boosts[b];
  for (const auto& c : r.candidates) EXPECT_LE(c.score, r.candidates[r.best].score);
  EXPECT_NE(out.str().find("off"), std::string::npos) << out.str();
  const std::string fragment = slurp(work / "tune-post.toml");
  EXPECT_NE(fragment.find("[infer]\n"), std::string::npos) << fragment;
  const bool smooths = r.candidates[r.best].post.smooths();
  EXPECT_EQ(fragment.find("smoothing = ") != std::string::npos, smooths) << fragment;
  EXPECT_NE(fragment.find("boost = "), std::string::npos) << fragment;
}

TEST(TunePost, RefusesAWorkFolderWithoutPredictions) {
  report::TunePostOptions o;
  o.work = testing::scratchDir();
  std::ostringstream out;
  EXPECT_THROW(report::runTunePost(o, out), InputError);
}

TEST(Results, BrokenFilesAreNamedAndTheRestCarriesOn) {
  auto work = makeWork();
  write(work / "models" / "b1-f1" / "metrics.csv", "epoch,step,train_loss\n1,x,0.5\n");
  auto r = report::readResults(work);
  ASSERT_EQ(r.models.size(), 4u);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_NE(r.issues.front().find("b1-f1/metrics.csv"), std::string::npos) << r.issues.front();
  EXPECT_DOUBLE_EQ(r.oof.ensemble, 0.875);  // other files still read
}

// A class positive on every row has no AUC: it is left out (and named), the rest is still scored.
TEST(Results, ClassPositiveEverywhereIsLeftOutAndNamed) {
  auto work = makeWork();
  write(work / "meta" / "species_list.csv", "index,primary_label,train_clips\n0,x,7\n1,y,3\n2,z,1\n");
  std::string text = slurp(work / "meta" / "soundscape_labels_with_folds.csv");
  text = std::regex_replace(text, std::regex(",(x|y),"), ",$1;z,");
  write(work / "meta" / "soundscape_labels_with_folds.csv", text);
  for (const char* m : {"b1-f0", "b1-f1", "b2-f0", "b2-f1"}) {
    const auto file = work / "models" / m / "oof.csv";
    std::string oof = std::regex_replace(slurp(file), std::regex("\n"), ",0.5\n");
    oof.replace(0, oof.find('\n'), "row_id,kind,fold,x,y,z");
    write(file, oof);
  }
  auto r = report::readResults(work);
  EXPECT_DOUBLE_EQ(r.oof.ensemble, 0.875);
  ASSERT_EQ(r.oof.classes.size(), 2u);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_NE(r.issues[0].find("class z is positive on every"), std::string::npos) << r.issues[0];
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The page as Chromium renders it (--dump-dom: the DOM after parsing), not only the file we wrote.
TEST(ReportHtml, ChromiumRendersCurvesTablesAndStages) {
  if (testing::run("command -v chromium").code != 0) GTEST_SKIP() << "chromium not installed (tools/setup.sh installs it)";
  auto work = makeWork();
  report::ReportInput in;
  in.title = "test <run>";
  in.results = report::readResults(work);
  in.stages = {{"prep", 1.25, ""}, {"train", 61.5, ""}, {"infer", 3, "exit 4"}};
  in.facts = {{"submission score", "0.9123"}};
  const fs::path html = work / "report.html";
  report::writeReportHtml(html, in);
  auto r = testing::run("timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom file://" + html.string() +
                        " 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string& dom = r.output;
  ASSERT_NE(dom.find("</html>"), std::string::npos) << dom.substr(0, 500);
  // Two charts, one polyline per model in each, every model by name, two points per line.
  std::smatch m;
  std::regex chart("<svg id=\"train-loss\"[\\s\\S]*?</svg>");
  ASSERT_TRUE(std::regex_search(dom, m, chart));
  EXPECT_EQ(count(m.str(), "<polyline"), 4u);
  std::regex aucChart("<svg id=\"oof-auc\"[\\s\\S]*?</svg>");
  ASSERT_TRUE(std::regex_search(dom, m, aucChart));
  EXPECT_EQ(count(m.str(), "<polyline"), 4u);
  for (const char* name : {"b1-f0", "b1-f1", "b2-f0", "b2-f1"})
    EXPECT_NE(dom.find(std::string("data-model=\"") + name + "\""), std::string::npos) << name;
  std::regex line("<polyline class=\"curve\" data-model=\"b2-f1\" points=\"([^\"]*)\"");
  ASSERT_TRUE(std::regex_search(dom, m, line));
  EXPECT_EQ(count(m[1].str(), ","), 2u) << m[1];
  // The out-of-fold table: backbone x fold, pooled, ensemble.
  std::regex b1Row("<tr data-backbone=\"b1\"><td>b1</td><td>0.8100</td><td>0.8110</td><td>0.7500</td></tr>");
  EXPECT_TRUE(std::regex_search(dom, b1Row)) << dom;
  EXPECT_NE(dom.find("<b>0.8750</b>"), std::string::npos);
  // Per-class AUC worst first, with training clips.
  std::regex classes("<table id=\"classes\">[\\s\\S]*?<td>y</td><td>0.7500</td><td>4</td><td>3</td>[\\s\\S]*?<td>x</td><td>1.0000</td>");
  EXPECT_TRUE(std::regex_search(dom, classes));
  // Stages and the total; the title escaped.
  EXPECT_NE(dom.find("<td>train</td><td>61.5</td>"), std::string::npos);
  EXPECT_NE(dom.find("<td><b>65.8</b></td>"), std::string::npos);
  EXPECT_NE(dom.find("test &lt;run&gt;"), std::string::npos);
  // Self-contained: nothing fetched from anywhere.
  EXPECT_EQ(dom.find("http://www.w3.org/1999"), std::string::npos);
  EXPECT_EQ(dom.find("src=\"http"), std::string::npos);
  EXPECT_EQ(dom.find("href=\"http"), std::string::npos);
}

}  // namespace
}  // namespace chorus
