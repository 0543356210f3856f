// Train clips: focal recordings of one species at good SNR, as on xeno-canto and iNaturalist. The
// counts per species are long-tailed (some species have three clips or fewer); some clips are at
// 44.1 or 48 kHz, some stereo, some name other species heard (secondary labels), some begin with
// the recordist's spoken announcement.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "stages/synth/background.hpp"
#include "stages/synth/preset.hpp"
#include "stages/synth/species.hpp"

namespace chorus::stages::synth {

struct TrainClip {
  int species = 0;
  std::vector<int> secondary;   // other species calling in the clip
  std::string id;               // XC123456, iNat1234567, CSA12345
  std::string collection;       // XC, iNat, CSA
  int sampleRate = 32000, channels = 1;
  double seconds = 0;
  double voiceSeconds = 0;      // the spoken announcement at the start; 0: none
  double focalSnrDb = 20;       // focal calls over the background
  double rating = 0;            // 0.5 steps; 0 where the collection has no ratings
  std::string latitude, longitude, author, license, type, url;
};

// Collection, a unique id (added to `ids`), url, rating (from focalSnrDb), place, recordist, licence, type.
void drawRecordingMetadata(TrainClip& clip, const Species& species, Rng& rng, std::set<std::string>& ids);

// "<label>/<id>.ogg", the train.csv filename (relative to train_audio/).
std::string clipFileName(const TrainClip& clip, const std::vector<Species>& species);

// Clip counts per species (in species order): long-tailed from a maximum down to 1, summing to
// `clips`, every species with one clip at least, assigned to species in a seeded random order.
std::vector<int> clipCounts(int speciesCount, int clips, Rng& rng);

// Every clip's content and metadata, grouped by species (the real train.csv's order).
std::vector<TrainClip> planTrainClips(const Preset& preset, const std::vector<Species>& species, uint32_t seed);

// The clip's audio, interleaved when stereo. `index` picks the clip's own random stream.
std::vector<float> renderTrainClip(const TrainClip& clip, size_t index, const std::vector<Species>& species,
                                   const std::vector<Site>& sites, uint32_t seed);

}  // namespace chorus::stages::synth
