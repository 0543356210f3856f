// chorus synth on a tiny dataset (6 species, 24 clips, 3 + 3 soundscapes, 3 broken files), made once
// for the suite: the Kaggle layout, every table read back with meta::CsvTable, every file decoded with
// libsndfile, labels recomputed from the side file's placed calls by the documented rule and checked
// against both the tables and the audio's band energy, determinism, reruns, the CLI and its config.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <regex>
#include <set>
#include <sstream>

#include "audio/decode.hpp"
#include "audio/stft.hpp"
#include "audio/vad.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "meta/csv.hpp"
#include "run_util.hpp"
#include "stages/synth.hpp"
#include "stages/synth/preset.hpp"
#include "stages/synth/species.hpp"
#include "test_util.hpp"

namespace chorus::stages {
namespace {

using meta::CsvTable;
using nlohmann::json;

SynthOptions tinyOptions(const fs::path& root, uint32_t seed) {
  SynthOptions o;
  o.out = root / "data";
  o.solution = root / "hidden" / "solution.csv";
  o.seed = seed;
  o.species = 6;
  o.trainClips = 24;
  o.trainSoundscapes = 3;
  o.testSoundscapes = 3;
  o.corrupt = 3;
  return o;
}

struct Sound {
  int rate = 0, channels = 0;
  long frames = 0;
  std::vector<float> mono;  // channel 0
};

// libsndfile itself, not our decoder: throws when the file does not open or reads short.
Sound decode(const fs::path& file) {
  SF_INFO info{};
  SNDFILE* sf = sf_open(file.c_str(), SFM_READ, &info);
  if (!sf) throw std::runtime_error(file.string() + ": " + sf_strerror(nullptr));
  std::vector<float> all(static_cast<size_t>(info.frames) * info.channels);
  sf_count_t got = sf_readf_float(sf, all.data(), info.frames);
  sf_close(sf);
  if (got != info.frames) throw std::runtime_error(file.string() + ": read " + std::to_string(got) + " frames");
  Sound s{info.samplerate, info.channels, static_cast<long>(info.frames), {}};
  for (long i = 0; i < s.frames; ++i) s.mono.push_back(all[static_cast<size_t>(i) * info.channels]);
  return s;
}

// Every file under `root`, by relative path, with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = readTextFile(e.path());
  return files;
}

// The labelling rule, written out again from its documentation (soundscapes.hpp): a call counts in a
// 5 s window when it overlaps it by 0.3 s, or by half its own length if that is less.
std::vector<std::set<std::string>> expectedWindows(const json& calls) {
  std::vector<std::set<std::string>> windows(12);
  for (int w = 0; w < 12; ++w)
    for (const auto& c : calls) {
      double start = c["start"], end = c["end"];
      double overlap = std::min(end, 5.0 * w + 5) - std::max(start, 5.0 * w);
      if (overlap > 0 && overlap >= std::min(0.3, 0.5 * (end - start))) windows[w].insert(c["label"].get<std::string>());
    }
  return windows;
}

std::string hms(int s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::vector<std::string> splitLabels(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ';');) out.push_back(item);
  return out;
}

