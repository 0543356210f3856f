// chorus pseudo on a real tiny run through the binary: synth -> prep -> features -> two tiny jobs
// (convnext_atto folds 0 and 1) -> pseudo under mpirun -np 2. The labels are checked against the
// per-model logits the stage itself saved (predictions.h5): the out-of-fold model choice, the mean
// of probabilities, the threshold and the floor, the HDF5 copy, -np 1 giving the same file;
// and chorus train --pseudo trains round 1 into models/<bb>-f<k>-r1/.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dataset/pseudo_labels.hpp"
#include "infer/predict.hpp"
#include "meta/csv.hpp"
#include "meta/soundscape_window.hpp"
#include "pseudo/selection.hpp"
#include "run_util.hpp"
#include "store/hdf5.hpp"
#include "store/teacher_store.hpp"
#include "test_util.hpp"

namespace {
namespace fs = std::filesystem;
using chorus::testing::run;

const std::string& kMpirun = chorus::testing::kMpirunNp2;
const char* kUnlabelled = "BC2026_Train_0007_S02_20250125_084006.ogg";  // its labels are removed before prep

using chorus::testing::readAll;

// Synth (7 train soundscapes), one soundscape's labels removed so that it is unlabelled, prep,
// features and two tiny training jobs; once per process.
const fs::path& trainedRoot() {
  static const fs::path root = [] {
    const fs::path r = fs::temp_directory_path() / "chorus-tests" / ("pseudo-run-" + std::to_string(::getpid()));
    fs::remove_all(r);
    fs::create_directories(r);
    const std::string B = chorus::testing::chorusBinary();
    const std::string D = (r / "data").string(), W = (r / "work").string();
    auto step = [](const std::string& cmd) {
      auto res = run(cmd);
      if (res.code != 0) ADD_FAILURE() << cmd << "\n" << res.output;
    };
    step(B + " synth --out " + D + " --solution " + (r / "solution.csv").string() +
         " --preset demo --species 4 --train-clips 24 --train-soundscapes 7 --test-soundscapes 1 --seed 5");
    const fs::path labels = r / "data" / "train_soundscapes_labels.csv";
    std::istringstream in(readAll(labels));
    std::ofstream out(labels);
    for (std::string line; std::getline(in, line);)
      if (line.rfind(kUnlabelled, 0) != 0) out << line << "\n";
    out.close();
    step(B + " prep --data " + D + " --work " + W);
    step(B + " features --data " + D + " --work " + W + " --set train_audio");
    step(B + " features --data " + D + " --work " + W + " --set train_soundscapes");
    for (int fold : {0, 1})
      step(B + " train --data " + D + " --work " + W + " --job convnext_atto/" + std::to_string(fold) +
           " --epochs 1 --warmup-epochs 0 --max-steps-per-epoch 2 --batch-size 4 --threads 1 --device cpu");
    return r;
  }();
  return root;
}

std::string pseudoCommand(const std::string& extra) {
  const fs::path r = trainedRoot();
  return chorus::testing::chorusBinary() + " pseudo --data " + (r / "data").string() + " --work " +
         (r / "work").string() + " --threads 1 --tta orig reverse " + extra;
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// What the labels must be: per row of the saved predictions, the mean probability of the
// out-of-fold models (or -1 for every class when there is none).
std::vector<std::vector<double>> expectedProbabilities(const chorus::infer::Predictions& p,
                                                       const std::map<std::string, int>& folds) {
  std::vector<std::vector<double>> out(p.rows(), std::vector<double>(p.classes.size(), -1));
  for (size_t n = 0; n < p.rows(); ++n) {
    auto f = folds.find(p.soundscapeOf[n]);
    std::vector<size_t> models;
    for (size_t m = 0; m < p.models.size(); ++m)
      if (f == folds.end() || p.folds[m] == f->second) models.push_back(m);
    if (models.empty()) continue;
    for (size_t k = 0; k < p.classes.size(); ++k) {
      double sum = 0;
      for (size_t m : models) sum += sigmoid(p.logit(m, n, k));
      out[n][k] = sum / double(models.size());
    }
  }
  return out;
}

}  // namespace

TEST(PseudoRun, LabelsAreOutOfFoldThresholdedAndFlooredOnARealRun) {
  const fs::path r = trainedRoot();
  const fs::path dir = r / "work" / "pseudo" / "r1";
  const auto folds = chorus::pseudo::labelledSoundscapeFolds(r / "work/meta/soundscape_labels_with_folds.csv");
  ASSERT_EQ(folds.count(kUnlabelled), 0u);
  auto ran = run(std::string(kMpirun) + pseudoCommand("--threshold 0 --floor 0"));
  ASSERT_EQ(ran.code, 0) << ran.output;
  const auto p = chorus::infer::readPredictions(dir / "predictions.h5");
  ASSERT_EQ(p.models, (std::vector<std::string>{"convnext_atto-f0", "convnext_atto-f1"}));
  ASSERT_EQ(p.rows(), 7u * 12u);
  const auto expected = expectedProbabilities(p, folds);

  // Threshold 0, floor 0: every window with an out-of-fold model, exactly the expected values.
  size_t withModel = 0, unlabelled = 0, ofFold01 = 0, ofOtherFolds = 0;
  std::vector<double> tops;
  for (size_t n = 0; n < p.rows(); ++n) {
    auto f = folds.find(p.soundscapeOf[n]);
    unlabelled += f == folds.end();
    ofFold01 += f != folds.end() && f->second <= 1;
    ofOtherFolds += f != folds.end() && f->second > 1;
    if (expected[n][0] < 0) continue;
    ++withModel;
    tops.push_back(*std::max_element(expected[n].begin(), expected[n].end()));
  }
  ASSERT_GT(unlabelled, 0u);
  ASSERT_GT(ofFold01, 0u);     // labelled by one model only
  ASSERT_GT(ofOtherFolds, 0u); // no model of their fold: left out
  EXPECT_EQ(withModel, unlabelled + ofFold01);
  auto all = chorus::meta::CsvTable::read(dir / chorus::dataset::kPseudoCsvName);
  EXPECT_EQ(all.size(), withModel);
  auto report = nlohmann::json::parse(readAll(dir / "report.json"));
  EXPECT_EQ(report["dropped_no_out_of_fold_model"].get<size_t>(), ofOtherFolds);

  // A threshold at the median top and a floor below it: the rules, row by row.
  std::sort(tops.begin(), tops.end());
  const double threshold = tops[tops.size() / 2], floor = threshold / 2;
  std::ostringstream args;
  args.precision(17);
  args << "--threshold " << threshold << " --floor " << floor;
  ran = run(std::string(kMpirun) + pseudoCommand(args.str()));
  ASSERT_EQ(ran.code, 0) << ran.output;
  const auto kept = chorus::meta::CsvTable::read(dir / chorus::dataset::kPseudoCsvName);
  ASSERT_EQ(kept.header().size(), 4 + p.classes.size());
  EXPECT_EQ(std::vector<std::string>(kept.header().begin() + 4, kept.header().end()), p.classes);
  size_t row = 0, zeroed = 0;
  for (size_t n = 0; n < p.rows(); ++n) {
    if (expected[n][0] < 0) continue;
    const double top = *std::max_element(expected[n].begin(), expected[n].end());
    if (!(top > threshold)) continue;
    ASSERT_LT(row, kept.size());
    const auto& fields = kept.rows()[row++].fields;
    EXPECT_EQ(fields[0], p.rowIds[n]);
    EXPECT_EQ(fields[1], p.soundscapeOf[n]);
    EXPECT_DOUBLE_EQ(std::stod(fields[3]), chorus::meta::rowEndSeconds(p.rowIds[n]));
    EXPECT_DOUBLE_EQ(std::stod(fields[2]), std::stod(fields[3]) - 5);
    for (size_t k = 0; k < p.classes.size(); ++k) {
      const double want = expected[n][k] < floor ? 0 : expected[n][k];
      zeroed += want == 0;
      EXPECT_NEAR(std::stod(fields[4 + k]), want, 1e-6) << p.rowIds[n] << " " << p.classes[k];
    }
  }
  EXPECT_EQ(row, kept.size());
  EXPECT_GT(kept.size(), 0u);
  EXPECT_LT(kept.size(), withModel);
  report = nlohmann::json::parse(readAll(dir / "report.json"));
  EXPECT_EQ(report["kept"].get<size_t>(), kept.size());
  EXPECT_EQ(report["dropped_below_threshold"].get<size_t>(), withModel - kept.size());

  // The HDF5 copy holds the same rows and values.
  namespace h5 = chorus::store::h5;
  const fs::path h5file = dir / chorus::dataset::kPseudoH5Name;
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  h5::Handle f = h5::openFile(h5file);
  const auto rowIds = h5::readStrings(f, "row_id", h5file);
  const auto labels = h5::readArray<float>(f, "labels", h5file);
  EXPECT_EQ(h5::readStrings(f, "class", h5file), p.classes);
  ASSERT_EQ(rowIds.size(), kept.size());
  ASSERT_EQ(labels.size(), kept.size() * p.classes.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(rowIds[i], kept.rows()[i].fields[0]);
    for (size_t k = 0; k < p.classes.size(); ++k)
      EXPECT_NEAR(labels[i * p.classes.size() + k], std::stod(kept.rows()[i].fields[4 + k]), 1e-6);
  }

  // One rank writes the same labels as two (in the same test: the trained fixture costs a minute).
  const std::string twoRanks = readAll(dir / chorus::dataset::kPseudoCsvName);
  ran = run(pseudoCommand(args.str()));
  ASSERT_EQ(ran.code, 0) << ran.output;
  EXPECT_EQ(readAll(dir / chorus::dataset::kPseudoCsvName), twoRanks);
}

TEST(PseudoRun, TrainWithPseudoLabelsIsRoundOneAndRoundTwoNeedsItsModels) {
  const fs::path r = trainedRoot();
  const std::string B = chorus::testing::chorusBinary();
  const std::string common = " --data " + (r / "data").string() + " --work " + (r / "work").string();
  auto ran = run(std::string(kMpirun) + pseudoCommand("--threshold 0.2"));
  ASSERT_EQ(ran.code, 0) << ran.output;
  ran = run(B + " train" + common + " --job convnext_atto/0 --epochs 1 --warmup-epochs 0 --max-steps-per-epoch 1 --batch-size 4 "
                "--threads 1 --device cpu --pseudo " + (r / "work/pseudo/r1").string() + " --pseudo-p 1");
  ASSERT_EQ(ran.code, 0) << ran.output;
  EXPECT_NE(ran.output.find("pseudo-labelled windows"), std::string::npos) << ran.output;
  EXPECT_TRUE(fs::exists(r / "work/models/convnext_atto-f0-r1/metrics.csv"));
  EXPECT_TRUE(fs::exists(r / "work/models/convnext_atto-f0/metrics.csv"));  // round 0 untouched
  // Round 2 learns from round 1's models: only f0-r1 exists, so only it labels.
  ran = run(pseudoCommand("--round 2 --threshold 0.2"));
  ASSERT_EQ(ran.code, 0) << ran.output;
  auto report = nlohmann::json::parse(readAll(r / "work/pseudo/r2/report.json"));
  EXPECT_EQ(report["models"], nlohmann::json::array({"convnext_atto-f0-r1"}));
  ran = run(pseudoCommand("--round 3"));
  EXPECT_EQ(ran.code, 2) << ran.output;
  EXPECT_NE(ran.output.find("-r2"), std::string::npos) << ran.output;
  // A pseudo folder not named r<n> says which round it would be: a usage error.
  fs::create_directories(r / "work/pseudo/latest");
  ran = run(B + " train" + common + " --job convnext_atto/1 --epochs 2 --pseudo " + (r / "work/pseudo/latest").string());
  EXPECT_EQ(ran.code, 2) << ran.output;
  EXPECT_NE(ran.output.find("r<n>"), std::string::npos) << ran.output;
}

namespace {

// A teacher store made from real model predictions: model `m`'s probabilities on every window but
// those of `skip`, the last class left uncovered (NaN), and one row of audio that is no soundscape.
chorus::store::TeacherStore teacherFrom(const chorus::infer::Predictions& p, size_t m, const std::string& skip) {
  chorus::store::TeacherStore t;
  t.name = "chorus-f" + std::to_string(m), t.version = "test", t.mapping = "the same species list";
  t.classes = p.classes;
  t.covered.assign(p.classes.size(), 1);
  t.covered.back() = 0;
  auto add = [&](const std::string& item, double end, const std::vector<float>& probs) {
    t.itemIds.push_back(item), t.startSeconds.push_back(end - 5), t.endSeconds.push_back(end);
    t.probs.insert(t.probs.end(), probs.begin(), probs.end());
  };
  for (size_t n = 0; n < p.rows(); ++n) {
    if (p.soundscapeOf[n] == skip) continue;
    std::vector<float> probs;
    for (size_t k = 0; k < p.classes.size(); ++k) probs.push_back(float(sigmoid(p.logit(m, n, k))));
    probs.back() = std::nanf("");
    add(p.soundscapeOf[n], chorus::meta::rowEndSeconds(p.rowIds[n]), probs);
  }
  std::vector<float> other(p.classes.size(), 0.5f);
  other.back() = std::nanf("");
  add("1139490/CSA36385.ogg", 5, other);
  return t;
}

}  // namespace

// chorus pseudo --teacher on a store made from a trained model's real predictions: with the default
// weight the labels are the teacher's probabilities on the classes it has (0 on the one it lacks),
// no model is loaded; with w = 0.25 each covered class is 0.25 teacher + 0.75 out-of-fold ensemble,
// the uncovered class and the windows the teacher did not score the ensemble's alone.
TEST(PseudoRun, TeacherLabelsAloneAndBlendedFromTheCommandLine) {
  const fs::path r = trainedRoot();
  const fs::path dir = r / "work" / "pseudo" / "r1";
  auto ran = run(std::string(kMpirun) + pseudoCommand("--threshold 0 --floor 0"));
  ASSERT_EQ(ran.code, 0) << ran.output;
  const auto p = chorus::infer::readPredictions(dir / "predictions.h5");
  const auto folds = chorus::pseudo::labelledSoundscapeFolds(r / "work/meta/soundscape_labels_with_folds.csv");
  const size_t K = p.classes.size();
  ASSERT_GE(K, 2u);
  const std::string skipped = p.soundscapeOf.back();
  const auto teacher = teacherFrom(p, 1, skipped);
  const fs::path store = r / "teacher.h5";
  chorus::store::writeTeacherStore(store, teacher);

  // The teacher alone (no --teacher-weight): every window it scored, its values.
  fs::remove_all(dir);
  ran = run(std::string(kMpirun) + pseudoCommand("--threshold 0 --floor 0 --teacher " + store.string()));
  ASSERT_EQ(ran.code, 0) << ran.output;
  EXPECT_FALSE(fs::exists(dir / "predictions.h5"));  // no model ran
  auto alone = chorus::meta::CsvTable::read(dir / chorus::dataset::kPseudoCsvName);
  ASSERT_EQ(alone.size(), teacher.rows() - 1);  // the row of a clip is not a train_soundscapes window
  for (size_t i = 0; i < alone.size(); ++i) {
    const auto& f = alone.rows()[i].fields;
    EXPECT_EQ(f[1], teacher.itemIds[i]);
    EXPECT_DOUBLE_EQ(std::stod(f[3]), teacher.endSeconds[i]);
    for (size_t k = 0; k + 1 < K; ++k) EXPECT_NEAR(std::stod(f[4 + k]), teacher.prob(i, k), 1e-6) << f[0];
    EXPECT_EQ(std::stod(f[4 + K - 1]), 0.0) << f[0];  // uncovered
  }
  auto report = nlohmann::json::parse(readAll(dir / "report.json"));
  EXPECT_EQ(report["teacher"]["name"], "chorus-f1");
  EXPECT_EQ(report["teacher"]["weight"].get<double>(), 1.0);
  EXPECT_EQ(report["teacher"]["classes_uncovered"], nlohmann::json::array({p.classes.back()}));
  EXPECT_EQ(report["teacher"]["rows_of_other_audio"].get<size_t>(), 1u);
  EXPECT_EQ(report["teacher"]["soundscapes_without_teacher"].get<size_t>(), 1u);
  EXPECT_TRUE(report["models"].empty());

  // Blended, w = 0.25, against the ensemble's out-of-fold probabilities from the saved logits.
  ran = run(std::string(kMpirun) + pseudoCommand("--threshold 0 --floor 0 --teacher " + store.string() +
                                                 " --teacher-weight 0.25"));
  ASSERT_EQ(ran.code, 0) << ran.output;
  const auto expected = expectedProbabilities(p, folds);
  const auto blended = chorus::meta::CsvTable::read(dir / chorus::dataset::kPseudoCsvName);
  size_t row = 0, withTeacher = 0;
  for (size_t n = 0; n < p.rows(); ++n) {
    if (expected[n][0] < 0) continue;
    ASSERT_LT(row, blended.size());
    const auto& f = blended.rows()[row++].fields;
    ASSERT_EQ(f[0], p.rowIds[n]);
    const bool scored = p.soundscapeOf[n] != skipped;
    withTeacher += scored;
    for (size_t k = 0; k < K; ++k) {
      const double want = scored && k + 1 < K ? 0.25 * sigmoid(p.logit(1, n, k)) + 0.75 * expected[n][k] : expected[n][k];
      EXPECT_NEAR(std::stod(f[4 + k]), want, 1e-5) << f[0] << " " << p.classes[k];
    }
  }
  EXPECT_EQ(row, blended.size());
  EXPECT_GT(withTeacher, 0u);
  report = nlohmann::json::parse(readAll(dir / "report.json"));
  EXPECT_EQ(report["teacher"]["weight"].get<double>(), 0.25);
  EXPECT_EQ(report["teacher"]["windows_without_teacher"].get<size_t>(), 12u);  // the skipped soundscape's
  EXPECT_EQ(report["models"].size(), 2u);

  ran = run(pseudoCommand("--teacher " + store.string() + " --teacher-weight 1.5"));
  EXPECT_EQ(ran.code, 2) << ran.output;
  EXPECT_NE(ran.output.find("--teacher-weight"), std::string::npos) << ran.output;
}
