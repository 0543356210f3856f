#!/usr/bin/env bash
# The two inference engines on one trained WORK (the demo's): the same `chorus infer` with
# --engine torch, openvino f32 and (where the CPU has it) openvino bf16; each submission scored
# against the hidden solution, and per-class Spearman correlations of each OpenVINO submission with
# the torch one (tools/compare_submissions.py: scipy.stats.spearmanr per class column).
#   tools/engine_parity.sh WORK [SOLUTION] [OUT_DIR]
# WORK: a trained work folder (WORK/data the dataset, as the demo leaves it); SOLUTION defaults to
# WORK/solution.csv; results under OUT_DIR (default WORK/engine_parity).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(cd "$1" && pwd)
SOLUTION=${2:-$WORK/solution.csv}
OUT=${3:-$WORK/engine_parity}
CHORUS=${CHORUS:-$ROOT/build/chorus}
DATA=${DATA:-$WORK/data}
mkdir -p "$OUT"
unset OMPI_COMM_WORLD_SIZE PMIX_RANK
run() {  # name, engine, precision
  "$CHORUS" infer --data "$DATA" --work "$WORK" --out "$OUT/$1.csv" --engine "$2" --precision "$3" --time-budget 0 \
    --log-level warn
  cp "$WORK/infer/report.json" "$OUT/$1.report.json"
  echo "$1: score $("$CHORUS" score --solution "$SOLUTION" --submission "$OUT/$1.csv" | tail -1)"
}
run torch torch f32
run openvino_f32 openvino f32
python3 "$ROOT/tools/compare_submissions.py" "$OUT/torch.csv" "$OUT/openvino_f32.csv"
if "$CHORUS" infer --data "$DATA" --work "$WORK" --out "$OUT/openvino_bf16.csv" --engine openvino --precision bf16 \
     --time-budget 0 --log-level warn 2>"$OUT/bf16.err"; then
  echo "openvino_bf16: score $("$CHORUS" score --solution "$SOLUTION" --submission "$OUT/openvino_bf16.csv" | tail -1)"
  python3 "$ROOT/tools/compare_submissions.py" "$OUT/torch.csv" "$OUT/openvino_bf16.csv"
else
  echo "bf16: $(tail -1 "$OUT/bf16.err")"
fi
