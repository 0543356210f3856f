#!/usr/bin/env bash
# Data-parallel efficiency on CPU: training samples/s of 1 rank x 1 thread against 2 ranks x 1
# thread each (mpirun -np 2), the same global batch, ours (`chorus train`, its "steps: ... samples/s"
# line, validation excluded) and PyTorch DDP over gloo on timm's same backbone (bench_dp_ddp.py).
#   tools/bench_dp.sh WORK [BACKBONE] [GLOBAL_BATCH] [STEPS]
# WORK: a work folder with meta/ and features/ (tools/demo.sh makes one) and its DATA at WORK/data.
# Efficiency = samples/s(2 ranks) / (2 x samples/s(1 rank)); ideal 1.00, target >= 0.85.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:?usage: tools/bench_dp.sh WORK [BACKBONE] [GLOBAL_BATCH] [STEPS]}
BACKBONE=${2:-convnext_atto}
BATCH=${3:-16}
STEPS=${4:-20}
CHORUS=${CHORUS:-$ROOT/build/chorus}
MPIRUN="mpirun --allow-run-as-root --oversubscribe --mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

ours() {  # RANKS -> "SAMPLES_PER_S STEP_SECONDS ALLREDUCE_SECONDS" of the training steps of one epoch
  local ranks=$1 work=$SCRATCH/np$1
  mkdir -p "$work"
  ln -s "$WORK/meta" "$work/meta"
  ln -s "$WORK/features" "$work/features"
  $MPIRUN -np "$ranks" "$CHORUS" train --data "$WORK/data" --work "$work" --job "$BACKBONE/0" --epochs 1 \
    --warmup-epochs 0 --batch-size $((BATCH / ranks)) --max-steps-per-epoch "$STEPS" --threads 1 --device cpu \
    --log-level info 2>&1 | grep ' steps: ' | tail -1 |
    sed 's/.* ranks in \([0-9.e+]*\) s, \([0-9.e+]*\) samples\/s\(, gradient all-reduce \([0-9.e+]*\) s\)\{0,1\}$/\2 \1 \4/' |
    awk '{print $1, $2, ($3 == "" ? 0 : $3)}'

}

read -r one oneSeconds _ <<<"$(ours 1)"
read -r two twoSeconds twoReduce <<<"$(ours 2)"
ddp=$(python3 "$ROOT/tools/bench_dp_ddp.py" --model "$BACKBONE" --global-batch "$BATCH" --steps "$STEPS" --worlds 1 2)
ddp1=$(echo "$ddp" | awk '$2 == 1 {print $3}')
ddp2=$(echo "$ddp" | awk '$2 == 2 {print $3}')
python3 - "$BACKBONE" "$BATCH" "$STEPS" "$one" "$two" "$ddp1" "$ddp2" "$twoSeconds" "$twoReduce" <<'PY'
import os, sys
backbone, batch, steps = sys.argv[1:4]
one, two, d1, d2, two_s, two_reduce = map(float, sys.argv[4:10])
print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
print(f"data-parallel efficiency, {backbone}, global batch {batch}, {steps} steps, 1 thread per rank (samples/s)")
print(f"{'':14}{'1 rank':>10}{'2 ranks':>10}{'efficiency':>12}")
print(f"{'chorus (MPI)':14}{one:10.2f}{two:10.2f}{two / (2 * one):12.3f}")
print(f"{'PyTorch DDP':14}{d1:10.2f}{d2:10.2f}{d2 / (2 * d1):12.3f}")
print(f"{'ideal':14}{'':10}{'':10}{1.0:12.3f}")
print(f"chorus 2 ranks: {two_reduce:.2f} of {two_s:.2f} s in gradient averaging (incl. waiting for the other rank), "
      f"{100 * two_reduce / two_s:.0f}%")
print(f"chorus / DDP samples/s: 1 rank {one / d1:.2f}x, 2 ranks {two / d2:.2f}x")
PY
