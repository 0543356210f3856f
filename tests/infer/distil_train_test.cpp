// chorus train --distil through the binary on a real tiny run: synth --preset demo -> prep ->
// features; a teacher model (convnext_atto fold 1) trained and run by chorus infer over
// train_soundscapes; its real predictions written as a teacher store (probabilities on every class
// but one, its logits as the embedding). Then the student (fold 0) without and with distillation:
// weight 0 changes nothing at all (the head, its optimizer group and the join leave every other
// number alone), weight 1 moves the weights and the projection head (gradients flow through both
// terms, recorded per epoch in distil.csv), and stop + --resume ends with the weights and head of an
// uninterrupted run. (With infer's tests: the teacher's predictions come from chorus infer's file.)
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/fs.hpp"
#include "infer/predict.hpp"
#include "meta/csv.hpp"
#include "model/checkpoint.hpp"
#include "model/safetensors_io.hpp"
#include "demo_run.hpp"
#include "run_util.hpp"
#include "store/teacher_store.hpp"
#include "test_util.hpp"
#include "train/checkpoint_dir.hpp"
#include "train/distil.hpp"

namespace {
namespace fs = std::filesystem;
using chorus::testing::run;

const char* kStep = " --warmup-epochs 0 --max-steps-per-epoch 3 --batch-size 8 --threads 1 --device cpu --seed 3";

// The data, the teacher's predictions and the teacher store, once per process.
const fs::path& teacherRoot() {
  static const fs::path root = [] {
    const fs::path r = chorus::testing::demoRun(
        "distil", "--species 4 --train-clips 24 --train-soundscapes 4 --test-soundscapes 1 --seed 5",
        {"train --job convnext_atto/1 --epochs 1" + std::string(kStep)});
    const std::string infer = chorus::testing::chorusBinary() + " infer --data " + (r / "data").string() + " --work " +
                              (r / "work").string() + " --set train_soundscapes --from-store --tta orig --threads 1 " +
                              "--time-budget 0 --out " + (r / "teacher_sub.csv").string();
    auto ran = run(infer);
    EXPECT_EQ(ran.code, 0) << infer << "\n" << ran.output;
    const auto p = chorus::infer::readPredictions(r / "work/infer/predictions.h5");
    chorus::store::TeacherStore t;
    t.name = "chorus-" + p.models.at(0), t.version = "test", t.mapping = "the same species list";
    t.classes = p.classes;
    t.covered.assign(p.classes.size(), 1);
    t.covered.back() = 0;
    t.embeddingDim = p.classes.size();
    for (size_t n = 0; n < p.rows(); ++n) {
      const double end = std::stod(p.rowIds[n].substr(p.rowIds[n].rfind('_') + 1));
      t.itemIds.push_back(p.soundscapeOf[n]), t.startSeconds.push_back(end - 5), t.endSeconds.push_back(end);
      for (size_t k = 0; k < p.classes.size(); ++k) {
        const float z = p.logit(0, n, k);
        t.probs.push_back(k + 1 == p.classes.size() ? std::nanf("") : float(1 / (1 + std::exp(-double(z)))));
        t.embeddings.push_back(z);
      }
    }
    chorus::store::writeTeacherStore(r / "teacher.h5", t);
    return r;
  }();
  return root;
}

// The student (convnext_atto fold 0) in its own work folder (meta/ and features/ linked).
fs::path student(const std::string& name, const std::string& extra, int epochs = 2) {
  const fs::path r = teacherRoot(), work = r / name;
  if (!fs::exists(work)) {
    fs::create_directories(work);
    fs::create_directory_symlink(r / "work/meta", work / "meta");
    fs::create_directory_symlink(r / "work/features", work / "features");
  }
  auto res = run(chorus::testing::chorusBinary() + " train --data " + (r / "data").string() + " --work " + work.string() +
                 " --job convnext_atto/0 --epochs " + std::to_string(epochs) + kStep + " " + extra);
  EXPECT_EQ(res.code, 0) << res.output;
  return work / "models" / "convnext_atto-f0";
}

chorus::model::NamedTensors lastFile(const fs::path& job, const char* file) {
  auto dir = chorus::train::checkpointDir(job, "last");
  EXPECT_TRUE(dir.has_value()) << job;
  if (!dir) return {};
  return std::string(file) == "weights.pt" ? chorus::model::readTensorFile(*dir / file)
                                           : chorus::model::readSafetensors(*dir / file);
}

bool same(const chorus::model::NamedTensors& a, const chorus::model::NamedTensors& b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (const auto& [name, t] : a)
    if (!b.count(name) || !torch::equal(t, b.at(name))) return false;
  return true;
}

}  // namespace

TEST(Distil, TheTermMovesTheStudentAndResumesExactly) {
  const std::string store = (teacherRoot() / "teacher.h5").string();
  const fs::path plain = student("plain", "");
  const fs::path zero = student("zero", "--distil " + store + " --distil-weight 0");
  const fs::path on = student("on", "--distil " + store + " --distil-weight 1 --distil-temperature 2");

  EXPECT_TRUE(same(lastFile(plain, "weights.pt"), lastFile(zero, "weights.pt"))) << "weight 0 changed the student";
  EXPECT_FALSE(same(lastFile(plain, "weights.pt"), lastFile(on, "weights.pt"))) << "the term did not reach the student";
  const auto head = lastFile(on, chorus::train::kDistilWeightsName);
  ASSERT_EQ(head.size(), 2u);
  EXPECT_TRUE(head.count("chorus_distil.fc.weight") && head.count("chorus_distil.fc.bias"));
  EXPECT_FALSE(same(head, lastFile(zero, chorus::train::kDistilWeightsName))) << "no gradient reached the head";

  // distil.csv: teacher rows met, both terms nonzero, in each epoch.
  const auto table = chorus::meta::CsvTable::read(on / "distil.csv");
  ASSERT_EQ(table.size(), 2u);
  for (const auto& row : table.rows()) {
    EXPECT_GT(std::stod(row.fields[2]), 0) << "no training window had a teacher row";
    EXPECT_GT(std::stod(row.fields[3]), 0) << "soft term";
    EXPECT_GT(std::stod(row.fields[4]), 0) << "cosine term";
  }

  // Stopped after one epoch; resuming with another weight is refused, naming it; resumed with the
  // same options: the uninterrupted run's weights, head and figures.
  const std::string args = "--distil " + store + " --distil-weight 1 --distil-temperature 2";
  student("split", args + " --stop-after 1");
  auto other = run(chorus::testing::chorusBinary() + " train --data " + (teacherRoot() / "data").string() + " --work " +
                   (teacherRoot() / "split").string() + " --job convnext_atto/0 --epochs 2" + kStep + " --distil " +
                   store + " --distil-weight 0.5 --resume");
  EXPECT_EQ(other.code, 2) << other.output;
  EXPECT_NE(other.output.find("distil.weight"), std::string::npos) << other.output;
  const fs::path split = student("split", args + " --resume");
  EXPECT_TRUE(same(lastFile(on, "weights.pt"), lastFile(split, "weights.pt"))) << "resume with distillation is not exact";
  EXPECT_TRUE(same(head, lastFile(split, chorus::train::kDistilWeightsName))) << "the head differs after resume";
  EXPECT_EQ(chorus::readTextFile(on / "distil.csv"), chorus::readTextFile(split / "distil.csv"));
}
