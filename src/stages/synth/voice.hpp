// A human-voice-like announcement, as recordists speak at the start of many xeno-canto clips: a
// harmonic source with f0 100-250 Hz and gentle intonation, shaped by vowel formants (F1-F3) that
// change from syllable to syllable, and a syllabic 3-6 Hz amplitude envelope.
#pragma once
#include <vector>

#include "stages/synth/rng.hpp"

namespace chorus::stages::synth {

// `seconds` of voice at `sampleRate`, mono, peak-normalised to 1.
std::vector<float> renderVoice(Rng& rng, double seconds, double sampleRate);

}  // namespace chorus::stages::synth