// ctest runs every test in its own process: the dataset is made once per build of this binary
// (the folder name carries the binary's timestamp) in a temporary folder renamed into place, so
// parallel processes never see half of it, and later processes reuse it.
class SynthTiny : public ::testing::Test {
 protected:
  static fs::path root() {
    static const fs::path dir = [] {
      auto stamp = static_cast<uint64_t>(fs::last_write_time(fs::read_symlink("/proc/self/exe")).time_since_epoch().count());
      return fs::temp_directory_path() / "chorus-tests" / ("SynthTiny-" + std::to_string(stamp));
    }();
    return dir;
  }
  static void SetUpTestSuite() {
    if (!fs::exists(root())) {
      fs::create_directories(root().parent_path());
      for (const auto& e : fs::directory_iterator(root().parent_path())) {  // earlier builds' datasets
        std::string name = e.path().filename().string();
        if (name.rfind("SynthTiny-", 0) == 0 && name.rfind(root().filename().string(), 0) != 0) fs::remove_all(e.path());
      }
      fs::path temp = root().string() + ".tmp." + std::to_string(::getpid());
      SynthSummary s = runSynth(tinyOptions(temp, 7));
      json summary = {{"species", s.species}, {"clips", s.trainClips}, {"corrupt", s.corrupt}, {"seconds", s.audioSeconds}};
      std::ofstream(temp / "summary.json") << summary.dump();
      std::error_code ec;
      fs::rename(temp, root(), ec);  // another process may have won the race: its copy is as good
      if (ec) fs::remove_all(temp);
    }
    summary_ = json::parse(readTextFile(root() / "summary.json"));
    truth_ = json::parse(readTextFile(synthTruthPath(tinyOptions(root(), 7).solution)));
  }
  static fs::path data() { return root() / "data"; }
  static inline json summary_, truth_;
};

TEST_F(SynthTiny, WritesTheKaggleLayoutWithTheSolutionOutsideIt) {
  for (const char* name : {"taxonomy.csv", "train.csv", "train_soundscapes_labels.csv", "sample_submission.csv"})
    EXPECT_TRUE(fs::is_regular_file(data() / name)) << name;
  for (const char* name : {"train_audio", "train_soundscapes", "test_soundscapes"}) EXPECT_TRUE(fs::is_directory(data() / name));
  EXPECT_TRUE(fs::is_regular_file(root() / "hidden" / "solution.csv"));
  EXPECT_TRUE(fs::is_regular_file(root() / "hidden" / "solution_synth_truth.json"));
  for (const auto& e : fs::recursive_directory_iterator(data())) {
    EXPECT_EQ(e.path().filename().string().find("solution"), std::string::npos) << e.path();
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path();
  }
  EXPECT_EQ(summary_["species"], 6);
  EXPECT_EQ(summary_["clips"], 24);
  EXPECT_EQ(summary_["corrupt"], 3);
  EXPECT_GT(summary_["seconds"].get<double>(), 6 * 60) << "3 + 3 soundscapes and 24 clips of 2 s or more";
  EXPECT_THROW(runSynth([] { auto o = tinyOptions(root() / "x", 1); o.solution = o.out / "s.csv"; return o; }()), UsageError);
}

TEST_F(SynthTiny, TaxonomyHasTheCompetitionsLabelStylesAndClasses) {
  auto taxonomy = CsvTable::read(data() / "taxonomy.csv");
  EXPECT_EQ(taxonomy.header(), (std::vector<std::string>{"primary_label", "inat_taxon_id", "scientific_name", "common_name", "class_name"}));
  ASSERT_EQ(taxonomy.size(), 6u);
  std::regex ebird("[a-z]{3,6}[0-9]+"), inat("[0-9]+"), sonotype("47158son[0-9]+");
  std::set<std::string> styles, classes;
  std::vector<std::string> labels;
  for (size_t r = 0; r < taxonomy.size(); ++r) {
    std::string label = taxonomy.at(r, "primary_label");
    labels.push_back(label);
    styles.insert(std::regex_match(label, sonotype) ? "sonotype" : std::regex_match(label, inat) ? "inat" : std::regex_match(label, ebird) ? "ebird" : "bad:" + label);
    classes.insert(taxonomy.at(r, "class_name"));
    if (!std::regex_match(label, ebird)) {
      EXPECT_EQ(label.substr(0, taxonomy.at(r, "inat_taxon_id").size()), taxonomy.at(r, "inat_taxon_id"));
    }
  }
  EXPECT_EQ(styles, (std::set<std::string>{"ebird", "inat", "sonotype"}));
  EXPECT_EQ(classes, (std::set<std::string>{"Aves", "Amphibia", "Insecta", "Mammalia"}));
  EXPECT_TRUE(std::is_sorted(labels.begin(), labels.end()));
  EXPECT_EQ(std::set<std::string>(labels.begin(), labels.end()).size(), labels.size());
}

