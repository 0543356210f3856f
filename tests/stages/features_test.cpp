// chorus features on one rank: a tiny dataset with broken files, parity with torchaudio through the
// whole stage, resume after a lost part and a half-written one, and parameter changes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "audio/decode.hpp"
#include "audio/energy.hpp"
#include "audio/logmel.hpp"
#include "audio/vad.hpp"
#include "core/fs.hpp"
#include "dist/mpi_context.hpp"
#include "features_dataset.hpp"
#include "stages/features.hpp"
#include "stages/features/items.hpp"
#include "stages/features/plan.hpp"
#include "core/half.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace chorus;
using chorus::store::FeatureStore;

namespace {

// One MPI world for the whole binary (MPI cannot be initialised twice in a process).
const dist::MpiContext& world() {
  static dist::MpiContext mpi;
  return mpi;
}

stages::FeaturesOptions optionsFor(const fs::path& data, const fs::path& work, const std::string& set) {
  stages::FeaturesOptions o;
  o.data = data;
  o.work = work;
  o.set = set;
  o.partSeconds = 10;  // several parts even for a tiny set
  return o;
}

nlohmann::json report(const fs::path& work) { return nlohmann::json::parse(readTextFile(work / "features/report.json")); }

std::vector<float> asFloat16(std::vector<float> v) {
  for (auto& x : v) x = halfToFloat(floatToHalf(x));
  return v;
}

}  // namespace

TEST(Features, TinyDatasetStoresGoodFilesAndNamesBadOnes) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root);
  auto options = optionsFor(d.data, root / "work", "train_audio");
  auto summary = stages::runFeatures(options, world());
  EXPECT_EQ(summary.exitCode, ExitCode::PartialFailure);
  EXPECT_EQ(summary.failed, 3u);

  // Items in the set's order (sorted paths), the broken ones recorded, not stored.
  FeatureStore store(root / "work/features/train_audio.h5");
  const std::vector<std::string> sorted = {"sp1/a.ogg", "sp1/b.ogg", "sp1/bad_truncated.ogg", "sp2/c.wav",
                                           "sp2/d.flac", "sp3/bad_empty.ogg", "sp3/bad_garbage.ogg", "sp3/e.ogg",
                                           "sp3/f.ogg"};
  ASSERT_EQ(store.items().size(), 6u);
  std::vector<std::string> ids;
  for (const auto& item : store.items()) {
    ids.push_back(item.id);
    EXPECT_EQ(sorted[size_t(item.index)], item.id);
    EXPECT_EQ(item.source, "train_audio/" + item.id);
  }
  EXPECT_EQ(ids, d.good);
  ASSERT_EQ(store.failures().size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(store.failures()[k].id, d.bad[k]);
    EXPECT_NE(store.failures()[k].reason.find(d.bad[k]), std::string::npos) << store.failures()[k].reason;
  }

  // What is stored is what the audio layer computes for each file, rounded to float16.
  const audio::LogMel logmel(options.mel);
  for (size_t i = 0; i < store.items().size(); ++i) {
    const auto& item = store.items()[i];
    audio::Audio a = audio::loadAudio(d.data / item.source, 32000);
    EXPECT_EQ(store.readItem(i), asFloat16(logmel.compute(a.samples))) << item.id;
    auto energy = audio::energyProfile(a.samples.data(), a.samples.size(), 32000);
    auto lead = audio::findLeadingSegments(a.samples.data(), a.samples.size(), 32000);
    EXPECT_EQ(item.energyPeakFrame, energy.peakFrame);
    EXPECT_EQ(item.energyPeakAfterLead, energy.peakFrameFrom(audio::leadingEnd(lead)));
    EXPECT_EQ(item.vad.size(), lead.size());
    EXPECT_EQ(item.duration, a.seconds());
    auto info = audio::probeAudio(d.data / item.source);
    EXPECT_EQ(item.sourceSampleRate, info.sampleRate);
    EXPECT_EQ(item.sourceChannels, info.channels);
  }
  EXPECT_EQ(store.items()[1].sourceSampleRate, 44100);
  EXPECT_EQ(store.items()[1].sourceChannels, 2);
  EXPECT_EQ(audio::MelOptions::fromAttributes(store.attributes()), options.mel);
  EXPECT_EQ(store.attributes().at("clip_analysis"), "true");

  // The report names every broken file with its reason; the log exists.
  auto r = report(root / "work");
  const auto& set = r["sets"]["train_audio"];
  EXPECT_EQ(set["items"], 9);
  EXPECT_EQ(set["stored"], 6);
  EXPECT_EQ(set["failed"], 3);
  EXPECT_EQ(set["items_computed"], 9);
  ASSERT_EQ(set["failures"].size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(set["failures"][k]["source"], "train_audio/" + d.bad[k]);
    EXPECT_FALSE(set["failures"][k]["reason"].get<std::string>().empty());
  }
  EXPECT_EQ(r["last_run"]["exit_code"], 4);
  EXPECT_TRUE(fs::exists(root / "work/logs/features.rank0.log"));

  // Tolerated failures: same store, exit code 0.
  options.maxFailures = 3;
  EXPECT_EQ(stages::runFeatures(options, world()).exitCode, ExitCode::Ok);
}

