#include "audio/mel_options.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/error.hpp"
#include "core/parse_number.hpp"

namespace chorus::audio {
namespace {

const std::map<std::string, MelScale> kScales{{"htk", MelScale::Htk}, {"slaney", MelScale::Slaney}};
const std::map<std::string, MelNorm> kNorms{{"none", MelNorm::None}, {"slaney", MelNorm::Slaney}};
const std::map<std::string, PadMode> kPads{{"reflect", PadMode::Reflect}, {"zero", PadMode::Zero}};

template <class E>
const char* nameOf(const std::map<std::string, E>& names, E value) {
  for (const auto& [name, v] : names)
    if (v == value) return name.c_str();
  return "?";
}

// %.9g round-trips any float, so describe() -> fromDescription() is exact and equality is textual.
std::string floatText(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(v));
  return buf;
}

template <class E>
E parseEnum(const std::map<std::string, E>& names, const std::string& key, const std::string& text) {
  auto it = names.find(text);
  if (it == names.end()) throw InputError("feature parameter " + key + ": unknown value '" + text + "'");
  return it->second;
}

template <class T>
T parseNumber(const std::string& key, const std::string& text) {
  try {
    const auto parsed = toDouble(text);
    if (!parsed) throw std::invalid_argument(text);
    const double v = *parsed;
    if constexpr (std::is_integral_v<T>) {
      if (v != std::floor(v)) throw std::invalid_argument(text);
    }
    return static_cast<T>(v);
  } catch (const std::exception&) {
    throw InputError("feature parameter " + key + ": not a number: '" + text + "'");
  }
}

}  // namespace

const char* toString(MelScale scale) { return nameOf(kScales, scale); }
const char* toString(MelNorm norm) { return nameOf(kNorms, norm); }
const char* toString(PadMode pad) { return nameOf(kPads, pad); }

MelOptions MelOptions::librosaDefaults() {
  MelOptions o;
  o.scale = MelScale::Slaney;
  o.norm = MelNorm::Slaney;
  o.pad = PadMode::Zero;  // librosa >= 0.10: stft(pad_mode="constant")
  return o;
}

void MelOptions::validate() const {
  auto fail = [](const std::string& what) { throw UsageError("log-mel options: " + what); };
  if (sampleRate <= 0) fail("sample rate must be positive, got " + std::to_string(sampleRate));
  if (nFft < 2) fail("n_fft must be at least 2, got " + std::to_string(nFft));
  if (hop < 1) fail("hop must be at least 1, got " + std::to_string(hop));
  if (nMels < 1) fail("n_mels must be at least 1, got " + std::to_string(nMels));
  if (!(fMin >= 0) || !(fMax > fMin)) fail("need 0 <= f_min < f_max, got " + floatText(fMin) + ", " + floatText(fMax));
  if (fMax > sampleRate / 2.0f) fail("f_max " + floatText(fMax) + " is above Nyquist (" + std::to_string(sampleRate / 2) + ")");
  if (!(power > 0)) fail("power must be positive, got " + floatText(power));
  if (!(amin > 0)) fail("amin must be positive, got " + floatText(amin));
}

std::map<std::string, std::string> MelOptions::describe() const {
  return {{"sample_rate", std::to_string(sampleRate)}, {"n_fft", std::to_string(nFft)},
          {"hop", std::to_string(hop)},               {"n_mels", std::to_string(nMels)},
          {"f_min", floatText(fMin)},                 {"f_max", floatText(fMax)},
          {"mel_scale", toString(scale)},             {"mel_norm", toString(norm)},
          {"center", center ? "true" : "false"},      {"pad", toString(pad)},
          {"power", floatText(power)},                {"amin", floatText(amin)},
          {"top_db", floatText(topDb)},               {"window", "hann_periodic"}};
}

MelOptions MelOptions::fromAttributes(const std::map<std::string, std::string>& attributes,
                                      bool absentMeansDefaults) {
  std::map<std::string, std::string> mel;
  for (const auto& [key, unused] : MelOptions{}.describe())
    if (auto it = attributes.find(key); it != attributes.end()) mel[key] = it->second;
  if (mel.empty() && absentMeansDefaults) return MelOptions{};
  return fromDescription(mel);
}

MelOptions MelOptions::fromDescription(const std::map<std::string, std::string>& kv) {
  const auto known = MelOptions{}.describe();
  for (const auto& [key, value] : kv)
    if (!known.count(key)) throw InputError("feature parameters: unknown key '" + key + "'");
  for (const auto& [key, value] : known)
    if (!kv.count(key)) throw InputError("feature parameters: missing key '" + key + "'");
  if (kv.at("window") != "hann_periodic") throw InputError("feature parameter window: unsupported '" + kv.at("window") + "'");
  const std::string& c = kv.at("center");
  if (c != "true" && c != "false") throw InputError("feature parameter center: not true/false: '" + c + "'");

  MelOptions o;
  o.sampleRate = parseNumber<int>("sample_rate", kv.at("sample_rate"));
  o.nFft = parseNumber<int>("n_fft", kv.at("n_fft"));
  o.hop = parseNumber<int>("hop", kv.at("hop"));
  o.nMels = parseNumber<int>("n_mels", kv.at("n_mels"));
  o.fMin = parseNumber<float>("f_min", kv.at("f_min"));
  o.fMax = parseNumber<float>("f_max", kv.at("f_max"));
  o.scale = parseEnum(kScales, "mel_scale", kv.at("mel_scale"));
  o.norm = parseEnum(kNorms, "mel_norm", kv.at("mel_norm"));
  o.center = c == "true";
  o.pad = parseEnum(kPads, "pad", kv.at("pad"));
  o.power = parseNumber<float>("power", kv.at("power"));
  o.amin = parseNumber<float>("amin", kv.at("amin"));
  o.topDb = parseNumber<float>("top_db", kv.at("top_db"));
  return o;
}

void MelOptions::addTo(CLI::App& app) {
  app.add_option("--sample-rate", sampleRate, "audio is resampled to this rate (Hz)")->capture_default_str();
  app.add_option("--n-fft", nFft, "FFT size = window length (samples)")->capture_default_str();
  app.add_option("--hop", hop, "hop between frames (samples)")->capture_default_str();
  app.add_option("--n-mels", nMels, "mel bands")->capture_default_str();
  app.add_option("--f-min", fMin, "lowest mel filter edge (Hz)")->capture_default_str();
  app.add_option("--f-max", fMax, "highest mel filter edge (Hz)")->capture_default_str();
  app.add_option("--mel-scale", scale, "htk (torchaudio) or slaney (librosa)")
      ->transform(CLI::CheckedTransformer(kScales, CLI::ignore_case))->capture_default_str();
  app.add_option("--mel-norm", norm, "none (torchaudio) or slaney (librosa)")
      ->transform(CLI::CheckedTransformer(kNorms, CLI::ignore_case))->capture_default_str();
  app.add_flag("--center,!--no-center", center, "centre frames on t*hop (pad n_fft/2 each side)");
  app.add_option("--pad", pad, "edge padding of centred frames: reflect (torchaudio) or zero (librosa)")
      ->transform(CLI::CheckedTransformer(kPads, CLI::ignore_case))->capture_default_str();
  app.add_option("--power", power, "1 = magnitude, 2 = power spectrogram")->capture_default_str();
  app.add_option("--top-db", topDb, "clip dB below each clip's maximum; 0 = off")->capture_default_str();
}

}  // namespace chorus::audio