TEST_F(SynthTiny, TrainTableNamesEveryClipWithQuotedUnicodeFieldsAndListLiterals) {
  auto train = CsvTable::read(data() / "train.csv");
  EXPECT_EQ(train.header(), (std::vector<std::string>{"primary_label", "secondary_labels", "type", "filename", "collection", "rating", "url", "latitude", "longitude", "scientific_name", "common_name", "author", "license"}));
  ASSERT_EQ(train.size(), 24u + 3u);
  auto taxonomy = CsvTable::read(data() / "taxonomy.csv");
  std::set<std::string> labels;
  for (size_t r = 0; r < taxonomy.size(); ++r) labels.insert(taxonomy.at(r, "primary_label"));
  std::regex list(R"(\[('[^']*'(, '[^']*')*)?\])"), quoted("'([^']*)'"), file(R"(([^/]+)/(XC|iNat|CSA)[0-9]+\.ogg)");
  std::map<std::string, int> perSpecies;
  bool comma = false, unicode = false, secondary = false;
  for (size_t r = 0; r < train.size(); ++r) {
    std::string primary = train.at(r, "primary_label"), name = train.at(r, "filename");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(name, m, file)) << name;
    EXPECT_EQ(m[1].str(), primary);
    EXPECT_TRUE(labels.count(primary)) << primary;
    std::string list2 = train.at(r, "secondary_labels");
    ASSERT_TRUE(std::regex_match(list2, list)) << list2;
    for (std::sregex_iterator it(list2.begin(), list2.end(), quoted), end; it != end; ++it) {
      EXPECT_TRUE(labels.count((*it)[1].str())) << list2;
      EXPECT_NE((*it)[1].str(), primary);
      secondary = true;
    }
    EXPECT_TRUE(fs::exists(data() / "train_audio" / name)) << name;
    ++perSpecies[primary];
    for (const auto& f : train.rows()[r].fields) {
      comma = comma || f.find(',') != std::string::npos;
      unicode = unicode || std::any_of(f.begin(), f.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    }
  }
  EXPECT_TRUE(comma && unicode && secondary) << "the table must exercise quoting, UTF-8 and secondary labels";
  EXPECT_EQ(perSpecies.size(), 6u) << "every species has a clip";
  auto [least, most] = std::minmax_element(perSpecies.begin(), perSpecies.end(), [](auto& a, auto& b) { return a.second < b.second; });
  EXPECT_LE(least->second, 3) << "the long tail: some species have three clips or fewer";
  EXPECT_GE(most->second, 3 * least->second);
}

TEST_F(SynthTiny, TrainClipsDecodeAtTheirStatedRateChannelsAndLength) {
  std::set<int> rates, channels;
  for (const auto& c : truth_["train_clips"]) {
    Sound s = decode(data() / "train_audio" / c["filename"].get<std::string>());
    EXPECT_EQ(s.rate, c["sample_rate"].get<int>());
    EXPECT_EQ(s.channels, c["channels"].get<int>());
    EXPECT_EQ(s.frames, std::lround(c["seconds"].get<double>() * s.rate)) << c["filename"];
    EXPECT_GE(c["seconds"].get<double>(), 2.0);
    EXPECT_LE(c["seconds"].get<double>(), 60.0);
    float peak = 0;
    for (float v : s.mono) peak = std::max(peak, std::fabs(v));
    EXPECT_GT(peak, 0.1f) << c["filename"] << " is (nearly) silent";
    rates.insert(s.rate), channels.insert(s.channels);
  }
  EXPECT_EQ(rates, (std::set<int>{32000, 44100, 48000}));
  EXPECT_EQ(channels, (std::set<int>{1, 2}));
  ASSERT_FALSE(truth_["voice_segments"].empty());
  for (const auto& v : truth_["voice_segments"]) {
    double seconds = v["end"].get<double>() - v["start"].get<double>();
    EXPECT_GE(seconds, 1.0);
    EXPECT_LE(seconds, 3.0);
  }
}

