// Planning the train clips: how many per species, how long, in which format, with what metadata.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>

#include "stages/synth/clips.hpp"
#include "stages/synth/names.hpp"

namespace chorus::stages::synth {
namespace {

// Exactly max(minimum, round(share · n)) of n items get a property, chosen at random.
std::vector<bool> pickShare(size_t n, double share, size_t minimum, Rng& rng) {
  size_t k = std::min(n, std::max(minimum, static_cast<size_t>(std::lround(share * n))));
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order);
  std::vector<bool> picked(n, false);
  for (size_t i = 0; i < k; ++i) picked[order[i]] = true;
  return picked;
}

double drawSeconds(const ClipLengths& l, Rng& rng) {
  double u = rng.uniform();
  if (u < l.shortShare) return rng.uniform(l.shortMin, l.shortMax);
  if (u < l.shortShare + l.longShare) return rng.logUniform(l.typicalMax, l.longMax);
  return rng.logUniform(l.typicalMin, l.typicalMax);
}

std::string coordinate(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  return buf;
}

}  // namespace

void drawRecordingMetadata(TrainClip& c, const Species& s, Rng& rng, std::set<std::string>& ids) {
  bool bird = s.taxonClass == TaxonClass::Aves;
  static const std::vector<std::string> kCollections = {"XC", "iNat", "CSA"};
  c.collection = kCollections[rng.weighted(bird ? std::vector<double>{0.75, 0.2, 0.05} : std::vector<double>{0.2, 0.6, 0.2})];
  std::string digits;
  do {
    if (c.collection == "XC") digits = std::to_string(rng.integer(100000, 999999));
    else if (c.collection == "iNat") digits = std::to_string(rng.integer(100000, 1999999));
    else digits = std::to_string(rng.integer(10000, 99999));
  } while (!ids.insert(c.collection + digits).second);
  c.id = c.collection + digits;
  if (c.collection == "XC") c.url = "https://xeno-canto.org/" + digits;
  else if (c.collection == "iNat") c.url = "https://static.inaturalist.org/sounds/" + digits + ".wav";
  else c.url = "https://colecciones.humboldt.org.co/rec/sonidos/" + c.id + ".wav";
  // xeno-canto rates recordings 1-5 in half steps (better SNR, better rating); the others do not.
  c.rating = c.collection == "XC" ? std::clamp(std::round(c.focalSnrDb / 3) / 2, 1.0, 5.0) : 0.0;
  if (!rng.chance(0.03)) {  // a few recordings have no coordinates
    c.latitude = coordinate(rng.uniform(-20.5, -15.5));
    c.longitude = coordinate(rng.uniform(-58.5, -54.5));
  }
  c.author = authorName(rng);
  static const std::vector<std::string> kLicenses = {"cc-by-nc-sa 4.0", "cc-by-nc 4.0", "cc-by 4.0", "cc-by-nc-nd 4.0"};
  c.license = kLicenses[rng.index(kLicenses.size())];
  static const std::vector<std::string> kBirdTypes = {"['song']", "['call']", "['call', 'song']", "['flight call']",
                                                      "['alarm call']"};
  c.type = bird ? kBirdTypes[rng.index(kBirdTypes.size())] : (rng.chance(0.5) ? "['']" : "[]");
}

std::string clipFileName(const TrainClip& clip, const std::vector<Species>& species) {
  return species[clip.species].label + "/" + clip.id + ".ogg";
}

std::vector<int> clipCounts(int speciesCount, int clips, Rng& rng) {
  int n = speciesCount;
  // Geometric from `top` down to 1 (the real long tail); `top` chosen so the counts sum to `clips`.
  auto counts = [&](double top) {
    std::vector<int> c(n);
    for (int k = 0; k < n; ++k) c[k] = std::max(1, static_cast<int>(std::lround(n == 1 ? top : std::pow(top, 1.0 - double(k) / (n - 1)))));
    return c;
  };
  double lo = 1, hi = std::max(1, clips);
  for (int iter = 0; iter < 100; ++iter) {
    double mid = 0.5 * (lo + hi);
    auto c = counts(mid);
    (std::accumulate(c.begin(), c.end(), 0) < clips ? lo : hi) = mid;
  }
  std::vector<int> c = counts(hi);
  // Rounding leaves the sum a few off: settle it on the most common species.
  int diff = clips - std::accumulate(c.begin(), c.end(), 0);
  for (int k = 0; diff != 0; k = (k + 1) % n) {
    if (diff > 0) ++c[k], --diff;
    else if (c[k] > 1) --c[k], ++diff;
  }
  rng.shuffle(c);
  return c;
}

std::vector<TrainClip> planTrainClips(const Preset& preset, const std::vector<Species>& species, uint32_t seed) {
  Rng rng = Rng::stream(seed, "train-plan");
  std::vector<int> counts = clipCounts(static_cast<int>(species.size()), preset.trainClips, rng);
  std::vector<TrainClip> clips;
  for (size_t s = 0; s < species.size(); ++s)
    for (int j = 0; j < counts[s]; ++j) {
      TrainClip c;
      c.species = static_cast<int>(s);
      c.seconds = drawSeconds(preset.lengths, rng);
      c.focalSnrDb = rng.uniform(8, 30);
      clips.push_back(c);
    }
  // Formats and extras by exact shares, so that even a tiny dataset has one of each.
  size_t n = clips.size();
  std::vector<int> rates(n, 32000);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order);
  size_t n48 = std::max<size_t>(1, std::lround(0.10 * n)), n44 = std::max<size_t>(1, std::lround(0.15 * n));
  for (size_t i = 0; i < n; ++i) rates[order[i]] = i < n48 ? 48000 : i < n48 + n44 ? 44100 : 32000;
  auto stereo = pickShare(n, 0.15, 1, rng), voice = pickShare(n, 0.10, 1, rng);
  auto withOthers = pickShare(n, 0.20, species.size() > 1 ? 1 : 0, rng);
  auto junior = pickShare(n, 0.05, 1, rng);  // "Tiago Ferreira, Jr.": a comma the CSV must quote
  std::set<std::string> ids;
  for (size_t i = 0; i < n; ++i) {
    TrainClip& c = clips[i];
    c.sampleRate = rates[i];
    c.channels = stereo[i] ? 2 : 1;
    if (voice[i]) {
      c.voiceSeconds = rng.uniform(1, 3);
      c.seconds = std::max(c.seconds, c.voiceSeconds + 3);  // room for the birds after the talk
    }
    if (withOthers[i] && species.size() > 1) {
      int k = rng.chance(0.7) ? 1 : 2;
      while (static_cast<int>(c.secondary.size()) < std::min<int>(k, static_cast<int>(species.size()) - 1)) {
        int other = static_cast<int>(rng.index(species.size()));
        if (other != c.species && std::find(c.secondary.begin(), c.secondary.end(), other) == c.secondary.end())
          c.secondary.push_back(other);
      }
    }
    drawRecordingMetadata(c, species[c.species], rng, ids);
    if (junior[i]) c.author += ", Jr.";
  }
  return clips;
}

}  // namespace chorus::stages::synth
