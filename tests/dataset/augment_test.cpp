// Augmentations against numpy/torchaudio (tools/make_augment_fixture.py: the power-domain mix, roll,
// gain, masks), and on windows read from a real store the properties they must have: each changes
// what it should and nothing else, and anything added to the sound is added in linear power. The
// coloured noise's mel spectrum is compared with torchaudio's mel spectra of real f^-beta noise
// (tools/make_coloured_noise_fixture.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio/logmel.hpp"
#include "audio/mel_options.hpp"
#include "core/error.hpp"
#include "dataset/augment.hpp"
#include "dataset/normalisation.hpp"
#include "dataset_fixture.hpp"
#include "test_util.hpp"

using namespace chorus;
using namespace chorus::dataset;
namespace fs = std::filesystem;

namespace {

// dB -> linear power, to state the properties (SNR, power only adds); checked against numpy's total
// power of the fixture windows in TotalPowerAgreesWithNumpy.
double power(float db) { return std::pow(10.0, double(db) / 10.0); }
double totalPower(const Window& w) {
  double sum = 0;
  for (float v : w.db) sum += power(v);
  return sum;
}

const nlohmann::json& augmentFixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(chorus::testing::fixture("dataset/augment.json"));
    if (!in) throw std::runtime_error("missing fixture dataset/augment.json: run tools/make_augment_fixture.py");
    return nlohmann::json::parse(in);
  }();
  return j;
}

Window fixtureWindow(const nlohmann::json& db) {
  const auto& f = augmentFixture();
  return Window{f["mels"].get<int>(), f["frames"].get<int>(), db.get<std::vector<float>>()};
}

void expectCellsNear(const Window& ours, const nlohmann::json& reference, double tolerance, const std::string& what) {
  const std::vector<float> ref = reference.get<std::vector<float>>();
  ASSERT_EQ(ours.db.size(), ref.size()) << what;
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(ours.db[i], ref[i], tolerance) << what << ", cell " << i;
}

struct Windows {
  std::unique_ptr<store::FeatureStore> store;
  Window a, b;
};

Windows twoWindows() {
  const fs::path dir = chorus::testing::scratchDir();
  Windows w;
  w.store = std::make_unique<store::FeatureStore>(
      chorus::testing::writeStore(dir / "s.h5", {{"x", 400, -1, -1, 0, {}, 200}, {"y", 400}}));
  w.a = readWindow(*w.store, 0, 40, kWindowFrames);
  w.b = readWindow(*w.store, 1, 10, kWindowFrames);
  return w;
}

AugmentOptions only(Probability AugmentOptions::*which, double p = 1.0) {
  AugmentOptions o = AugmentOptions::none();
  (o.*which).on = true;
  (o.*which).p = p;
  return o;
}

}  // namespace

TEST(Mix, WindowWithItselfAtZeroDbRaisesEveryCellByTenLog2) {
  Windows w = twoWindows();
  Window mixed = w.a;
  mixAtSnr(mixed, w.a, 0);
  for (size_t i = 0; i < mixed.db.size(); ++i) ASSERT_NEAR(mixed.db[i] - w.a.db[i], 10 * std::log10(2.0), 1e-4) << i;
}

TEST(Mix, AddsPowerNotDecibelsLikeNumpyAndTorchaudio) {
  const auto& f = augmentFixture();
  const Window a = fixtureWindow(f["a"]), b = fixtureWindow(f["b"]);
  for (const auto& c : f["mix"]) {
    Window mixed = a;
    mixAtSnr(mixed, b, c["snr_db"].get<double>());
    expectCellsNear(mixed, c["db"], 1e-4, "mix at " + c["snr_db"].dump() + " dB");
  }
}

TEST(Mix, TotalPowerAgreesWithNumpy) {
  const auto& f = augmentFixture();
  EXPECT_NEAR(totalPower(fixtureWindow(f["a"])) / f["power_a"].get<double>(), 1.0, 1e-6);
  EXPECT_NEAR(totalPower(fixtureWindow(f["b"])) / f["power_b"].get<double>(), 1.0, 1e-6);
}

TEST(Mix, AddedPowerIsTheAskedSnrBelowOnAStoreWindow) {
  Windows w = twoWindows();
  for (double snr : {-5.0, 0.0, 3.0, 17.5, 30.0}) {
    Window mixed = w.a;
    mixAtSnr(mixed, w.b, snr);
    const double pa = totalPower(w.a);
    EXPECT_NEAR(10 * std::log10(pa / (totalPower(mixed) - pa)), snr, 1e-3);
    for (size_t i = 0; i < mixed.db.size(); i += 97) ASSERT_GE(mixed.db[i], w.a.db[i]);  // power only adds
  }
}