// torchaudio MelSpectrogram + 10 log10 of `audio` (`reference`: frames x 128 float32), through
// decode, the stage, the store and our reader.
void expectStoreMatchesTorchaudio(const fs::path& audio, const std::string& reference, int64_t frames) {
  std::ifstream in(chorus::testing::fixture(reference), std::ios::binary);
  ASSERT_TRUE(in) << "missing fixture " << reference;
  std::vector<float> ref(size_t(frames) * 128);
  in.read(reinterpret_cast<char*>(ref.data()), std::streamsize(ref.size() * sizeof(float)));
  ASSERT_TRUE(in) << reference << " is shorter than " << frames << " frames";

  const fs::path root = chorus::testing::scratchDir();
  fs::create_directories(root / "data/test_soundscapes");
  fs::copy_file(audio, root / "data/test_soundscapes" / audio.filename());
  for (auto dtype : {store::MelDtype::Float32, store::MelDtype::Float16}) {
    auto options = optionsFor(root / "data", root / store::toString(dtype), "test_soundscapes");
    options.dtype = dtype;
    EXPECT_EQ(stages::runFeatures(options, world()).exitCode, ExitCode::Ok);
    FeatureStore store(root / store::toString(dtype) / "features/test_soundscapes.h5");
    ASSERT_EQ(store.items().size(), 1u);
    ASSERT_EQ(store.items()[0].frameCount, frames);
    EXPECT_EQ(store.attributes().at("clip_analysis"), "false");
    auto ours = store.readItem(0);
    double worst = 0;
    size_t cells = 0;
    for (size_t i = 0; i < ref.size(); ++i)
      if (ref[i] > -80) worst = std::max(worst, double(std::abs(ours[i] - ref[i]))), ++cells;
    EXPECT_GT(cells, ref.size() / 2);
    // float32: the audio layer's parity (1e-3 dB); float16 adds at most half a float16 step (2^-5 dB).
    EXPECT_LE(worst, dtype == store::MelDtype::Float32 ? 1e-3 : 1e-3 + 1.0 / 32) << store::toString(dtype);
    std::cout << store::toString(dtype) << " store vs torchaudio: max |diff| " << worst << " dB over " << cells
              << " cells above -80 dB\n";
  }
}

TEST(Features, StoreMatchesTorchaudioOnARealRecording) {
  const fs::path real = fs::path(CHORUS_REAL_AUDIO) / "opensoundscape_birds_10s.wav";
  if (!fs::exists(real)) GTEST_SKIP() << "real recording " << real << " is absent (../shared/real_audio is not part of the repository)";
  expectStoreMatchesTorchaudio(real, "audio/logmel_birds_10s_torchaudio.f32", 634);  // tools/make_logmel_fixture.py
}

// The committed synthesised clip and its reference (tools/make_audio_fixtures.py): runs in every clone.
TEST(Features, StoreMatchesTorchaudioOnSynthesisedAudio) {
  const auto meta = nlohmann::json::parse(std::ifstream(chorus::testing::fixture("audio/synth_logmel.json")));
  const auto& clip = meta.at("clips").at(0);
  expectStoreMatchesTorchaudio(chorus::testing::fixture("audio/" + clip.at("file").get<std::string>()),
                               "audio/" + clip.at("torchaudio").at("file").get<std::string>(),
                               clip.at("torchaudio").at("frames").get<int64_t>());
}

