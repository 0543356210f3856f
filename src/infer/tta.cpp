// The TTA variants, applied to a window of log-mel dB before the model's normalisation.
#include <algorithm>
#include <cstdlib>

#include "core/error.hpp"
#include "infer/predict.hpp"

namespace chorus::infer {

namespace {

// "gain+3" -> 3, "gain-1.5" -> -1.5; false when `variant` is not a gain.
bool parseGain(const std::string& variant, float& db) {
  if (variant.rfind("gain", 0) != 0 || variant.size() < 6 || (variant[4] != '+' && variant[4] != '-')) return false;
  const char* begin = variant.c_str() + 4;
  char* end = nullptr;
  db = std::strtof(begin, &end);
  return end && *end == '\0';
}

}  // namespace

const std::vector<std::string>& defaultTta() {
  static const std::vector<std::string> variants = {"orig", "reverse", "gain+3", "gain-3"};
  return variants;
}

void validateTta(const std::vector<std::string>& variants) {
  if (variants.empty()) throw UsageError("--tta: at least one variant (orig, reverse, gain+3, gain-3, gain+X)");
  for (const auto& v : variants) {
    float db = 0;
    if (v != "orig" && v != "reverse" && !parseGain(v, db))
      throw UsageError("--tta: unknown variant '" + v + "' (orig, reverse, gain+X, gain-X with X in dB)");
    if (std::count(variants.begin(), variants.end(), v) > 1) throw UsageError("--tta: variant '" + v + "' twice");
  }
}

void applyVariant(const std::string& variant, float* db, int mels, int frames) {
  if (variant == "orig") return;
  if (variant == "reverse") {
    for (int m = 0; m < mels; ++m) std::reverse(db + size_t(m) * size_t(frames), db + size_t(m + 1) * size_t(frames));
    return;
  }
  float gain = 0;
  if (!parseGain(variant, gain)) throw UsageError("unknown TTA variant '" + variant + "'");
  // An amplitude gain g multiplies power by g^2: +X dB on every bin of 10*log10(power).
  std::transform(db, db + size_t(mels) * size_t(frames), db, [gain](float v) { return v + gain; });
}

}  // namespace chorus::infer