TEST(Augment, RollGainAndMasksMatchNumpy) {
  const auto& f = augmentFixture();
  const Window a = fixtureWindow(f["a"]);
  for (const auto& c : f["roll"]) {
    Window r = a;
    rollTime(r, c["shift"].get<int>());
    expectCellsNear(r, c["db"], 0, "roll " + c["shift"].dump());
  }
  Window g = a;
  addGain(g, 6);
  expectCellsNear(g, f["gain_6"], 1e-5, "gain 6 dB");
  Window m = a;
  maskMels(m, f["mask_mels"]["first"], f["mask_mels"]["count"], f["mask_mels"]["value"]);
  expectCellsNear(m, f["mask_mels"]["db"], 0, "mel mask");
  Window t = a;
  maskFrames(t, f["mask_frames"]["first"], f["mask_frames"]["count"], f["mask_frames"]["value"]);
  expectCellsNear(t, f["mask_frames"]["db"], 0, "frame mask");
}

TEST(Augment, RollThroughAugmentKeepsEachRowsCells) {
  Windows w = twoWindows();
  // Some shift in [0, frames), the same multiset of cells per row.
  Window a = w.a;
  augment(a, only(&AugmentOptions::roll), {}, 1, 0, 0);
  std::vector<float> before(w.a.db.begin(), w.a.db.begin() + w.a.frames), after(a.db.begin(), a.db.begin() + a.frames);
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(before, after);
}

TEST(Augment, GainAddsTheSameDecibelsEverywhereWithinTheRange) {
  Windows w = twoWindows();
  int applied = 0;
  for (uint64_t slot = 0; slot < 200; ++slot) {
    Window g = w.a;
    augment(g, only(&AugmentOptions::gain), {}, 3, 1, slot);
    const float d = g.db[0] - w.a.db[0];
    for (size_t i = 0; i < g.db.size(); i += 101) ASSERT_NEAR(g.db[i] - w.a.db[i], d, 1e-4);
    EXPECT_LE(std::fabs(d), 12.0f + 1e-4f);
    applied += d != 0;
  }
  EXPECT_EQ(applied, 200);
}

TEST(Augment, GainChangesTheNormalisedModelInput) {
  Windows w = twoWindows();
  const Normalisation n;  // fixed constants, not per window
  Window g = w.a;
  addGain(g, 6);
  std::vector<float> x(w.a.db), y(g.db);
  n.apply(x.data(), x.size());
  n.apply(y.data(), y.size());
  for (size_t i = 0; i < x.size(); i += 37) ASSERT_NEAR(y[i] - x[i], 6.0 / n.stdDb, 1e-5);
}

TEST(Augment, MasksCoverTheirRangesAndNothingElse) {
  Windows w = twoWindows();
  const float value = -40;
  int widest = 0;
  for (uint64_t slot = 0; slot < 300; ++slot) {
    AugmentContext c;
    c.maskValueDb = value;
    Window f = w.a;
    augment(f, only(&AugmentOptions::freqMask), c, 9, 0, slot);
    std::vector<int> masked;
    for (int m = 0; m < f.mels; ++m) {
      bool all = true, same = true;
      for (int t = 0; t < f.frames; ++t) {
        all &= f.at(m, t) == value;
        same &= f.at(m, t) == w.a.at(m, t);
      }
      ASSERT_TRUE(all || same) << "row " << m << " partly changed";
      if (all) masked.push_back(m);
    }
    ASSERT_FALSE(masked.empty());
    ASSERT_EQ(masked.back() - masked.front() + 1, int(masked.size())) << "one contiguous band";
    ASSERT_LE(masked.size(), 24u);
    widest = std::max(widest, int(masked.size()));

    Window t = w.a;
    augment(t, only(&AugmentOptions::timeMask), c, 9, 0, slot);
    std::vector<int> frames;
    for (int f2 = 0; f2 < t.frames; ++f2) {
      bool all = true, same = true;
      for (int m = 0; m < t.mels; ++m) {
        all &= t.at(m, f2) == value;
        same &= t.at(m, f2) == w.a.at(m, f2);
      }
      ASSERT_TRUE(all || same) << "frame " << f2 << " partly changed";
      if (all) frames.push_back(f2);
    }
    ASSERT_FALSE(frames.empty());
    ASSERT_EQ(frames.back() - frames.front() + 1, int(frames.size()));
    ASSERT_LE(frames.size(), 40u);
  }
  EXPECT_EQ(widest, 24);  // the full width is reached
}

TEST(Augment, ProbabilityIsHonouredAndZeroOrOffChangesNothing) {
  Windows w = twoWindows();
  int changed = 0;
  for (uint64_t slot = 0; slot < 2000; ++slot) {
    Window g = w.a;
    augment(g, only(&AugmentOptions::gain, 0.3), {}, 5, 0, slot);
    changed += g.db != w.a.db;
  }
  EXPECT_NEAR(changed / 2000.0, 0.3, 0.04);
  AugmentOptions zero;  // all on, every p = 0
  for (Probability* p : {&zero.roll, &zero.colouredNoise, &zero.background, &zero.gain, &zero.freqMask, &zero.timeMask})
    p->p = 0;
  Window z = w.a;
  augment(z, zero, {}, 5, 0, 1);
  EXPECT_EQ(z.db, w.a.db);
  Window off = w.a;
  augment(off, AugmentOptions::none(), {}, 5, 0, 1);
  EXPECT_EQ(off.db, w.a.db);
}