TEST(Features, RerunRedoesOnlyALostPartAndIgnoresAHalfWrittenOne) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root);
  auto options = optionsFor(d.data, root / "work", "train_audio");
  stages::runFeatures(options, world());
  const fs::path parts = root / "work/features/train_audio.parts";
  const fs::path master = root / "work/features/train_audio.h5";
  fs::copy(root / "work/features", root / "first", fs::copy_options::recursive);  // master + its parts
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(parts)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  const size_t partCount = files.size();
  ASSERT_GE(partCount, 4u);
  EXPECT_EQ(report(root / "work")["sets"]["train_audio"]["parts"], partCount);

  // A rerun with nothing missing computes nothing.
  stages::runFeatures(options, world());
  EXPECT_EQ(report(root / "work")["sets"]["train_audio"]["items_computed"], 0);
  EXPECT_EQ(report(root / "work")["sets"]["train_audio"]["parts_reused"], partCount);

  // Simulate a kill: one part lost, and the half-written temporary of another left behind.
  const size_t lostItems = std::stoul(FeatureStore(files[2]).attributes().at("part_item_count"));
  fs::remove(files[2]);
  {
    std::ifstream whole(files[1], std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
    std::ofstream(files[3].string() + ".tmp.4242", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  EXPECT_THROW(FeatureStore{master}, InputError);  // the master refuses to serve a missing part
  std::ofstream(master.string() + ".tmp.4243") << "a master killed while it was written";

  stages::runFeatures(options, world());
  auto set = report(root / "work")["sets"]["train_audio"];
  EXPECT_EQ(set["items_computed"], lostItems);
  EXPECT_EQ(set["parts_written"], 1);
  EXPECT_EQ(set["parts_reused"], partCount - 1);
  for (const auto& e : fs::recursive_directory_iterator(root / "work/features"))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();
  chorus::testing::expectSameStores(FeatureStore(root / "first/train_audio.h5"), FeatureStore(master));

  // --retry-failed redoes exactly the parts that recorded failures.
  options.retryFailed = true;
  stages::runFeatures(options, world());
  set = report(root / "work")["sets"]["train_audio"];
  size_t withFailures = 0, itemsThere = 0;
  for (const auto& f : files) {
    FeatureStore part(f);
    if (!part.failures().empty()) ++withFailures, itemsThere += std::stoul(part.attributes().at("part_item_count"));
  }
  EXPECT_EQ(set["parts_written"], withFailures);
  EXPECT_EQ(set["items_computed"], itemsThere);
  chorus::testing::expectSameStores(FeatureStore(root / "first/train_audio.h5"), FeatureStore(master));
}

TEST(Features, OtherParametersRedoEveryPart) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root, 0.5);
  auto options = optionsFor(d.data, root / "work", "train_soundscapes");
  stages::runFeatures(options, world());
  options.mel.nMels = 64;
  stages::runFeatures(options, world());
  auto set = report(root / "work")["sets"]["train_soundscapes"];
  EXPECT_EQ(set["parts_reused"], 0);
  EXPECT_EQ(set["items_computed"], 2);
  FeatureStore store(root / "work/features/train_soundscapes.h5");
  EXPECT_EQ(store.nMels(), 64);
  EXPECT_EQ(store.attributes().at("n_mels"), "64");
  EXPECT_EQ(store.attributes().at("clip_analysis"), "false");  // soundscapes: fixed windows, no crop
  EXPECT_EQ(store.items()[0].id, "BC2026_Train_0001_S01_20250101_000000.ogg");
  EXPECT_EQ(store.items()[0].energyPeakFrame, -1);

  options.clipAnalysis = stages::ClipAnalysis::On;
  stages::runFeatures(options, world());
  set = report(root / "work")["sets"]["train_soundscapes"];
  EXPECT_EQ(set["parts_reused"], 0);
  FeatureStore analysed(root / "work/features/train_soundscapes.h5");
  EXPECT_GE(analysed.items()[0].energyPeakFrame, 0);
  EXPECT_EQ(analysed.attributes().at("energy_hop"), "512");
}

TEST(Features, CsvGivesTheTrainItemsAndTheirOrder) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root, 0.3);
  fs::create_directories(root / "work/meta");
  std::ofstream(root / "work/meta/train_cleaned_stratified.csv")
      << "primary_label,filename,fold\n"
         "sp3,sp3/e.ogg,0\n"
         "sp1,sp1/a.ogg,1\n"
         "sp9,sp9/missing.ogg,2\n"
         "sp1,sp1/a.ogg,3\n";
  auto summary = stages::runFeatures(optionsFor(d.data, root / "work", "train_audio"), world());
  EXPECT_EQ(summary.failed, 2u);
  FeatureStore store(root / "work/features/train_audio.h5");
  ASSERT_EQ(store.items().size(), 2u);
  EXPECT_EQ(store.items()[0].id, "sp3/e.ogg");  // csv order, not path order
  EXPECT_EQ(store.items()[1].id, "sp1/a.ogg");
  ASSERT_EQ(store.failures().size(), 2u);
  EXPECT_EQ(store.failures()[0].source, "train_audio/sp9/missing.ogg");
  EXPECT_NE(store.failures()[1].reason.find("train_cleaned_stratified.csv:5: filename already listed at line 3"),
            std::string::npos)
      << store.failures()[1].reason;
}

