// The synthetic species: names and labels in the competition's three styles (eBird codes such as
// `amakin1`, iNaturalist taxon ids such as `1139490`, insect sonotypes such as `47158son16`), a
// class, and a parametric call. Some pairs share a frequency band and differ only in rhythm, so
// that a model has to listen to time structure, not just pitch.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::stages::synth {

enum class TaxonClass { Aves, Amphibia, Insecta, Mammalia };
const char* className(TaxonClass c);

enum class CallKind {
  Whistle,     // tonal notes sweeping through the band, with harmonics
  Trill,       // fast repeated short sweeps
  Buzz,        // a carrier swept and gated at 60-250 Hz, plus band noise
  PulseTrain,  // frog-like pulses at a fixed rate on a carrier (or noisy barks)
  InsectTone,  // a steady high tone chopped at a fixed rate, for seconds
  Howl,        // a low harmonic-rich arch with vibrato (mammals)
};
const char* callKindName(CallKind k);

struct CallModel {
  CallKind kind = CallKind::Whistle;
  double fLow = 2000, fHigh = 4000;  // band of the fundamental, Hz: where the call's energy is
  double noteSeconds = 0.2;          // one note / element / pulse
  double elementRate = 10;           // rhythm: elements (or gates, or vibrato cycles) per second
  int notesMin = 1, notesMax = 3;    // whistle notes per bout
  double noteGapSeconds = 0.1;       // whistle: silence between notes
  double boutSeconds = 1.0;          // length of a bout for all but whistles
  int sweep = 1;                     // +1 rising, -1 falling, 0 rising then falling
  double harmonics[3] = {0.3, 0.1, 0.0};  // amplitudes of harmonics 2-4 relative to the fundamental
  double noise = 0;                  // share of band-limited noise (buzzes, barks)
  double boutGapSeconds = 1.5;       // typical silence between bouts of one singing animal
};

struct Species {
  std::string label, scientificName, commonName;
  long inatTaxonId = 0;
  TaxonClass taxonClass = TaxonClass::Aves;
  CallModel call;
  int confusableWith = -1;  // the species with the same band and another rhythm, or -1
};

constexpr int kMaxSpecies = 234;  // the 2026 competition's class count

// `count` species (1..kMaxSpecies), sorted by label as a string: the taxonomy and submission order.
std::vector<Species> makeSpecies(int count, uint32_t seed);

}  // namespace chorus::stages::synth
