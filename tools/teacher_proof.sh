#!/usr/bin/env bash
# Does a teacher move the score? (README "Teachers", issue 14.4.) On the synthetic demo data:
#   teacher  a chorus ensemble trained the honest way on a larger synthetic training set with the
#            same species (synth with the same seed, so the same species, and TEACHER_CLIPS train
#            clips instead of the demo's 150), run by chorus infer over the student's
#            train_soundscapes and test_soundscapes, written as teacher stores
#            (tools/teacher_from_predictions.py);
#   students the same jobs (BACKBONE x FOLDS, same options) per training seed in SEEDS:
#            base     no teacher
#            pseudo   chorus pseudo --teacher (the teacher alone) -> train --pseudo
#            distil   train --distil (teacher store over train_soundscapes)
#            member   base's models, chorus infer --teacher (the teacher one more reducer member)
#   per row: the pooled out-of-fold soundscape AUC (each labelled window predicted by the model of
#   its held-out fold; chorus score) and the hidden-test score of its submission (chorus score).
#   The member row's models are base's, so its out-of-fold AUC is base's (the teacher only joins
#   at inference). The teacher also trained on the labelled train_soundscapes windows the student
#   has (the same seed makes the same soundscapes); it never saw a test soundscape.
# Usage: tools/teacher_proof.sh [DIR]   (default /work/exp/h-teach/proof; rerun-safe: finished steps
#        are skipped). Rows go to DIR/results.tsv as they finish.
# Env:   CHORUS (build/chorus), BACKBONE (efficientnetv2_b0), FOLDS ("0 1"), EPOCHS (3), BATCH (16),
#        TEACHER_CLIPS (450), TEACHER_FOLDS ("0 1 2"), TEACHER_EPOCHS (4), SEEDS ("1 2"), NP (2),
#        DATA_SEED (2026), DISTIL_WEIGHT (1), TEACHER_WEIGHT (0.3), THRESHOLD (0.5)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:-/work/exp/h-teach/proof}
CHORUS=${CHORUS:-$ROOT/build/chorus}
BACKBONE=${BACKBONE:-efficientnetv2_b0}
FOLDS=${FOLDS:-0 1}
EPOCHS=${EPOCHS:-3}
BATCH=${BATCH:-16}
TEACHER_CLIPS=${TEACHER_CLIPS:-450}
TEACHER_FOLDS=${TEACHER_FOLDS:-0 1 2}
TEACHER_EPOCHS=${TEACHER_EPOCHS:-4}
SEEDS=${SEEDS:-1 2}
NP=${NP:-2}
DATA_SEED=${DATA_SEED:-2026}
DISTIL_WEIGHT=${DISTIL_WEIGHT:-1}
TEACHER_WEIGHT=${TEACHER_WEIGHT:-0.3}
THRESHOLD=${THRESHOLD:-0.5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun -np "$NP" --mca btl self,vader,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
mkdir -p "$DIR"
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

# synth + prep + features of one dataset: prepare DIR EXTRA_SYNTH_ARGS...
prepare() {
  local d=$1; shift
  [ -f "$d/data/train.csv" ] || "$CHORUS" synth --out "$d/data" --solution "$d/solution.csv" --preset demo \
    --seed "$DATA_SEED" "$@"
  [ -f "$d/work/meta/species_list.csv" ] || "$CHORUS" prep --data "$d/data" --work "$d/work"
  for set in train_audio train_soundscapes test_soundscapes; do
    [ -f "$d/work/features/$set.h5" ] || "${MPIRUN[@]}" "$CHORUS" features --data "$d/data" --work "$d/work" --set "$set"
  done
}

# The student: the demo data. The teacher: the same species, TEACHER_CLIPS clips.
STUDENT=$DIR/student TEACHER=$DIR/teacher
log "data"
prepare "$STUDENT"
prepare "$TEACHER" --train-clips "$TEACHER_CLIPS"
# The same classes in the same order (the per-species counts differ, of course).
cmp -s <(cut -d, -f2 "$STUDENT/work/meta/species_list.csv") <(cut -d, -f2 "$TEACHER/work/meta/species_list.csv") ||
  { echo "teacher and student species lists differ" >&2; exit 1; }

log "teacher: $BACKBONE folds $TEACHER_FOLDS, $TEACHER_EPOCHS epochs on $TEACHER_CLIPS clips"
"${MPIRUN[@]}" "$CHORUS" train --data "$TEACHER/data" --work "$TEACHER/work" --backbones "$BACKBONE" \
  --folds $TEACHER_FOLDS --epochs "$TEACHER_EPOCHS" --batch-size "$BATCH" --threads 1 --device cpu --seed 7
for set in train_soundscapes test_soundscapes; do
  [ -f "$DIR/teacher_$set.h5" ] && continue
  "${MPIRUN[@]}" "$CHORUS" infer --data "$STUDENT/data" --work "$TEACHER/work" --set "$set" --threads 1 \
    --out "$DIR/teacher_$set.csv"
  python3 "$ROOT/tools/teacher_from_predictions.py" "$TEACHER/work/infer/predictions.h5" "$DIR/teacher_$set.h5" \
    --name "chorus-$BACKBONE-x${TEACHER_CLIPS}clips"
done
score() { "$CHORUS" score --solution "$1" --submission "$2" | tail -1; }
TEACHER_TEST=$(score "$STUDENT/solution.csv" "$DIR/teacher_test_soundscapes.csv")
log "teacher alone, hidden test: $TEACHER_TEST"

# Pooled out-of-fold soundscape AUC of WORK's models (suffix "" or -r1) over FOLDS (tools/pooled_oof.py).
oof_auc() {
  local work=$1 suffix=$2 jobs=()
  for f in $FOLDS; do jobs+=("$BACKBONE-f$f$suffix"); done
  python3 "$ROOT/tools/pooled_oof.py" "$work" "$work/oof${suffix:--r0}" "${jobs[@]}" >&2
  score "$work/oof${suffix:--r0}.solution.csv" "$work/oof${suffix:--r0}.submission.csv"
}

# A student work folder sharing the student's meta/ and features/.
student_work() {
  local w=$1
  mkdir -p "$w"
  [ -e "$w/meta" ] || ln -s "$STUDENT/work/meta" "$w/meta"
  [ -e "$w/features" ] || ln -s "$STUDENT/work/features" "$w/features"
}

RESULTS=$DIR/results.tsv
[ -f "$RESULTS" ] || printf "seed\trow\toof_soundscape_auc\thidden_test\n" >"$RESULTS"
row() { grep -q "^$1	$2	" "$RESULTS" || printf "%s\t%s\t%s\t%s\n" "$@" >>"$RESULTS"; log "seed $1 $2: OOF $3, test $4"; }
for seed in $SEEDS; do
  TRAIN=(train --data "$STUDENT/data" --backbones "$BACKBONE" --folds $FOLDS --epochs "$EPOCHS" --batch-size "$BATCH"
         --threads 1 --device cpu --seed "$seed")
  INFER=(infer --data "$STUDENT/data" --threads 1 --tta orig reverse)
  # base
  W=$DIR/s$seed/base; student_work "$W"
  "${MPIRUN[@]}" "$CHORUS" "${TRAIN[@]}" --work "$W"
  [ -f "$W/submission.csv" ] || "${MPIRUN[@]}" "$CHORUS" "${INFER[@]}" --work "$W" --out "$W/submission.csv"
  BASE_OOF=$(oof_auc "$W" "")
  row "$seed" base "$BASE_OOF" "$(score "$STUDENT/solution.csv" "$W/submission.csv")"
  # member: base's models, the teacher joins the reducer
  [ -f "$W/submission_member.csv" ] || "${MPIRUN[@]}" "$CHORUS" "${INFER[@]}" --work "$W" --out "$W/submission_member.csv" \
    --teacher "$DIR/teacher_test_soundscapes.h5" --teacher-weight "$TEACHER_WEIGHT"
  row "$seed" "member (w $TEACHER_WEIGHT)" "$BASE_OOF" "$(score "$STUDENT/solution.csv" "$W/submission_member.csv")"
  # distil
  W=$DIR/s$seed/distil; student_work "$W"
  "${MPIRUN[@]}" "$CHORUS" "${TRAIN[@]}" --work "$W" --distil "$DIR/teacher_train_soundscapes.h5" \
    --distil-weight "$DISTIL_WEIGHT"
  [ -f "$W/submission.csv" ] || "${MPIRUN[@]}" "$CHORUS" "${INFER[@]}" --work "$W" --out "$W/submission.csv"
  row "$seed" "distil (w $DISTIL_WEIGHT)" "$(oof_auc "$W" "")" "$(score "$STUDENT/solution.csv" "$W/submission.csv")"
  # pseudo: the teacher's labels alone, then round 1
  W=$DIR/s$seed/pseudo; student_work "$W"
  [ -f "$W/pseudo/r1/pseudo_labels_soft.csv" ] || "$CHORUS" pseudo --data "$STUDENT/data" --work "$W" --round 1 \
    --teacher "$DIR/teacher_train_soundscapes.h5" --threshold "$THRESHOLD"
  "${MPIRUN[@]}" "$CHORUS" "${TRAIN[@]}" --work "$W" --pseudo "$W/pseudo/r1"
  MODELS=(); for f in $FOLDS; do MODELS+=("$BACKBONE-f$f-r1"); done
  [ -f "$W/submission.csv" ] || "${MPIRUN[@]}" "$CHORUS" "${INFER[@]}" --work "$W" --out "$W/submission.csv" \
    --models "${MODELS[@]}"
  row "$seed" "pseudo (teacher alone)" "$(oof_auc "$W" -r1)" "$(score "$STUDENT/solution.csv" "$W/submission.csv")"
done
log "teacher alone, hidden test: $TEACHER_TEST"
column -t -s $'\t' "$RESULTS"
