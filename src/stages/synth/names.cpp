#include "stages/synth/names.hpp"

#include <cctype>
#include <sstream>
#include <vector>

namespace chorus::stages::synth {
namespace {

using Words = std::vector<std::string>;

const Words kGenusStarts = {"Thry", "Myi", "Cranio", "Hyl", "Lepto", "Scler", "Formic", "Pyrr", "Cyano",
                            "Tachy", "Chloro", "Xipho", "Phyllo", "Basil", "Campyl", "Dendro", "Tinam",
                            "Crypt", "Pseudo", "Boana", "Scino", "Alou", "Pteno", "Gryll", "Coryph"};
const Words kGenusMiddles = {"o", "a", "i", "ope", "ano", "ula", "ero", "iro"};
const Words kGenusEnds = {"phila", "rhynchus", "ornis", "cichla", "ops", "thraupis", "phaga", "lopex",
                          "dactylus", "hyla", "atta", "pteryx", "colaptes", "ura", "myias", "gryllus"};
const Words kEpithets = {"ruficollis", "guttatus", "minor", "pantanalensis", "albiventris", "nigricans",
                         "cinereus", "olivaceus", "fuscatus", "leucophrys", "melanops", "punctata",
                         "boliviana", "caerulea", "squamiger", "striatus", "aurantius", "pallidus",
                         "garbei", "raniformis", "cuyabanus", "flavigula", "maculosa", "rubra"};

const Words kBirdModifiers = {"Rufous", "Pale-breasted", "Black-capped", "Little", "Greater", "Plumbeous",
                              "Chestnut-bellied", "Olivaceous", "Scaled", "Spotted", "Fork-tailed",
                              "Yellow-rumped", "White-throated", "Buff-necked", "Grey", "Cinnamon",
                              "Band-tailed", "Masked", "Rusty-margined", "Blue-crowned", "Streaked",
                              "Amazon", "Chaco", "Planalto", "Cerrado", "Southern", "Tawny", "Barred"};
const Words kBirdBases = {"Kingfisher", "Tinamou", "Wren", "Antbird", "Flycatcher", "Tanager", "Woodcreeper",
                          "Nightjar", "Parakeet", "Seedeater", "Thrush", "Manakin", "Potoo", "Hawk", "Dove",
                          "Trogon", "Rail", "Antshrike", "Spinetail", "Becard", "Saíra Tanager", "Araçari",
                          "Jaçanã", "Curassow", "Woodpecker", "Tyrannulet"};
const Words kFrogModifiers = {"Cope's", "Rusty", "Lesser", "Painted", "Pepper", "Veined", "Chaco",
                              "Marbled", "Cuyabá", "Dwarf", "Striped", "Common"};
const Words kFrogBases = {"Treefrog", "Toad", "Rain Frog", "Leaf Frog", "Chorus Frog", "Thin-toed Frog",
                          "Snouted Treefrog", "Bullfrog"};
const Words kInsectModifiers = {"Pale", "Green", "Striped", "Night", "Giant", "Common", "Marsh", "Small"};
const Words kInsectBases = {"Katydid", "Cicada", "Cricket", "Bush-cricket", "Mole Cricket", "Conehead"};
const Words kMammalModifiers = {"Black", "Red", "Brazilian", "Lesser", "Pantanal", "Giant", "Collared"};
const Words kMammalBases = {"Howler Monkey", "Capybara", "Free-tailed Bat", "Peccary", "Marmoset",
                            "Marsh Deer", "Otter", "Titi Monkey"};

const Words kGivenNames = {"José", "María Fernanda", "João", "Ana", "Jürgen", "Zoë", "François", "Łukasz",
                           "Inês", "Sebastián", "Björn", "Mariana", "Tiago", "Chloé", "Kwame", "Siobhán"};
const Words kFamilyNames = {"Álvarez", "Ruíz", "Müller", "O'Neil", "Côté", "Wiśniewski", "da Silva",
                            "Gonçalves", "Nørgaard", "Pereira", "Smith", "Nakamura", "D'Ávila", "Ferreira"};

const std::string& pick(Rng& rng, const Words& words) { return words[rng.index(words.size())]; }

// "Treefrog, Lesser": the inverted order some checklists use, and a comma a CSV writer must quote.
std::string modifierAndBase(Rng& rng, const Words& modifiers, const Words& bases) {
  const std::string& m = pick(rng, modifiers);
  const std::string& b = pick(rng, bases);
  return rng.chance(0.12) ? b + ", " + m : m + " " + b;
}

}  // namespace

std::string latinName(Rng& rng, std::set<std::string>& taken) {
  for (;;) {
    std::string name = pick(rng, kGenusStarts) + pick(rng, kGenusMiddles) + pick(rng, kGenusEnds) + " " +
                       pick(rng, kEpithets);
    if (taken.insert(name).second) return name;
  }
}

std::string commonName(Rng& rng, TaxonClass c, std::set<std::string>& taken) {
  for (int attempt = 0;; ++attempt) {
    std::string name;
    switch (c) {
      case TaxonClass::Aves: name = modifierAndBase(rng, kBirdModifiers, kBirdBases); break;
      case TaxonClass::Amphibia: name = modifierAndBase(rng, kFrogModifiers, kFrogBases); break;
      case TaxonClass::Insecta: name = modifierAndBase(rng, kInsectModifiers, kInsectBases); break;
      case TaxonClass::Mammalia: name = modifierAndBase(rng, kMammalModifiers, kMammalBases); break;
    }
    // The word lists hold fewer combinations than 234 species need of one class: number the rest.
    if (attempt > 50) name += " " + std::to_string(attempt - 49);
    if (taken.insert(name).second) return name;
  }
}

std::string ebirdCode(const std::string& commonName, std::set<std::string>& taken) {
  std::vector<std::string> words;
  std::istringstream in(commonName);
  for (std::string w; in >> w;) {
    std::string letters;
    for (unsigned char ch : w)
      if (ch < 128 && std::isalpha(ch)) letters += static_cast<char>(std::tolower(ch));
    if (!letters.empty()) words.push_back(letters);
  }
  std::string stem = words.size() == 1 ? words[0].substr(0, 6) : words.front().substr(0, 3) + words.back().substr(0, 3);
  for (int n = 1;; ++n) {
    std::string code = stem + std::to_string(n);
    if (taken.insert(code).second) return code;
  }
}

std::string authorName(Rng& rng) { return pick(rng, kGivenNames) + " " + pick(rng, kFamilyNames); }

}  // namespace chorus::stages::synth
