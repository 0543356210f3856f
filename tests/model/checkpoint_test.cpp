// Weights on disk: round trip, atomic replacement, clear errors, and the torch.save format both
// ways (Python reads ours when it is there to ask).
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "model/checkpoint.hpp"
#include "model/classifier.hpp"
#include "model_test_util.hpp"

namespace ct = chorus::testing;
using namespace chorus::model;

namespace {

Classifier smallModel(uint64_t seed, const std::string& backbone = "convnext_atto") {
  torch::manual_seed(seed);
  ModelOptions o;
  o.backbone = backbone;
  o.numClasses = 3;
  return makeModel(o);
}

}  // namespace

TEST(Checkpoint, RoundTripRestoresEveryParameterAndBuffer) {
  const auto file = ct::scratchDir() / "model.pt";
  auto a = smallModel(1, "efficientnet_b0");
  a->train();
  a->forward(torch::randn({2, 1, 64, 64}));  // moves BatchNorm statistics off their initial values
  saveWeights(*a, file);
  auto b = smallModel(2, "efficientnet_b0");
  loadWeights(*b, file);
  const auto sa = namedState(*a), sb = namedState(*b);
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [name, t] : sa) EXPECT_TRUE(torch::equal(sb.at(name), t)) << name;
  // Only the final file is left, no temporary.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(file.parent_path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(Checkpoint, OverwritesAtomicallyAndRefusesAnotherModel) {
  const auto file = ct::scratchDir() / "model.pt";
  saveWeights(*smallModel(1), file);
  saveWeights(*smallModel(3), file);  // replaced whole
  auto c = smallModel(4);
  loadWeights(*c, file);
  EXPECT_TRUE(torch::equal(namedState(*c).at("head.fc1.weight"), namedState(*smallModel(3)).at("head.fc1.weight")));

  auto other = smallModel(5, "efficientnet_b0");
  try {
    loadWeights(*other, file);
    ADD_FAILURE() << "ConvNeXt weights loaded into EfficientNet";
  } catch (const chorus::InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file.string()), std::string::npos) << what;
    EXPECT_NE(what.find("missing"), std::string::npos) << what;
  }
}

TEST(Checkpoint, ShapeMismatchAndGarbageAreInputErrors) {
  const auto dir = ct::scratchDir();
  NamedTensors wrong = namedState(*smallModel(1));
  wrong["head.fc1.weight"] = torch::zeros({2, 2});
  writeTensorFile(dir / "wrong.pt", wrong);
  auto m = smallModel(1);
  try {
    loadWeights(*m, dir / "wrong.pt");
    ADD_FAILURE() << "a wrongly shaped tensor loaded";
  } catch (const chorus::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("head.fc1.weight"), std::string::npos) << e.what();
  }
  chorus::writeFileAtomic(dir / "garbage.pt", "not a checkpoint");
  EXPECT_THROW(readTensorFile(dir / "garbage.pt"), chorus::InputError);
  EXPECT_THROW(readTensorFile(dir / "absent.pt"), chorus::InputError);
}

TEST(Checkpoint, PythonTorchLoadReadsOurFile) {
  if (!ct::pythonHas("torch")) GTEST_SKIP() << "python with torch not found (" << ct::python() << ")";
  const auto file = ct::scratchDir() / "model.pt";
  auto m = smallModel(6);
  saveWeights(*m, file);
  const auto state = namedState(*m);
  const double sum = state.at("backbone.stem.0.weight").sum().item<double>();
  const std::string check = ct::python() + " -c \"import torch,sys; d=torch.load('" + file.string() +
                            "'); sys.exit(0 if len(d)==" + std::to_string(state.size()) +
                            " and abs(d['backbone.stem.0.weight'].sum().item()-(" + std::to_string(sum) +
                            "))<1e-4 else 1)\"";
  EXPECT_EQ(std::system(check.c_str()), 0) << check;
}
