#!/usr/bin/env bash
# The README's main command: set up, then run the pipeline on the embedded default (a synthetic
# BirdCLEF dataset generated on the spot) in ./demo-work.
#   bash tools/demo.sh [WORK]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${1:-$ROOT/demo-work}
"$ROOT/tools/setup.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
CHORUS=${CHORUS:-$ROOT/build/chorus}
"$CHORUS" --version
"$CHORUS" synth --config "$ROOT/configs/demo.toml" --out "$WORK/data" --solution "$WORK/solution.csv"
"$CHORUS" prep --config "$ROOT/configs/demo.toml" --data "$WORK/data" --work "$WORK"
mpirun -np 2 "$CHORUS" features --config "$ROOT/configs/demo.toml" --data "$WORK/data" --work "$WORK"
# One of the ten (backbone, fold) jobs, to show training on 2 cores in a few minutes;
# `chorus train` without --job trains all of them.
"$CHORUS" train --config "$ROOT/configs/demo.toml" --data "$WORK/data" --work "$WORK" --job efficientnet_b0/0 --epochs 4
