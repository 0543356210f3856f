// PLACEHOLDER: replaced by the real stage.
#include "core/error.hpp"
#include "stages/synth.hpp"
namespace chorus::stages {
SynthSummary runSynth(const SynthOptions&) { throw Error("synth: not written yet"); }
}  // namespace chorus::stages
