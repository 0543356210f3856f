// The model's input scale: x = (dB - meanDb) / stdDb with constants fixed per model, never per
// window, so a gain (or the +-3 dB TTA) really changes the input. The constants travel in the
// checkpoint (describe / fromDescription), like the feature parameters.
#pragma once
#include <cstddef>
#include <map>
#include <string>

namespace chorus::dataset {

struct Normalisation {
  // Fixed constants rather than statistics measured per run: nothing to compute before training,
  // and every model of an ensemble sees the same scale. Log-mel dB (DESIGN.md parameters) of the 16
  // recordings in shared/real_audio (songbirds, soundscapes, bats, a whale): mean -22.5 dB,
  // std 18.8, 1st..99th percentiles about -90..+36 dB; rounded, so -60..+20 dB maps to -2..+2.
  double meanDb = -20;
  double stdDb = 20;

  float apply(float db) const { return float((double(db) - meanDb) / stdDb); }
  void apply(float* values, size_t n) const;

  std::map<std::string, std::string> describe() const;  // {"norm_mean_db", "norm_std_db"}
  static Normalisation fromDescription(const std::map<std::string, std::string>& keyValues);
};

}  // namespace chorus::dataset
