#include "stages/synth/species.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.hpp"
#include "stages/synth/names.hpp"

namespace chorus::stages::synth {
namespace {

constexpr long kInsectaTaxonId = 47158;  // iNaturalist's Insecta: the prefix of the sonotype labels

// The class mix of the real label set: mostly birds, then frogs, insects, a few mammals.
std::vector<TaxonClass> classMix(int count) {
  std::vector<TaxonClass> classes;
  auto share = [&](double s) { return count >= 4 ? std::max(1, static_cast<int>(std::lround(s * count))) : 0; };
  int amphibia = share(0.14), insecta = share(0.09), mammalia = share(0.05);
  if (count == 2 || count == 3) amphibia = 1;
  if (count == 3) insecta = 1;
  classes.insert(classes.end(), count - amphibia - insecta - mammalia, TaxonClass::Aves);
  classes.insert(classes.end(), amphibia, TaxonClass::Amphibia);
  classes.insert(classes.end(), insecta, TaxonClass::Insecta);
  classes.insert(classes.end(), mammalia, TaxonClass::Mammalia);
  return classes;
}

CallKind callKindFor(TaxonClass c, Rng& rng) {
  switch (c) {
    case TaxonClass::Aves: return std::vector<CallKind>{CallKind::Whistle, CallKind::Trill, CallKind::Buzz}[rng.weighted({0.5, 0.3, 0.2})];
    case TaxonClass::Amphibia: return rng.chance(0.7) ? CallKind::PulseTrain : CallKind::Trill;
    case TaxonClass::Insecta: return rng.chance(0.7) ? CallKind::InsectTone : CallKind::Buzz;
    case TaxonClass::Mammalia: return rng.chance(0.7) ? CallKind::Howl : CallKind::PulseTrain;
  }
  return CallKind::Whistle;
}

// Where each class calls (centre of the band, Hz) and how wide the band is (fHigh / fLow).
void drawBand(TaxonClass c, CallKind kind, Rng& rng, CallModel& m) {
  double centre = 0, ratio = 0;
  switch (c) {
    case TaxonClass::Aves: centre = rng.logUniform(1200, 7000); break;
    case TaxonClass::Amphibia: centre = rng.logUniform(400, 3500); break;
    case TaxonClass::Insecta: centre = rng.logUniform(3000, 11000); break;
    case TaxonClass::Mammalia: centre = rng.logUniform(200, 1100); break;
  }
  switch (kind) {
    case CallKind::Whistle: ratio = rng.uniform(1.2, 1.8); break;
    case CallKind::Trill: ratio = rng.uniform(1.3, 2.0); break;
    case CallKind::Buzz: ratio = rng.uniform(1.15, 1.5); break;
    case CallKind::PulseTrain: ratio = rng.uniform(1.1, 1.4); break;
    case CallKind::InsectTone: ratio = rng.uniform(1.05, 1.25); break;
    case CallKind::Howl: ratio = rng.uniform(1.3, 1.8); break;
  }
  m.fLow = centre / std::sqrt(ratio);
  m.fHigh = centre * std::sqrt(ratio);
}

CallModel drawCall(TaxonClass c, Rng& rng) {
  CallModel m;
  m.kind = callKindFor(c, rng);
  drawBand(c, m.kind, rng, m);
  m.sweep = static_cast<int>(rng.index(3)) - 1;
  m.harmonics[0] = rng.uniform(0.05, 0.5);
  m.harmonics[1] = rng.uniform(0.0, 0.25);
  m.harmonics[2] = rng.uniform(0.0, 0.1);
  m.boutGapSeconds = rng.logUniform(0.5, 4.0);
  switch (m.kind) {
    case CallKind::Whistle:
      m.noteSeconds = rng.logUniform(0.08, 0.5);
      m.notesMin = rng.integer(1, 4);
      m.notesMax = m.notesMin + rng.integer(0, 3);
      m.noteGapSeconds = rng.logUniform(0.04, 0.3);
      m.elementRate = 1.0 / (m.noteSeconds + m.noteGapSeconds);
      break;
    case CallKind::Trill:
      m.elementRate = rng.logUniform(8, 30);
      m.noteSeconds = rng.uniform(0.4, 0.8) / m.elementRate;
      m.boutSeconds = rng.uniform(0.6, 2.5);
      if (m.sweep == 0) m.sweep = -1;
      break;
    case CallKind::Buzz:
      m.elementRate = rng.logUniform(60, 250);
      m.boutSeconds = rng.uniform(0.3, 1.5);
      m.noise = rng.uniform(0.2, 0.5);
      break;
    case CallKind::PulseTrain:
      m.elementRate = rng.logUniform(4, 60);
      m.noteSeconds = rng.uniform(0.3, 0.6) / m.elementRate;
      m.boutSeconds = rng.uniform(0.4, 3.0);
      m.harmonics[0] = rng.uniform(0.2, 0.6);
      if (c == TaxonClass::Mammalia) m.noise = rng.uniform(0.3, 0.7);  // barks, not croaks
      break;
    case CallKind::InsectTone:
      m.elementRate = rng.logUniform(15, 150);
      m.boutSeconds = rng.uniform(2.0, 8.0);
      m.harmonics[0] = 0.05, m.harmonics[1] = m.harmonics[2] = 0;
      m.boutGapSeconds = rng.logUniform(0.3, 2.0);
      break;
    case CallKind::Howl:
      m.elementRate = rng.uniform(3, 7);  // vibrato
      m.boutSeconds = rng.uniform(0.6, 2.5);
      m.harmonics[0] = rng.uniform(0.4, 0.8), m.harmonics[1] = rng.uniform(0.2, 0.5);
      m.noise = rng.uniform(0.0, 0.2);
      break;
  }
  return m;
}

// The same band and call type, another rhythm: a rate 1.7-2.5 times faster or slower.
CallModel confusableTwin(const CallModel& a, Rng& rng) {
  CallModel b = a;
  double shift = rng.uniform(0.97, 1.03);
  b.fLow *= shift, b.fHigh *= shift;
  double factor = rng.uniform(1.7, 2.5);
  if (rng.chance(0.5)) factor = 1 / factor;
  b.elementRate *= factor;
  b.noteSeconds /= factor;
  b.noteGapSeconds /= factor;
  if (b.kind == CallKind::Whistle) {
    b.notesMin = std::max(1, a.notesMin + (factor > 1 ? 2 : -1));
    b.notesMax = b.notesMin + (a.notesMax - a.notesMin);
    b.elementRate = 1.0 / (b.noteSeconds + b.noteGapSeconds);
  }
  return b;
}

}  // namespace

const char* className(TaxonClass c) {
  switch (c) {
    case TaxonClass::Aves: return "Aves";
    case TaxonClass::Amphibia: return "Amphibia";
    case TaxonClass::Insecta: return "Insecta";
    case TaxonClass::Mammalia: return "Mammalia";
  }
  return "?";
}

const char* callKindName(CallKind k) {
  switch (k) {
    case CallKind::Whistle: return "whistle";
    case CallKind::Trill: return "trill";
    case CallKind::Buzz: return "buzz";
    case CallKind::PulseTrain: return "pulse_train";
    case CallKind::InsectTone: return "insect_tone";
    case CallKind::Howl: return "howl";
  }
  return "?";
}

std::vector<Species> makeSpecies(int count, uint32_t seed) {
  if (count < 1 || count > kMaxSpecies)
    throw UsageError("species count must be 1.." + std::to_string(kMaxSpecies) + ", not " + std::to_string(count));
  Rng rng = Rng::stream(seed, "species");
  std::set<std::string> latin, common, codes;
  std::set<long> ids = {kInsectaTaxonId};
  std::vector<Species> species;
  int insects = 0, sonotypes = 0;
  for (TaxonClass c : classMix(count)) {
    Species s;
    s.taxonClass = c;
    s.call = drawCall(c, rng);
    bool sonotype = c == TaxonClass::Insecta && insects++ % 2 == 0;  // the first insect is always one
    if (sonotype) {
      std::string n = std::to_string(++sonotypes);
      s.inatTaxonId = kInsectaTaxonId;
      s.label = std::to_string(kInsectaTaxonId) + "son" + n;
      s.scientificName = "Insecta sonotype " + n;
      s.commonName = "Insect sonotype " + n;
    } else {
      do s.inatTaxonId = rng.integer(10000, 1500000);
      while (!ids.insert(s.inatTaxonId).second);
      s.scientificName = latinName(rng, latin);
      s.commonName = commonName(rng, c, common);
      s.label = c == TaxonClass::Aves ? ebirdCode(s.commonName, codes) : std::to_string(s.inatTaxonId);
    }
    species.push_back(std::move(s));
  }
  // One species in three is half of a confusable pair within its class (one pair at least from 4 species).
  int pairs = count >= 4 ? std::max(1, count / 6) : 0;
  std::vector<size_t> order(species.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.shuffle(order);
  for (size_t i = 0; i < order.size() && pairs > 0; ++i) {
    Species& a = species[order[i]];
    if (a.confusableWith >= 0) continue;
    for (size_t j = i + 1; j < order.size(); ++j) {
      Species& b = species[order[j]];
      if (b.confusableWith >= 0 || b.taxonClass != a.taxonClass) continue;
      b.call = confusableTwin(a.call, rng);
      a.confusableWith = static_cast<int>(order[j]);
      b.confusableWith = static_cast<int>(order[i]);
      --pairs;
      break;
    }
  }
  // Sort by label; the confusable links follow the permutation.
  std::vector<size_t> byLabel(species.size());
  for (size_t i = 0; i < byLabel.size(); ++i) byLabel[i] = i;
  std::sort(byLabel.begin(), byLabel.end(), [&](size_t x, size_t y) { return species[x].label < species[y].label; });
  std::vector<int> newIndex(species.size());
  for (size_t i = 0; i < byLabel.size(); ++i) newIndex[byLabel[i]] = static_cast<int>(i);
  std::vector<Species> sorted;
  for (size_t i : byLabel) {
    sorted.push_back(species[i]);
    if (sorted.back().confusableWith >= 0) sorted.back().confusableWith = newIndex[sorted.back().confusableWith];
  }
  return sorted;
}

}  // namespace chorus::stages::synth
