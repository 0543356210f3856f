// PLACEHOLDER: replaced by the real stage.
#include "core/error.hpp"
#include "stages/prep.hpp"
namespace chorus::stages {
PrepSummary runPrep(const PrepOptions&) { throw Error("prep: not written yet"); }
}  // namespace chorus::stages