TEST_F(SynthTiny, TheAudioLayersVoiceDetectorFindsTheRecordedVoiceSegments) {
  // The side file says which clips start with speech and for how long; the VAD (audio/vad.hpp),
  // written independently, must agree, and must find no speech in the other clips.
  std::map<std::string, double> voiceEnd;
  for (const auto& v : truth_["voice_segments"]) voiceEnd[v["filename"]] = v["end"];
  ASSERT_FALSE(voiceEnd.empty());
  for (const auto& c : truth_["train_clips"]) {
    std::string name = c["filename"];
    auto clip = audio::loadAudio(data() / "train_audio" / name, 32000);
    auto lead = audio::findLeadingSegments(clip.samples.data(), clip.samples.size(), clip.sampleRate);
    bool voice = std::any_of(lead.begin(), lead.end(), [](const auto& s) { return s.kind == audio::LeadKind::Voice; });
    if (!voiceEnd.count(name)) {
      EXPECT_FALSE(voice) << name << " has no voice segment";
      continue;
    }
    EXPECT_TRUE(voice) << name;
    EXPECT_NEAR(audio::leadingEnd(lead), voiceEnd[name], 0.3) << name;
  }
}

TEST_F(SynthTiny, SoundscapesAreSixtySecondsOf32kHzMono) {
  for (const char* set : {"train_soundscapes", "test_soundscapes"}) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(data() / set)) {
      Sound s = decode(e.path());
      EXPECT_EQ(s.rate, 32000) << e.path();
      EXPECT_EQ(s.channels, 1);
      EXPECT_EQ(s.frames, 60 * 32000);
      EXPECT_TRUE(std::regex_match(e.path().filename().string(), std::regex("BC2026_(Train|Test)_[0-9]{4}_S[0-9]{2}_2025[0-9]{4}_[0-9]{6}\\.ogg")));
      ++n;
    }
    EXPECT_EQ(n, 3) << set;
  }
}

TEST_F(SynthTiny, SubmissionAndSolutionHaveTheTestWindowsAndTaxonomyColumns) {
  auto sample = CsvTable::read(data() / "sample_submission.csv");
  auto solution = CsvTable::read(root() / "hidden" / "solution.csv");
  auto taxonomy = CsvTable::read(data() / "taxonomy.csv");
  std::vector<std::string> header = {"row_id"};
  for (size_t r = 0; r < taxonomy.size(); ++r) header.push_back(taxonomy.at(r, "primary_label"));
  EXPECT_EQ(sample.header(), header);
  EXPECT_EQ(solution.header(), header);
  std::vector<std::string> expected;
  for (const auto& e : fs::directory_iterator(data() / "test_soundscapes"))
    for (int end = 5; end <= 60; end += 5) expected.push_back(e.path().stem().string() + "_" + std::to_string(end));
  std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
    auto cut = [](const std::string& s) { auto p = s.rfind('_'); return std::pair{s.substr(0, p), std::stoi(s.substr(p + 1))}; };
    return cut(a) < cut(b);
  });
  ASSERT_EQ(sample.size(), expected.size());
  ASSERT_EQ(solution.size(), expected.size());
  for (size_t r = 0; r < expected.size(); ++r) {
    EXPECT_EQ(sample.rows()[r].fields[0], expected[r]);
    EXPECT_EQ(solution.rows()[r].fields[0], expected[r]);
    for (size_t k = 1; k < header.size(); ++k) {
      EXPECT_EQ(std::stod(sample.rows()[r].fields[k]), 1.0 / 6);
      EXPECT_TRUE(solution.rows()[r].fields[k] == "0" || solution.rows()[r].fields[k] == "1");
    }
  }
}

