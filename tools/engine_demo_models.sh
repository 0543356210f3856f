#!/usr/bin/env bash
# A small trained WORK for tools/engine_parity.sh when the full demo has not run: the demo's data
# (synth --preset demo), prep, features, and two short real training runs (efficientnet_b0 and
# efficientnetv2_b0, fold 0, the demo's [train] settings for 2 epochs).
#   tools/engine_demo_models.sh WORK
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$1
CHORUS=${CHORUS:-$ROOT/build/chorus}
unset OMPI_COMM_WORLD_SIZE PMIX_RANK
"$CHORUS" synth --out "$WORK/data" --solution "$WORK/solution.csv" --preset demo --seed 2026
"$CHORUS" prep --data "$WORK/data" --work "$WORK" --n-folds 5
for set in train_audio train_soundscapes; do "$CHORUS" features --data "$WORK/data" --work "$WORK" --set "$set"; done
for job in efficientnet_b0/0 efficientnetv2_b0/0; do
  "$CHORUS" train --data "$WORK/data" --work "$WORK" --job "$job" --epochs 2 --batch-size 8 --max-steps-per-epoch 12 \
    --warmup-epochs 0.5 --threads 2
done
