#include "dataset/normalisation.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/parse_number.hpp"

namespace chorus::dataset {

void Normalisation::apply(float* values, size_t n) const {
  for (size_t i = 0; i < n; ++i) values[i] = apply(values[i]);
}

namespace {

// %.17g round-trips a double, so a checkpoint reproduces the constants exactly.
std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

double number(const std::map<std::string, std::string>& keyValues, const std::string& key) {
  auto it = keyValues.find(key);
  if (it == keyValues.end()) throw InputError("normalisation: missing " + key);
  if (const auto v = toDouble(it->second); v && std::isfinite(*v)) return *v;
  throw InputError("normalisation: " + key + " is not a number: '" + it->second + "'");
}

}  // namespace

std::map<std::string, std::string> Normalisation::describe() const {
  return {{"norm_mean_db", exact(meanDb)}, {"norm_std_db", exact(stdDb)}};
}

Normalisation Normalisation::fromDescription(const std::map<std::string, std::string>& keyValues) {
  Normalisation n;
  n.meanDb = number(keyValues, "norm_mean_db");
  n.stdDb = number(keyValues, "norm_std_db");
  if (!(n.stdDb > 0)) throw InputError("normalisation: norm_std_db must be positive");
  return n;
}

}  // namespace chorus::dataset