TEST_F(SynthTiny, WindowLabelsFollowThePlacedCalls) {
  auto labels = CsvTable::read(data() / "train_soundscapes_labels.csv");
  EXPECT_EQ(labels.header(), (std::vector<std::string>{"filename", "start", "end", "primary_label"}));
  std::set<std::vector<std::string>> rows;
  std::map<std::string, std::set<std::string>> train;  // "<file> <start>" -> labels
  for (const auto& row : labels.rows()) {
    EXPECT_TRUE(fs::exists(data() / "train_soundscapes" / row.fields[0])) << row.fields[0];
    EXPECT_TRUE(train.emplace(row.fields[0] + " " + row.fields[1], std::set<std::string>()).second || rows.count(row.fields))
        << "a repeated window must repeat its row exactly";
    for (const auto& l : splitLabels(row.fields[3])) train[row.fields[0] + " " + row.fields[1]].insert(l);
    rows.insert(row.fields);
  }
  EXPECT_LT(rows.size(), labels.size()) << "like the real file, some rows appear twice";
  auto solution = CsvTable::read(root() / "hidden" / "solution.csv");
  size_t positives = 0, emptyWindows = 0;
  for (const auto& s : truth_["soundscapes"]) {
    auto windows = expectedWindows(s["calls"]);
    std::string file = s["filename"], stem = file.substr(0, file.size() - 4);
    for (int w = 0; w < 12; ++w) {
      emptyWindows += windows[w].empty();
      if (s["set"] == "train_soundscapes") {
        auto it = train.find(file + " " + hms(5 * w));
        EXPECT_EQ(it == train.end() ? std::set<std::string>() : it->second, windows[w]) << file << " window " << w;
        continue;
      }
      auto row = std::find_if(solution.rows().begin(), solution.rows().end(),
                              [&](const meta::CsvRow& r) { return r.fields[0] == stem + "_" + std::to_string(5 * w + 5); });
      ASSERT_NE(row, solution.rows().end());
      for (size_t k = 1; k < solution.header().size(); ++k) {
        positives += row->fields[k] == "1";
        EXPECT_EQ(row->fields[k] == "1", windows[w].count(solution.header()[k]) == 1) << stem << " " << w << " " << solution.header()[k];
      }
    }
  }
  EXPECT_GT(positives, 0u);
  EXPECT_GT(emptyWindows, 0u) << "some windows hold no species";
}

// Per soundscape and species: the energy in the species' band, frame by frame (1024-point power
// spectra, hop 512, no padding, so frame t covers samples [512 t, 512 t + 1024)).
struct BandEnergy {
  std::map<std::string, std::vector<double>> perFrame;
  static constexpr int kHop = 512;
  static double frameCentre(size_t t) { return (t * kHop + 512) / 32000.0; }
};

BandEnergy bandEnergy(const std::vector<float>& samples, const std::map<std::string, std::pair<double, double>>& bands) {
  static const audio::Stft stft(1024, BandEnergy::kHop, false, audio::PadMode::Zero);
  BandEnergy e;
  stft.forEachFrame(samples.data(), samples.size(), [&](int64_t, const float* power) {
    for (auto& [label, band] : bands) {
      double sum = 0;
      for (int k = static_cast<int>(std::ceil(band.first / 31.25)); k * 31.25 <= band.second; ++k) sum += power[k];
      e.perFrame[label].push_back(sum);
    }
  });
  return e;
}

double meanDb(const std::vector<double>& energies) {
  double sum = 0;
  for (double v : energies) sum += 10 * std::log10(v + 1e-20);
  return sum / energies.size();
}

// Over species with both kinds of sample: the mean of (labelled dB - unlabelled dB), and the share of
// species for which labelled is louder.
std::pair<double, double> contrast(const std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>& split) {
  double sum = 0, louder = 0;
  int n = 0;
  for (const auto& [label, v] : split) {
    if (v.first.empty() || v.second.empty()) continue;
    double diff = meanDb(v.first) - meanDb(v.second);
    sum += diff, louder += diff > 0, ++n;
  }
  return n >= 3 ? std::pair{sum / n, louder / n} : std::pair{0.0, 0.0};
}

