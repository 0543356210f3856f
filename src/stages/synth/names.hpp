// Invented but realistic-looking names: Latin binomials, English common names (some with commas,
// some with accents, so that CSV quoting and UTF-8 matter), eBird-style codes, recordists.
#pragma once
#include <set>
#include <string>

#include "stages/synth/rng.hpp"
#include "stages/synth/species.hpp"

namespace chorus::stages::synth {

// A binomial such as "Thryophila ruficollis", different from every name in `taken` (then added).
std::string latinName(Rng& rng, std::set<std::string>& taken);

// A common name for a species of this class, e.g. "Rufous-bellied Antwren", "Saíra Tanager",
// "Treefrog, Lesser"; unique within `taken` (then added).
std::string commonName(Rng& rng, TaxonClass c, std::set<std::string>& taken);

// eBird's style: three letters of the first word and three of the last (six of a single word),
// ASCII letters only, lower case, then the smallest number that makes it unique: "amakin1".
std::string ebirdCode(const std::string& commonName, std::set<std::string>& taken);

// A recordist's name, accents and apostrophes included.
std::string authorName(Rng& rng);

}  // namespace chorus::stages::synth