TEST(Augment, SwitchingOneOffLeavesTheOthersDrawsAlone) {
  Windows w = twoWindows();
  AugmentOptions rollGain = AugmentOptions::none();
  rollGain.roll = {true, 1};
  rollGain.gain = {true, 1};
  AugmentOptions withMask = rollGain;
  withMask.freqMask = {true, 1};
  AugmentContext c;
  c.maskValueDb = 1000;  // a value no cell has, to find the mask
  for (uint64_t slot = 0; slot < 20; ++slot) {
    Window a = w.a, b = w.a;
    augment(a, rollGain, c, 11, 2, slot);
    augment(b, withMask, c, 11, 2, slot);
    size_t masked = 0;
    for (size_t i = 0; i < a.db.size(); ++i) {
      if (b.db[i] == 1000) ++masked;
      else ASSERT_EQ(a.db[i], b.db[i]);
    }
    EXPECT_GT(masked, 0u);
  }
}

TEST(ColouredNoise, MelSpectrumMatchesTorchaudioOnRealNoise) {
  std::ifstream in(chorus::testing::fixture("dataset/coloured_noise.json"));
  ASSERT_TRUE(in) << "missing fixture: run tools/make_coloured_noise_fixture.py";
  const auto fixture = nlohmann::json::parse(in);
  const auto filterbank = audio::melFilterbank(audio::MelOptions{});
  for (const auto& spectrum : fixture["spectra"]) {
    const double beta = spectrum["beta"];
    std::vector<double> mean(128, 0.0);
    const int windows = 32;
    for (int k = 0; k < windows; ++k) {
      ExampleRng rng(1, 0, uint64_t(k), Stream::ColouredNoise);
      const Window n = colouredNoise(filterbank, 128, kWindowFrames, beta, 32000, rng);
      for (int m = 0; m < 128; ++m)
        for (int t = 0; t < n.frames; ++t) mean[size_t(m)] += power(n.at(m, t));
    }
    const double top = *std::max_element(mean.begin(), mean.end());
    double worst = 0;
    for (int m = 0; m < 128; ++m) {
      const double ours = 10 * std::log10(mean[size_t(m)] / top), theirs = spectrum["relative_db"][size_t(m)];
      worst = std::max(worst, std::fabs(ours - theirs));
    }
    EXPECT_LT(worst, 0.5) << "beta " << beta << ": worst mel bin differs by " << worst << " dB";
    std::cout << "coloured noise beta " << beta << ": worst mel-bin difference from torchaudio " << worst << " dB\n";
  }
}

TEST(ColouredNoise, AugmentAddsItWithinTheSnrRange) {
  Windows w = twoWindows();
  const auto filterbank = audio::melFilterbank(audio::MelOptions{});
  AugmentContext c;
  c.filterbank = &filterbank;
  for (uint64_t slot = 0; slot < 30; ++slot) {
    Window n = w.a;
    augment(n, only(&AugmentOptions::colouredNoise), c, 4, 0, slot);
    const double pa = totalPower(w.a), snr = 10 * std::log10(pa / (totalPower(n) - pa));
    EXPECT_GE(snr, 3 - 1e-3);
    EXPECT_LE(snr, 30 + 1e-3);
    for (size_t i = 0; i < n.db.size(); i += 53) ASSERT_GE(n.db[i], w.a.db[i] - 1e-4);  // power only adds
  }
}

TEST(Normalisation, TravelsExactlyThroughItsDescription) {
  Normalisation n;
  n.meanDb = -37.123456789012345;
  n.stdDb = 19.5;
  const Normalisation back = Normalisation::fromDescription(n.describe());
  EXPECT_EQ(back.meanDb, n.meanDb);
  EXPECT_EQ(back.stdDb, n.stdDb);
  EXPECT_FLOAT_EQ(n.apply(-37.123456789012345f + 19.5f), 1.0f);
  EXPECT_THROW(Normalisation::fromDescription({{"norm_mean_db", "x"}, {"norm_std_db", "1"}}), InputError);
  EXPECT_THROW(Normalisation::fromDescription({{"norm_mean_db", "0"}}), InputError);
}

TEST(AugmentOptions, ValidateNamesTheBadValue) {
  AugmentOptions o;
  EXPECT_NO_THROW(o.validate());
  o.gain.p = 1.5;
  EXPECT_THROW(o.validate(), UsageError);
  o = AugmentOptions{};
  o.noiseSnrMin = 40;
  EXPECT_THROW(o.validate(), UsageError);
}