TEST_F(SynthTiny, LabelsAndCallsSitWhereTheSpeciesBandIsLoud) {
  std::map<std::string, std::pair<double, double>> bands;
  for (const auto& s : truth_["species"]) bands[s["label"]] = {s["band_hz"][0], s["band_hz"][1]};
  // Windows: summed band energy of labelled vs unlabelled windows. Frames: band energy of frames
  // inside a placed call of the species vs frames at least 0.2 s from any of its calls.
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> windows, frames;
  for (const auto& s : truth_["soundscapes"]) {
    Sound sound = decode(data() / s["set"].get<std::string>() / s["filename"].get<std::string>());
    auto labels = expectedWindows(s["calls"]);
    BandEnergy e = bandEnergy(sound.mono, bands);
    for (auto& [label, perFrame] : e.perFrame) {
      std::vector<double> window(12, 0.0);
      for (size_t t = 0; t < perFrame.size(); ++t) {
        double c = BandEnergy::frameCentre(t), distance = 1e9;
        window[std::min(11, static_cast<int>(c / 5))] += perFrame[t];
        for (const auto& call : s["calls"]) {
          if (call["label"] != label) continue;
          double start = call["start"], end = call["end"];
          distance = std::min(distance, c < start ? start - c : c > end ? c - end : 0.0);
        }
        if (distance == 0) frames[label].first.push_back(perFrame[t]);
        else if (distance >= 0.2) frames[label].second.push_back(perFrame[t]);
      }
      for (int w = 0; w < 12; ++w) (labels[w].count(label) ? windows[label].first : windows[label].second).push_back(window[w]);
    }
  }
  auto [windowGain, windowShare] = contrast(windows);
  auto [frameGain, frameShare] = contrast(frames);
  EXPECT_GT(windowGain, 3.0) << "labelled windows should be louder in the species' band, on average";
  EXPECT_GE(windowShare, 0.75);
  EXPECT_GT(frameGain, 6.0) << "frames inside a placed call should be louder in its band than frames away from it";
  EXPECT_GE(frameShare, 0.75);
  std::cout << "band energy, labelled over unlabelled: windows " << windowGain << " dB (" << 100 * windowShare
            << "% of species louder), call frames " << frameGain << " dB (" << 100 * frameShare << "%)\n";
}

TEST_F(SynthTiny, CorruptFilesAreListedRecordedAndUndecodable) {
  auto train = CsvTable::read(data() / "train.csv");
  std::set<std::string> listed, kinds;
  for (size_t r = 0; r < train.size(); ++r) listed.insert(train.at(r, "filename"));
  ASSERT_EQ(truth_["corrupt_files"].size(), 3u);
  for (const auto& c : truth_["corrupt_files"]) {
    EXPECT_TRUE(listed.count(c["filename"])) << c["filename"];
    EXPECT_THROW(decode(data() / "train_audio" / c["filename"].get<std::string>()), std::runtime_error) << c["filename"];
    kinds.insert(c["kind"]);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"zero_bytes", "truncated_ogg", "not_audio"}));
}

TEST_F(SynthTiny, SameSeedSameBytesAndARerunLeavesNothingStale) {
  auto other = testing::scratchDir();
  runSynth(tinyOptions(other, 7));
  auto a = snapshot(root()), b = snapshot(other);
  a.erase("summary.json");  // the suite's own note, not synth output
  EXPECT_EQ(a.size(), b.size());
  for (const auto& [path, bytes] : a) EXPECT_TRUE(b.count(path) && b[path] == bytes) << path << " differs";
  // Another seed and a smaller dataset into the same folder: new content, and no file of the
  // first run that the new tables do not list.
  auto smaller = tinyOptions(other, 8);
  smaller.species = 4, smaller.trainClips = 8, smaller.trainSoundscapes = 1, smaller.testSoundscapes = 1, smaller.corrupt = 0;
  runSynth(smaller);
  EXPECT_NE(readTextFile(other / "data" / "taxonomy.csv"), a["data/taxonomy.csv"]);
  auto train = CsvTable::read(other / "data" / "train.csv");
  std::set<std::string> listed;
  for (size_t r = 0; r < train.size(); ++r) listed.insert("train_audio/" + train.at(r, "filename"));
  std::set<std::string> onDisk;
  for (const auto& [path, bytes] : snapshot(other / "data"))
    if (path.rfind("train_audio/", 0) == 0) onDisk.insert(path);
  EXPECT_EQ(onDisk, listed);
  EXPECT_EQ(std::distance(fs::directory_iterator(other / "data" / "test_soundscapes"), fs::directory_iterator()), 1);
}

