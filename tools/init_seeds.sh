#!/usr/bin/env bash
# Issue 15.5: from-scratch EfficientNet-B0 over six seeds, the recipe of timm's reference loop
# (tools/timm_learning_check.py: no augmentation, BCE, pooled head, 6 epochs of the small preset,
# fold 0, one thread); prints each seed's last-epoch clip AUC and their mean ± spread.
#   tools/init_seeds.sh [--chorus build/chorus] [--out /tmp/chorus-learning] [--seeds "1 2 3 4 5 6"]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
chorus=$ROOT/build/chorus
out=/tmp/chorus-learning
seeds="1 2 3 4 5 6"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --chorus) chorus=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) echo "init_seeds.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
for s in $seeds; do
  "$ROOT/tools/learning_check.sh" --chorus "$chorus" --out "$out" --backbones efficientnet_b0 --epochs 6 \
    -- --no-augment --loss bce --head pooled --seed "$s" > "$out/init_seed_$s.log" 2>&1
done
python3 - "$out" $seeds <<'PY'
import csv, glob, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
aucs = []
for s in seeds:
    runs = glob.glob(f"{out}/small/runs/*seed_{s}/models/efficientnet_b0-f0/metrics.csv")
    rows = list(csv.DictReader(open(runs[0])))
    key = next(k for k in rows[-1] if "clip" in k and "auc" in k)
    aucs.append(float(rows[-1][key]))
    print(f"seed {s}: clip AUC {aucs[-1]:.3f} (epoch {len(rows)})")
print(f"EfficientNet-B0, 6 seeds: clip AUC {statistics.mean(aucs):.3f} ± {statistics.stdev(aucs):.3f}")
PY
