#!/usr/bin/env bash
# Pre-emption on a real SLURM: the chain of slurm/submit_pipeline.sh with one training task; once
# its first checkpoint exists, the batch shell gets SIGUSR1 (what --signal=B:USR1@T sends before a
# time limit). The script must pass it to chorus (checkpoint, exit 138), requeue the task, and the
# requeued task must resume (--resume) and finish every epoch; the chain then ends in a scored
# submission. Daemons are stopped by their pids afterwards (cluster.sh).
#   tests/slurm/slurm_requeue_test.sh CHORUS_BINARY SOURCE_DIR
set -euo pipefail
CHORUS=$(realpath "$1")
SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"
fail() { echo "FAIL: $*"; exit 1; }

cat >"$TMP/site.env" <<SITE
CHORUS_BIN="$CHORUS"
CHORUS_CPUS_PER_TASK=1
CHORUS_FEATURES_NODES=1
CHORUS_FEATURES_TASKS_PER_NODE=2
CHORUS_TRAIN_NODES=1
CHORUS_TRAIN_TASKS_PER_NODE=1
CHORUS_INFER_TASKS=2
CHORUS_PSEUDO_ROUNDS=0
CHORUS_TIME_PREP=00:10:00
CHORUS_TIME_FEATURES=00:10:00
CHORUS_TIME_TRAIN=00:10:00
CHORUS_TIME_INFER=00:10:00
CHORUS_BACKBONES="convnext_atto"
CHORUS_FOLDS="0"
SITE
cat >"$TMP/tiny.toml" <<'TOML'
[synth]
preset = "demo"
seed = 5
species = 6
train-clips = 30
train-soundscapes = 4
test-soundscapes = 2

[train]
epochs = 6
warmup-epochs = 0
max-steps-per-epoch = 2
batch-size = 4
eval-batch-size = 16
threads = 1

[infer]
tta = ["orig"]
threads = 1
time-budget = 0
TOML

"$SRC/slurm/submit_pipeline.sh" --synth --data "$TMP/data" --work "$TMP/work" --solution "$TMP/solution.csv" \
  --config "$TMP/tiny.toml" --site "$TMP/site.env" --wait >"$TMP/submitted.txt" 2>&1 &
chain=$!
for _ in $(seq 600); do grep -q '^train ' "$TMP/submitted.txt" 2>/dev/null && break; sleep 0.2; done
train=$(awk '$1 == "train" { print $2 }' "$TMP/submitted.txt")
[[ -n "$train" ]] || fail "no training job submitted: $(cat "$TMP/submitted.txt")"
model="$TMP/work/models/convnext_atto-f0"
for _ in $(seq 1500); do [[ -f "$model/last.json" ]] && break; sleep 0.2; done
[[ -f "$model/last.json" ]] || fail "the training task never wrote a checkpoint"
# The warning SLURM sends before a time limit, to the batch shell only (B:).
scancel --signal=USR1 --batch "${train}_0"
echo "sent SIGUSR1 to ${train}_0 after $(grep -c . "$model/metrics.csv" 2>/dev/null || echo 0) metrics lines"
rc=0
wait "$chain" || rc=$?
cat "$TMP/submitted.txt"
((rc == 0)) || fail "the chain did not complete (exit $rc)"

log=$(ls "$TMP"/work/slurm/train-*_0.out)
grep -q "SIGUSR1: checkpoint and requeue" "$log" || fail "the batch shell did not handle SIGUSR1"
grep -q "restart 1" "$log" || fail "the task was not requeued (no 'restart 1' header in $log)"
grep -q "resum" "$log" || fail "the requeued task did not resume"
[[ $(grep -c . "$model/metrics.csv") -eq 7 ]] || fail "metrics.csv should hold 6 epochs: $(cat "$model/metrics.csv")"
score=$(tail -n 1 "$TMP/work/score.txt")
awk -v s="$score" 'BEGIN { exit !(s ~ /^[0-9.]+$/ && s + 0 >= 0 && s + 0 <= 1) }' || fail "score '$score' is not in [0,1]"
echo "---- $log"; cat "$log"
echo "PASS: interrupted, requeued, resumed; submission scored $score"
