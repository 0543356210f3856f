// Feature store round trip on real HDF5 files: parts written by PartWriter, joined by writeMaster,
// read back by our FeatureStore and, independently, by h5py (tools/read_store.py).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>

#include "core/error.hpp"
#include "run_util.hpp"
#include "store/feature_store.hpp"
#include "core/half.hpp"
#include "store/master.hpp"
#include "store/part_writer.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace chorus::store;

namespace {

constexpr int kMels = 16;

std::vector<float> randomMel(int64_t frames, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> db(-100.0f, 60.0f);
  std::vector<float> mel(size_t(frames) * kMels);
  for (auto& v : mel) v = db(rng);
  return mel;
}

std::vector<float> asStored(std::vector<float> values, MelDtype dtype) {
  if (dtype == MelDtype::Float16)
    for (auto& v : values) v = chorus::halfToFloat(chorus::floatToHalf(v));
  return values;
}

StoreItem item(const std::string& id, int64_t index) {
  StoreItem it;
  it.id = id;
  it.source = "train_audio/" + id;
  it.index = index;
  it.sourceSampleRate = 32000 + int32_t(index);
  it.sourceChannels = 1 + int32_t(index % 2);
  it.duration = 1.5 * double(index + 1);
  it.energyPeakFrame = 10 + index;
  it.energyPeakAfterLead = 20 + index;
  it.leadEnd = 0.25 * double(index);
  for (int64_t k = 0; k < index; ++k) it.vad.push_back({0.5 * k, 0.5 * k + 0.5, int8_t(k % 2)});
  return it;
}

struct Fixture {
  fs::path dir, master;
  std::vector<fs::path> parts;
  std::vector<StoreItem> items;          // as written, in item order
  std::vector<std::vector<float>> mels;  // the input values per item
};

// Two parts: part 0 holds items 0 (5 frames) and 1 (700 frames, several chunks); part 1 holds
// item 3 (300 frames) and the failure of item 2.
Fixture writeStore(const fs::path& dir, MelDtype dtype) {
  Fixture f;
  f.dir = dir;
  f.master = dir / "features" / "train_audio.h5";
  PartOptions options;
  options.nMels = kMels;
  options.dtype = dtype;
  options.chunkFrames = 64;
  options.attributes = {{"set", "train_audio"}, {"n_mels", std::to_string(kMels)}, {"f_min", "20"}};
  const std::vector<std::pair<std::string, int64_t>> layout = {{"a/x1.ogg", 5}, {"b/x2.ogg", 700}, {"c/x4.ogg", 300}};
  const int64_t indices[] = {0, 1, 3};
  for (int p = 0; p < 2; ++p) {
    fs::path path = dir / "features" / "train_audio.parts" / ("part-00000" + std::to_string(p) + ".h5");
    options.attributes["part_first_item"] = std::to_string(p * 2);
    PartWriter writer(path, options);
    for (int k = (p == 0 ? 0 : 2); k < (p == 0 ? 2 : 3); ++k) {
      StoreItem it = item(layout[k].first, indices[k]);
      auto mel = randomMel(layout[k].second, 100 + k);
      writer.append(it, mel.data(), layout[k].second);
      f.items.push_back(it);
      f.mels.push_back(mel);
    }
    if (p == 1) writer.addFailure({2, "c/x3.ogg", "train_audio/c/x3.ogg", "train_audio/c/x3.ogg: not an audio file"});
    writer.commit();
    f.parts.push_back(path);
  }
  MasterOptions m;
  m.nMels = kMels;
  m.dtype = dtype;
  m.attributes = {{"set", "train_audio"}, {"n_mels", std::to_string(kMels)}, {"f_min", "20"}};
  MasterSummary summary = writeMaster(f.master, f.parts, m);
  EXPECT_EQ(summary.items, 3u);
  EXPECT_EQ(summary.failures, 1u);
  EXPECT_EQ(summary.frames, 1005);
  return f;
}

void expectSameItems(const FeatureStore& store, const Fixture& f, MelDtype dtype) {
  ASSERT_EQ(store.items().size(), 3u);
  const int64_t offsets[] = {0, 5, 705};
  for (size_t i = 0; i < 3; ++i) {
    const StoreItem& got = store.items()[i];
    const StoreItem& want = f.items[i];
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.source, want.source);
    EXPECT_EQ(got.index, want.index);
    EXPECT_EQ(got.frameOffset, offsets[i]);
    EXPECT_EQ(got.frameCount, int64_t(f.mels[i].size() / kMels));
    EXPECT_EQ(got.sourceSampleRate, want.sourceSampleRate);
    EXPECT_EQ(got.sourceChannels, want.sourceChannels);
    EXPECT_EQ(got.duration, want.duration);
    EXPECT_EQ(got.energyPeakFrame, want.energyPeakFrame);
    EXPECT_EQ(got.energyPeakAfterLead, want.energyPeakAfterLead);
    EXPECT_EQ(got.leadEnd, want.leadEnd);
    ASSERT_EQ(got.vad.size(), want.vad.size());
    for (size_t k = 0; k < got.vad.size(); ++k) {
      EXPECT_EQ(got.vad[k].start, want.vad[k].start);
      EXPECT_EQ(got.vad[k].end, want.vad[k].end);
      EXPECT_EQ(got.vad[k].kind, want.vad[k].kind);
    }
    EXPECT_EQ(store.readItem(i), asStored(f.mels[i], dtype)) << got.id;
  }
}

