// MelOptions: the key/values that travel into stores and checkpoints, validation, command-line flags.
#include "audio/mel_options.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "core/error.hpp"

namespace chorus::audio {
namespace {

TEST(MelOptions, DescriptionRoundTripsExactly) {
  MelOptions o = MelOptions::librosaDefaults();
  o.fMin = 0.1f;  // not exact in decimal: %.9g must still round-trip it
  o.topDb = 80;
  const auto kv = o.describe();
  EXPECT_EQ(kv.at("mel_scale"), "slaney");
  EXPECT_EQ(kv.at("pad"), "zero");
  EXPECT_EQ(kv.at("window"), "hann_periodic");
  const MelOptions back = MelOptions::fromDescription(kv);
  EXPECT_EQ(back, o);
  EXPECT_EQ(back.fMin, 0.1f);
  EXPECT_NE(back, MelOptions{});
}

TEST(MelOptions, DefaultsDescribeTheDesignMdSetting) {
  const auto kv = MelOptions{}.describe();
  const std::map<std::string, std::string> expected{
      {"sample_rate", "32000"}, {"n_fft", "2048"},    {"hop", "512"},        {"n_mels", "128"},
      {"f_min", "20"},          {"f_max", "16000"},   {"mel_scale", "htk"},  {"mel_norm", "none"},
      {"center", "true"},       {"pad", "reflect"},   {"power", "2"},        {"amin", "1.00000001e-10"},
      {"top_db", "0"},          {"window", "hann_periodic"}};
  EXPECT_EQ(kv, expected);
}

TEST(MelOptions, BadDescriptionsAreInputErrors) {
  auto kv = MelOptions{}.describe();
  kv["mel_scale"] = "bark";
  EXPECT_THROW(MelOptions::fromDescription(kv), InputError);
  kv = MelOptions{}.describe();
  kv["n_fft"] = "2048.5";
  EXPECT_THROW(MelOptions::fromDescription(kv), InputError);
  kv = MelOptions{}.describe();
  kv.erase("hop");
  EXPECT_THROW(MelOptions::fromDescription(kv), InputError);
  kv = MelOptions{}.describe();
  kv["colour"] = "blue";
  EXPECT_THROW(MelOptions::fromDescription(kv), InputError);
}

TEST(MelOptions, ValidateRejectsInconsistentValues) {
  EXPECT_NO_THROW(MelOptions{}.validate());
  MelOptions o;
  o.fMax = 20000;  // above Nyquist at 32 kHz
  EXPECT_THROW(o.validate(), UsageError);
  o = MelOptions{};
  o.fMin = 16000;
  EXPECT_THROW(o.validate(), UsageError);
  o = MelOptions{};
  o.hop = 0;
  EXPECT_THROW(o.validate(), UsageError);
}

TEST(MelOptions, CommandLineFlagsSetTheFields) {
  CLI::App app;
  MelOptions o;
  o.addTo(app);
  app.parse("--n-mels 64 --hop 320 --mel-scale Slaney --mel-norm slaney --pad zero --no-center --top-db 80", false);
  EXPECT_EQ(o.nMels, 64);
  EXPECT_EQ(o.hop, 320);
  EXPECT_EQ(o.scale, MelScale::Slaney);
  EXPECT_EQ(o.norm, MelNorm::Slaney);
  EXPECT_EQ(o.pad, PadMode::Zero);
  EXPECT_FALSE(o.center);
  EXPECT_EQ(o.topDb, 80.0f);
  EXPECT_THROW(app.parse("--mel-scale bark", false), CLI::ValidationError);
}

}  // namespace
}  // namespace chorus::audio