TEST(Synth, PresetsAndImpossibleSizes) {
  SynthOptions o;
  auto demo = synth::resolvePreset(o);
  EXPECT_EQ(demo.species, 12);
  EXPECT_EQ(demo.trainSoundscapes, 8);
  EXPECT_EQ(demo.testSoundscapes, 6);
  o.preset = "full";
  EXPECT_EQ(synth::resolvePreset(o).species, 234);
  EXPECT_EQ(synth::resolvePreset(o).testSoundscapes, 600);
  o.preset = "huge";
  EXPECT_THROW(synth::resolvePreset(o), UsageError);
  o.preset = "demo", o.species = 235;
  EXPECT_THROW(synth::resolvePreset(o), UsageError);
  o.species = 10, o.trainClips = 9;
  EXPECT_THROW(synth::resolvePreset(o), UsageError);
}

TEST(Synth, RefusesAFolderItDidNotWrite) {
  auto dir = testing::scratchDir();
  auto options = tinyOptions(dir, 1);
  fs::create_directories(options.out / "train_audio" / "amakin1");
  std::ofstream(options.out / "train.csv") << "primary_label\n";
  std::ofstream(options.out / "train_audio" / "amakin1" / "XC1.ogg") << "real data";
  EXPECT_THROW(runSynth(options), UsageError);
  EXPECT_TRUE(fs::exists(options.out / "train_audio" / "amakin1" / "XC1.ogg"));
  EXPECT_EQ(readTextFile(options.out / "train.csv"), "primary_label\n");
}

TEST(Synth, AllSpeciesHaveDistinctLabelsAndConfusablePairsShareABand) {
  auto species = synth::makeSpecies(synth::kMaxSpecies, 2026);
  std::set<std::string> labels;
  int pairs = 0;
  for (const auto& s : species) {
    labels.insert(s.label);
    if (s.confusableWith < 0) continue;
    const auto& twin = species[s.confusableWith];
    EXPECT_EQ(twin.confusableWith, &s - species.data());
    EXPECT_EQ(s.call.kind, twin.call.kind);
    EXPECT_NEAR(std::log(s.call.fLow / twin.call.fLow), 0, std::log(1.07));
    double rhythm = s.call.elementRate / twin.call.elementRate;
    EXPECT_GT(std::max(rhythm, 1 / rhythm), 1.5) << s.label << " and " << twin.label << " must differ in rhythm";
    ++pairs;
  }
  EXPECT_EQ(labels.size(), species.size());
  EXPECT_GE(pairs / 2, 20);
}

TEST(Synth, CommandLineTakesAConfigSectionAndFlagsOverrideIt) {
  auto dir = testing::scratchDir();
  std::ofstream(dir / "c.toml") << "[synth]\npreset = \"demo\"\nseed = 5\nspecies = 3\ntrain-clips = 4\n"
                                   "train-soundscapes = 0\ntest-soundscapes = 1\n";
  auto r = testing::run(testing::chorusBinary() + " synth --config " + (dir / "c.toml").string() + " --out " +
                        (dir / "data").string() + " --solution " + (dir / "sol.csv").string() + " --seed 9");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("3 species, 4 train clips"), std::string::npos) << r.output;
  EXPECT_EQ(json::parse(readTextFile(dir / "sol_synth_truth.json"))["seed"], 9);
  EXPECT_EQ(CsvTable::read(dir / "sol.csv").size(), 12u);
  r = testing::run(testing::chorusBinary() + " synth --out " + (dir / "d2").string());
  EXPECT_EQ(r.code, 2) << "--solution is required: " << r.output;
}

}  // namespace
}  // namespace chorus::stages
