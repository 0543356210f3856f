// Where --backbone-weights finds its file: files by content (files PyTorch and the reference
// safetensors writer made, tests/fixtures/weights), folders, Hugging Face hub cache repositories
// (refs/main, a single snapshot, links into blobs/), and the refusals, each naming what to give.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "core/sha256.hpp"
#include "test_util.hpp"
#include "weights/weight_files.hpp"

using namespace chorus;
using namespace chorus::weights;
namespace fs = std::filesystem;

namespace {

const fs::path kSafetensors = chorus::testing::fixture("weights/reference.safetensors");

void writeText(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// A hub cache repository as huggingface_hub leaves it: the blob under its digest, the snapshot's
// file a relative link to it.
fs::path hubRepository(const fs::path& root, const std::vector<std::string>& revisions, bool withRef) {
  const fs::path repo = root / "models--timm--tf_efficientnet_b0.ns_jft_in1k";
  const std::string digest = sha256File(kSafetensors);
  fs::create_directories(repo / "blobs");
  fs::copy_file(kSafetensors, repo / "blobs" / digest, fs::copy_options::overwrite_existing);
  for (const auto& rev : revisions) {
    fs::create_directories(repo / "snapshots" / rev);
    fs::create_symlink(fs::path("../../blobs") / digest, repo / "snapshots" / rev / "model.safetensors");
  }
  if (withRef) writeText(repo / "refs" / "main", revisions.back() + "\n");
  return repo;
}

std::string errorOf(const fs::path& given) {
  try {
    locateWeightsFile(given);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(WeightFiles, FormatComesFromTheBytesNotTheName) {
  EXPECT_EQ(sniffWeightsFormat(kSafetensors), WeightsFormat::SafeTensors);
  EXPECT_EQ(sniffWeightsFormat(chorus::testing::fixture("weights/state_dict.pt")), WeightsFormat::TorchSave);
  const fs::path renamed = chorus::testing::scratchDir() / "weights.bin";
  fs::copy_file(kSafetensors, renamed);
  EXPECT_EQ(sniffWeightsFormat(renamed), WeightsFormat::SafeTensors);
}

TEST(WeightFiles, LegacyPickleAndOtherFilesAreRefusedByName) {
  try {
    sniffWeightsFormat(chorus::testing::fixture("weights/legacy_pickle.pt"));
    ADD_FAILURE() << "a legacy pickle was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("legacy"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("legacy_pickle.pt"), std::string::npos) << e.what();
  }
  const fs::path text = chorus::testing::scratchDir() / "notes.pth";
  writeText(text, "not weights at all\n");
  EXPECT_THROW(sniffWeightsFormat(text), InputError);
  EXPECT_NE(errorOf(text.parent_path() / "absent.safetensors").find("absent.safetensors"), std::string::npos);
}

TEST(WeightFiles, FolderWithModelSafetensorsOrPytorchBin) {
  const fs::path dir = chorus::testing::scratchDir();
  fs::copy_file(chorus::testing::fixture("weights/state_dict.pt"), dir / "pytorch_model.bin");
  EXPECT_EQ(locateWeightsFile(dir), dir / "pytorch_model.bin");
  fs::copy_file(kSafetensors, dir / "model.safetensors");  // preferred, as timm's hub loader does
  EXPECT_EQ(locateWeightsFile(dir), dir / "model.safetensors");
}

TEST(WeightFiles, HubRepositoryFollowsRefsMain) {
  const fs::path root = chorus::testing::scratchDir();
  const fs::path repo = hubRepository(root, {"aaaa", "bbbb"}, true);
  const auto w = identifyWeights(repo);
  EXPECT_EQ(w.path, repo / "snapshots" / "bbbb" / "model.safetensors");
  EXPECT_EQ(w.format, WeightsFormat::SafeTensors);
  EXPECT_EQ(w.sha256, sha256File(kSafetensors));  // the blob's bytes, through the link
  // The snapshot folder itself works too.
  EXPECT_EQ(locateWeightsFile(repo / "snapshots" / "aaaa"), repo / "snapshots" / "aaaa" / "model.safetensors");
}

TEST(WeightFiles, HubRepositoryWithoutRefsTakesItsOnlySnapshot) {
  const fs::path repo = hubRepository(chorus::testing::scratchDir(), {"cccc"}, false);
  EXPECT_EQ(locateWeightsFile(repo), repo / "snapshots" / "cccc" / "model.safetensors");
}

TEST(WeightFiles, AmbiguousFoldersNameTheChoices) {
  const fs::path root = chorus::testing::scratchDir();
  const fs::path repo = hubRepository(root, {"dddd", "eeee"}, false);
  const std::string several = errorOf(repo);
  EXPECT_NE(several.find("dddd"), std::string::npos) << several;
  EXPECT_NE(several.find("eeee"), std::string::npos) << several;
  const std::string cache = errorOf(root);
  EXPECT_NE(cache.find(repo.filename().string()), std::string::npos) << cache;
  fs::create_directories(root / "empty");
  EXPECT_NE(errorOf(root / "empty").find("model.safetensors"), std::string::npos);
  writeText(repo / "refs" / "main", "ffff");
  EXPECT_NE(errorOf(repo).find("ffff"), std::string::npos) << errorOf(repo);
}