bool havePythonH5py() { return chorus::testing::run("python3 -c 'import h5py, numpy'").code == 0; }

nlohmann::json readWithH5py(const fs::path& store, const std::string& args) {
  auto r = chorus::testing::run("python3 " + std::string(CHORUS_SOURCE_DIR) + "/tools/read_store.py " + store.string() + " " + args +
                                " 2>/dev/null");
  EXPECT_EQ(r.code, 0) << r.output;
  return nlohmann::json::parse(r.output);
}

}  // namespace

TEST(FeatureStore, Float16RoundTripThroughPartsAndMaster) {
  Fixture f = writeStore(chorus::testing::scratchDir(), MelDtype::Float16);
  FeatureStore store(f.master);
  EXPECT_EQ(store.nMels(), kMels);
  EXPECT_EQ(store.dtype(), MelDtype::Float16);
  EXPECT_EQ(store.totalFrames(), 1005);
  EXPECT_EQ(store.attributes().at("set"), "train_audio");
  EXPECT_EQ(store.attributes().at("f_min"), "20");
  EXPECT_EQ(store.attributes().count("part_first_item"), 0u);  // parts' own attributes stay in the parts
  ASSERT_EQ(store.sources().size(), 2u);
  EXPECT_EQ(store.sources()[0], "train_audio.parts/part-000000.h5");
  expectSameItems(store, f, MelDtype::Float16);
  ASSERT_EQ(store.failures().size(), 1u);
  EXPECT_EQ(store.failures()[0].index, 2);
  EXPECT_EQ(store.failures()[0].id, "c/x3.ogg");
  EXPECT_EQ(store.failures()[0].reason, "train_audio/c/x3.ogg: not an audio file");
  EXPECT_EQ(store.find("b/x2.ogg").value(), 1u);
  EXPECT_FALSE(store.find("nope").has_value());
  // A window across the part boundary comes back whole.
  auto window = store.readFrames(600, 200);
  auto b = asStored(f.mels[1], MelDtype::Float16), c = asStored(f.mels[2], MelDtype::Float16);
  EXPECT_TRUE(std::equal(window.begin(), window.begin() + 105 * kMels, b.begin() + 595 * kMels));
  EXPECT_TRUE(std::equal(window.begin() + 105 * kMels, window.end(), c.begin()));
  EXPECT_THROW(store.readFrames(1000, 6), chorus::Error);
  EXPECT_THROW(store.readItem(0, 3, 3), chorus::Error);

  // A part opens with the same reader; its offsets are its own.
  FeatureStore part(f.parts[1]);
  EXPECT_EQ(part.items().size(), 1u);
  EXPECT_EQ(part.items()[0].frameOffset, 0);
  EXPECT_EQ(part.attributes().at("part_first_item"), "2");
}

TEST(FeatureStore, Float32RoundTripIsExact) {
  Fixture f = writeStore(chorus::testing::scratchDir(), MelDtype::Float32);
  FeatureStore store(f.master);
  EXPECT_EQ(store.dtype(), MelDtype::Float32);
  expectSameItems(store, f, MelDtype::Float32);
}

