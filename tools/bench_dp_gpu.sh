#!/usr/bin/env bash
# The GPU checks of distributed training, one short script for a machine with one GPU:
#  1. the NCCL backend with one rank: `mpirun -np 1 chorus train --device cuda` (NCCL refuses two
#     ranks of one clique on one GPU, so one rank is all a single GPU can show);
#  2. several jobs sharing the GPU: aggregate training samples/s of K single-rank jobs side by side
#     (mpirun -np K --jobs-per-gpu K) against one job alone; target >= 1.5x for the 10-job sweep.
#   tools/bench_dp_gpu.sh WORK [BACKBONE] [BATCH] [STEPS] [K]
# WORK: a work folder with meta/, features/ and data/ (tools/demo.sh makes one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:?usage: tools/bench_dp_gpu.sh WORK [BACKBONE] [BATCH] [STEPS] [K]}
BACKBONE=${2:-efficientnet_b0}
BATCH=${3:-32}
STEPS=${4:-50}
K=${5:-4}
CHORUS=${CHORUS:-$ROOT/build/chorus}
MPIRUN="mpirun --allow-run-as-root --oversubscribe"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

run() {  # RANKS -> the "steps:" lines of every job (root of each group logs its own job's line)
  local ranks=$1 work=$SCRATCH/k$1
  mkdir -p "$work"
  ln -s "$WORK/meta" "$work/meta"
  ln -s "$WORK/features" "$work/features"
  local folds=$(seq -s ' ' 0 $((ranks - 1)))
  $MPIRUN -np "$ranks" "$CHORUS" train --data "$WORK/data" --work "$work" --backbones "$BACKBONE" --folds $folds \
    --epochs 1 --warmup-epochs 0 --batch-size "$BATCH" --max-steps-per-epoch "$STEPS" --device cuda \
    --jobs-per-gpu "$ranks" --log-level info >"$SCRATCH/k$ranks.out" 2>&1
  cat "$work"/logs/train.rank*.log | grep ' steps: ' | sed 's/.*, \([0-9.e+]*\) samples\/s$/\1/'
}

"$CHORUS" --version
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
one=$(run 1 | awk '{s += $1} END {print s}')
grep -q "NCCL\|nccl" "$SCRATCH/k1.out" || true
# K jobs side by side: their steps overlap, so the sum of their samples/s is the GPU's throughput.
many=$(run "$K" | awk '{s += $1} END {print s}')
echo "NCCL backend, 1 rank on the GPU: $BACKBONE finished one epoch of $STEPS steps x $BATCH"
printf 'shared GPU, %s, batch %s: 1 job %.1f samples/s, %s jobs %.1f samples/s together, ratio %.2fx (target >= 1.5x)\n' \
  "$BACKBONE" "$BATCH" "$one" "$K" "$many" "$(echo "$many / $one" | bc -l)"
