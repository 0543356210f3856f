#!/usr/bin/env bash
# The README's main command: set up, then run the whole pipeline on the embedded default (a synthetic
# BirdCLEF dataset generated on the spot, with hidden test labels) in ./demo-work, ending in a scored submission.
#   bash tools/demo.sh [WORK]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${1:-$ROOT/demo-work}
"$ROOT/tools/setup.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
CHORUS=${CHORUS:-$ROOT/build/chorus}
"$CHORUS" --version
# synth -> prep -> features -> train (10 jobs) -> pseudo r1 -> retrain -> infer -> score, report.html;
# a rerun skips the stages already complete.
"$CHORUS" run --config "$ROOT/configs/demo.toml" --work "$WORK"