TEST(FeatureStore, H5pyReadsTheMasterAsOneDataset) {
  if (!havePythonH5py()) GTEST_SKIP() << "python3 with h5py and numpy is not available";
  Fixture f = writeStore(chorus::testing::scratchDir(), MelDtype::Float16);
  FeatureStore store(f.master);
  nlohmann::json j = readWithH5py(f.master, "--rows 0:1005 --item b/x2.ogg --stats");
  EXPECT_EQ(j["mel_dtype"], "float16");
  EXPECT_EQ(j["mel_shape"], nlohmann::json({1005, kMels}));
  EXPECT_TRUE(j["mel_virtual"].get<bool>());
  EXPECT_EQ(j["mel_sources"], nlohmann::json({"train_audio.parts/part-000000.h5", "train_audio.parts/part-000001.h5"}));
  EXPECT_EQ(j["mel_nan"], 0);
  EXPECT_EQ(j["attributes"]["set"], "train_audio");
  EXPECT_EQ(j["attributes"]["mel_dtype"], "float16");
  EXPECT_EQ(j["attributes"]["store_version"], 1);
  EXPECT_EQ(j["items"]["item_id"], nlohmann::json({"a/x1.ogg", "b/x2.ogg", "c/x4.ogg"}));
  EXPECT_EQ(j["items"]["item_index"], nlohmann::json({0, 1, 3}));
  EXPECT_EQ(j["items"]["frame_offset"], nlohmann::json({0, 5, 705}));
  EXPECT_EQ(j["items"]["frame_count"], nlohmann::json({5, 700, 300}));
  EXPECT_EQ(j["items"]["vad_count"], nlohmann::json({0, 1, 3}));
  EXPECT_EQ(j["vad_segments"].size(), 4u);
  EXPECT_EQ(j["failed"]["failed_item_id"], nlohmann::json({"c/x3.ogg"}));
  // Every value h5py sees equals what our reader returns (and what we wrote, rounded to float16).
  auto all = store.readFrames(0, 1005);
  std::vector<float> fromPython;
  for (const auto& row : j["rows"])
    for (const auto& v : row) fromPython.push_back(v.get<float>());
  EXPECT_EQ(fromPython, all);
  double sum = 0;
  for (float v : all) sum += v;
  EXPECT_NEAR(j["mel_sum"].get<double>(), sum, 1e-6 * std::abs(sum));
  EXPECT_EQ(j["item_frames"].size(), 700u);
  EXPECT_EQ(j["item_frames"][0][0].get<float>(), asStored(f.mels[1], MelDtype::Float16)[0]);
}

TEST(FeatureStore, MovedWorkFolderStillReads) {
  fs::path dir = chorus::testing::scratchDir();
  Fixture f = writeStore(dir / "before", MelDtype::Float16);
  fs::rename(dir / "before", dir / "after");
  FeatureStore store(dir / "after" / "features" / "train_audio.h5");
  EXPECT_EQ(store.readItem(2), asStored(f.mels[2], MelDtype::Float16));
}

TEST(FeatureStore, MasterWithAMissingPartIsRefused) {
  Fixture f = writeStore(chorus::testing::scratchDir(), MelDtype::Float16);
  fs::remove(f.parts[1]);
  try {
    FeatureStore store(f.master);
    FAIL() << "opened a master whose part is gone";
  } catch (const chorus::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("part-000001.h5"), std::string::npos) << e.what();
  }
}

TEST(FeatureStore, TruncatedFileIsAnInputError) {
  Fixture f = writeStore(chorus::testing::scratchDir(), MelDtype::Float16);
  fs::resize_file(f.parts[0], 100);
  EXPECT_THROW(FeatureStore{f.parts[0]}, chorus::InputError);
  std::ofstream(f.dir / "text.h5") << "not hdf5";
  EXPECT_THROW(FeatureStore{f.dir / "text.h5"}, chorus::InputError);
  EXPECT_THROW(FeatureStore{f.dir / "absent.h5"}, chorus::InputError);
}

TEST(PartWriter, NothingVisibleUntilCommitAndNothingLeftWithout) {
  fs::path dir = chorus::testing::scratchDir();
  fs::path target = dir / "part-000000.h5";
  auto mel = randomMel(10, 1);
  {
    PartOptions options;
    options.nMels = kMels;
    PartWriter writer(target, options);
    writer.append(item("a.ogg", 0), mel.data(), 10);
    EXPECT_FALSE(fs::exists(target));
    EXPECT_TRUE(fs::exists(writer.tempPath()));
    EXPECT_NE(writer.tempPath().string().find(".tmp."), std::string::npos);
  }  // destroyed without commit(), as when an exception unwinds the stage
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(Master, EmptySetGivesAnEmptyReadableStore) {
  fs::path dir = chorus::testing::scratchDir();
  PartOptions options;
  options.nMels = kMels;
  PartWriter writer(dir / "p" / "part-000000.h5", options);
  writer.addFailure({0, "bad.ogg", "test_soundscapes/bad.ogg", "empty file"});
  writer.commit();
  MasterOptions m;
  m.nMels = kMels;
  writeMaster(dir / "empty.h5", {dir / "p" / "part-000000.h5"}, m);
  FeatureStore store(dir / "empty.h5");
  EXPECT_EQ(store.totalFrames(), 0);
  EXPECT_TRUE(store.items().empty());
  EXPECT_EQ(store.failures().size(), 1u);
  if (havePythonH5py()) {
    EXPECT_EQ(readWithH5py(dir / "empty.h5", "--stats")["mel_shape"], nlohmann::json({0, kMels}));
  }
}