TEST(Features, SetAllSkipsAbsentFoldersAndAnExplicitSetDoesNot) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root, 0.3);
  auto summary = stages::runFeatures(optionsFor(d.data, root / "work", "all"), world());
  ASSERT_EQ(summary.sets.size(), 2u);  // no test_soundscapes folder
  EXPECT_TRUE(fs::exists(root / "work/features/train_audio.h5"));
  EXPECT_TRUE(fs::exists(root / "work/features/train_soundscapes.h5"));
  auto r = report(root / "work");
  EXPECT_EQ(r["sets"].size(), 2u);
  EXPECT_THROW(stages::runFeatures(optionsFor(d.data, root / "work", "test_soundscapes"), world()), InputError);
  EXPECT_THROW(stages::runFeatures(optionsFor(d.data, root / "work", "nope"), world()), UsageError);
}

TEST(Features, DecodeOnlyWritesNothing) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root, 0.3);
  auto options = optionsFor(d.data, root / "work", "train_soundscapes");
  options.decodeOnly = true;
  auto summary = stages::runFeatures(options, world());
  ASSERT_EQ(summary.sets.size(), 1u);
  EXPECT_EQ(summary.sets[0].itemsComputed, 2u);
  EXPECT_NEAR(summary.sets[0].audioSecondsComputed, 36.0, 0.01);
  EXPECT_FALSE(fs::exists(root / "work/features/train_soundscapes.h5"));
}

TEST(Features, ThreadsGiveTheSameStore) {
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root);
  auto one = optionsFor(d.data, root / "one", "train_audio");
  auto three = optionsFor(d.data, root / "three", "train_audio");
  three.threads = 3;
  EXPECT_EQ(stages::runFeatures(one, world()).failed, 3u);
  EXPECT_EQ(stages::runFeatures(three, world()).failed, 3u);
  chorus::testing::expectSameStores(FeatureStore(root / "one/features/train_audio.h5"),
                                    FeatureStore(root / "three/features/train_audio.h5"));
  auto every = optionsFor(d.data, root / "every", "train_audio");
  every.threads = 0;  // every core, as --threads 0 means in every subcommand
  EXPECT_EQ(stages::runFeatures(every, world()).failed, 3u);
  chorus::testing::expectSameStores(FeatureStore(root / "one/features/train_audio.h5"),
                                    FeatureStore(root / "every/features/train_audio.h5"));
  three.threads = -1;
  EXPECT_THROW(stages::runFeatures(three, world()), UsageError);
}

TEST(Features, APlanThatChangesPartsWithdrawsTheOldMasterFirst) {
  // A rerun that dies after rewriting a part but before publishing its master must not leave the
  // old master mapping its rows onto the new part: the master goes before any part is touched.
  const fs::path root = chorus::testing::scratchDir();
  auto d = chorus::testing::makeTinyDataset(root, 0.5);
  auto options = optionsFor(d.data, root / "work", "train_soundscapes");
  stages::runFeatures(options, world());
  const fs::path features = root / "work/features", master = features / "train_soundscapes.h5";
  auto plan = [&] {
    auto items = stages::features::listSetItems(d.data, root / "work", "train_soundscapes");
    auto probes = stages::features::probeItems(d.data, items, world());
    auto parts = stages::features::planParts(items, probes, stages::features::partSecondsFor(probes, 10), 256,
                                             stages::storeAttributes(options, "train_soundscapes"),
                                             features / "train_soundscapes.parts");
    stages::features::prepareResume(parts, features / "train_soundscapes.parts", master, false);
    return parts;
  };
  auto unchanged = plan();
  ASSERT_EQ(unchanged.size(), 2u);
  EXPECT_TRUE(unchanged[0].done && unchanged[1].done);
  EXPECT_TRUE(fs::exists(master));  // nothing will change: the store stays readable

  fs::resize_file(d.data / "train_soundscapes" / "BC2026_Train_0002_S02_20250101_000500.ogg", 10);
  auto changed = plan();
  EXPECT_TRUE(changed[0].done);
  EXPECT_FALSE(changed[1].done);
  EXPECT_FALSE(fs::exists(changed[1].path));
  EXPECT_FALSE(fs::exists(master));
}

TEST(Features, PartSizeShrinksForSmallSetsOnly) {
  using stages::features::Probe;
  auto set = [](size_t files, double seconds) { return std::vector<Probe>(files, Probe{seconds, 0, 32000}); };
  EXPECT_EQ(stages::features::partSecondsFor(set(20000, 35), 900), 900);  // train_audio-sized: as asked
  EXPECT_EQ(stages::features::partSecondsFor(set(600, 60), 900), 225);    // Kaggle's test: 161 parts
  EXPECT_EQ(stages::features::partSecondsFor(set(3, 10), 900), 225);      // never below 120 s
  EXPECT_EQ(stages::features::partSecondsFor(set(3, 10), 10), 10);       // an explicit small size stays
}
