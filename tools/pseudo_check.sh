#!/usr/bin/env bash
# A noisy-student round on the synthetic demo data and its effect on the out-of-fold soundscape AUC:
#   synth -> prep -> features -> train round 0 (every fold) -> chorus pseudo (r1) -> train round 1
#   (--pseudo WORK/pseudo/r1) -> both rounds' out-of-fold soundscape predictions, pooled over the
#   folds (each window predicted by the model that never saw it), scored with chorus score.
# Usage: tools/pseudo_check.sh [DIR]        (default: demo-pseudo-check/ in the checkout; rerun-safe:
#        finished steps and jobs are skipped)
# Env:   CHORUS (binary; default build/chorus), BACKBONE (efficientnetv2_b0), FOLDS ("0 1 2 3 4"),
#        EPOCHS (5), BATCH (16), NP (2 ranks: two jobs at a time, one torch thread each),
#        THRESHOLD (0.5), FLOOR (0.05), PSEUDO_P (0.5), SEED (2026: the synthetic dataset)
# Sized for 2 shared cores: about 15-25 minutes with the defaults.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:-$ROOT/demo-pseudo-check}  # demo-*: git-ignored
CHORUS=${CHORUS:-$ROOT/build/chorus}
BACKBONE=${BACKBONE:-efficientnetv2_b0}
FOLDS=${FOLDS:-0 1 2 3 4}
EPOCHS=${EPOCHS:-5}
BATCH=${BATCH:-16}
NP=${NP:-2}
THRESHOLD=${THRESHOLD:-0.5}
FLOOR=${FLOOR:-0.05}
PSEUDO_P=${PSEUDO_P:-0.5}
SEED=${SEED:-2026}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun -np "$NP" --mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
DATA=$DIR/data WORK=$DIR/work
mkdir -p "$DIR"

[ -f "$DATA/train.csv" ] || "$CHORUS" synth --out "$DATA" --solution "$DIR/solution.csv" --preset demo --seed "$SEED"
[ -f "$WORK/meta/species_list.csv" ] || "$CHORUS" prep --data "$DATA" --work "$WORK"
for set in train_audio train_soundscapes; do
  [ -f "$WORK/features/$set.h5" ] || "${MPIRUN[@]}" "$CHORUS" features --data "$DATA" --work "$WORK" --set "$set"
done

# The same options and seed in both rounds: the pseudo labels are the only difference.
TRAIN=(train --data "$DATA" --work "$WORK" --backbones "$BACKBONE" --folds $FOLDS --epochs "$EPOCHS"
       --batch-size "$BATCH" --threads 1 --device cpu --seed 42)
"${MPIRUN[@]}" "$CHORUS" "${TRAIN[@]}"
"${MPIRUN[@]}" "$CHORUS" pseudo --data "$DATA" --work "$WORK" --round 1 --threshold "$THRESHOLD" --floor "$FLOOR" \
  --threads 1 --device cpu
"${MPIRUN[@]}" "$CHORUS" "${TRAIN[@]}" --pseudo "$WORK/pseudo/r1" --pseudo-p "$PSEUDO_P"

# Pooled out-of-fold soundscape predictions of each round against the expert labels.
for suffix in "" -r1; do
  jobs=(); for f in $FOLDS; do jobs+=("$BACKBONE-f$f$suffix"); done
  python3 "$ROOT/tools/pooled_oof.py" "$WORK" "$WORK/oof_soundscapes${suffix:--r0}" "${jobs[@]}"
done
echo "job  best-epoch soundscape AUC: round 0 -> round 1"
for f in $FOLDS; do
  best() { python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(max(float(x['soundscape_auc']) for x in r))" "$1"; }
  echo "$BACKBONE-f$f  $(best "$WORK/models/$BACKBONE-f$f/metrics.csv") -> $(best "$WORK/models/$BACKBONE-f$f-r1/metrics.csv")"
done
for r in r0 r1; do
  score=$("$CHORUS" score --solution "$WORK/oof_soundscapes-$r.solution.csv" --submission "$WORK/oof_soundscapes-$r.submission.csv" | tail -1)
  echo "pooled out-of-fold soundscape AUC, $r: $score"
done
