#!/usr/bin/env bash
# Does each backbone learn? Trains (backbone, fold) jobs on a synthetic dataset and prints each
# job's metrics.csv (per epoch: train loss, out-of-fold clip AUC and soundscape AUC).
#
#   tools/learning_check.sh [--chorus build/chorus] [--out /tmp/chorus-learning] [--preset small]
#                           [--backbones "efficientnet_b0 efficientnetv2_b0"] [--folds "0"] [--epochs 6]
#                           [--threads 1] [-- extra chorus train flags]
#
# The demo preset has about 10 scorable soundscape windows per fold (its AUC moves in big steps);
# the small preset (30 species, 450 clips, 20 soundscapes: ~35 windows per fold) is the default.
# Data and features are made once under OUT and reused; each run's models go to OUT/runs/<tag>.
set -euo pipefail

chorus=build/chorus
out=/tmp/chorus-learning
preset=small
backbones="efficientnet_b0 efficientnetv2_b0"
folds="0"
epochs=6
threads=1
batch=16
while [[ $# -gt 0 ]]; do
  case "$1" in
    --chorus) chorus=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --preset) preset=$2; shift 2 ;;
    --backbones) backbones=$2; shift 2 ;;
    --folds) folds=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "learning_check.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
chorus=$(realpath "$chorus")

data=$out/$preset/data
work=$out/$preset/work
if [[ ! -f $data/train.csv ]]; then
  rm -rf "$out/$preset"
  "$chorus" synth --preset "$preset" --seed 2026 --out "$data" --solution "$out/$preset/solution.csv"
fi
"$chorus" prep --data "$data" --work "$work"
for set in train_audio train_soundscapes; do  # reruns reuse finished parts
  "$chorus" features --data "$data" --work "$work" --set "$set" --threads "$threads"
done

# One models folder per set of extra flags, so that runs with other options never resume each other.
tag=$(echo "e${epochs}-b${batch} $*" | tr -c 'A-Za-z0-9.=-' '_' | sed 's/_*$//')
runs=$out/$preset/runs/$tag
mkdir -p "$runs"
ln -sfn "$work/meta" "$runs/meta"
ln -sfn "$work/features" "$runs/features"
for backbone in $backbones; do
  for fold in $folds; do
    "$chorus" train --data "$data" --work "$runs" --job "$backbone/$fold" --epochs "$epochs" --batch-size "$batch" \
      --threads "$threads" --device cpu "$@"
  done
done
for backbone in $backbones; do
  for fold in $folds; do
    echo "== $backbone fold $fold ($preset, $epochs epochs, batch $batch${*:+, $*}): $runs/models/$backbone-f$fold/metrics.csv"
    cat "$runs/models/$backbone-f$fold/metrics.csv"
  done
done
