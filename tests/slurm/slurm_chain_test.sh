#!/usr/bin/env bash
# The SLURM chain on a real SLURM: starts slurmctld + slurmd (Debian's, 22.05) with a minimal
# slurm.conf in a temporary folder, submits slurm/submit_pipeline.sh --synth --wait on a tiny
# synthetic dataset, and checks what the chain left: the 10-task training array's models, the
# pseudo-labels and the 10 retrained models, the report, and a submission scored against the hidden
# solution. The daemons are stopped by the pids in their pid files, on success and on failure alike.
#   tests/slurm/slurm_chain_test.sh CHORUS_BINARY SOURCE_DIR
set -euo pipefail
CHORUS=$(realpath "$1")
SRC=$(realpath "$2")
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

# The site: this machine's cores, the whole (backbone, fold) grid as a 10-task array.
cat >"$TMP/site.env" <<SITE
CHORUS_BIN="$CHORUS"
CHORUS_GPUS_PER_NODE=0
CHORUS_CPUS_PER_TASK=1
CHORUS_FEATURES_NODES=1
CHORUS_FEATURES_TASKS_PER_NODE=2
CHORUS_TRAIN_NODES=1
CHORUS_TRAIN_TASKS_PER_NODE=1
CHORUS_PSEUDO_TASKS=2
CHORUS_INFER_TASKS=2
CHORUS_MAX_PARALLEL_TRAIN=10
CHORUS_TIME_PREP=00:10:00
CHORUS_TIME_FEATURES=00:10:00
CHORUS_TIME_TRAIN=00:10:00
CHORUS_TIME_PSEUDO=00:10:00
CHORUS_TIME_INFER=00:10:00
CHORUS_SIGNAL_SECONDS=60
CHORUS_BACKBONES="efficientnet_b0 convnext_atto"
CHORUS_FOLDS="0 1 2 3 4"
SITE
# Tiny: 6 species, 30 clips, 1 epoch of 2 steps per model, one torch thread per task. The array keeps
# its real shape (10 tasks: both backbones x 5 folds): that is what the chain is about.
cat >"$TMP/tiny.toml" <<'TOML'
[synth]
preset = "demo"
seed = 7
species = 6
train-clips = 30
train-soundscapes = 4
test-soundscapes = 2

[train]
epochs = 1
warmup-epochs = 0
max-steps-per-epoch = 2
batch-size = 4
eval-batch-size = 16
threads = 1

# Pseudo-labels and inference: the 10 models without TTA, one thread per rank.
[pseudo]
tta = ["orig"]
threads = 1

[infer]
tta = ["orig"]
threads = 1
time-budget = 0
TOML

start=$(date +%s)
"$SRC/slurm/submit_pipeline.sh" --synth --data "$TMP/data" --work "$TMP/work" --solution "$TMP/solution.csv" \
  --config "$TMP/tiny.toml" --site "$TMP/site.env" --wait | tee "$TMP/submitted.txt"
echo "chain finished in $(( $(date +%s) - start )) s"

fail() { echo "FAIL: $*"; exit 1; }
grep -q '^train ' "$TMP/submitted.txt" || fail "no training array submitted"
# Every link ran as a SLURM job and wrote its log with header and footer.
for stage in synth prep features pseudo-r1 infer report; do
  ls "$TMP"/work/slurm/$stage-*.out >/dev/null 2>&1 || fail "no log of the $stage job"
done
logs=$(ls "$TMP"/work/slurm/train-*_*.out | wc -l)
[[ $logs -eq 10 ]] || fail "expected 10 training array task logs, found $logs"
logs=$(ls "$TMP"/work/slurm/retrain-r1-*_*.out | wc -l)
[[ $logs -eq 10 ]] || fail "expected 10 retraining array task logs, found $logs"
grep -h "^== exit" "$TMP"/work/slurm/*.out | grep -vq "exit 0" && fail "a job exited non-zero"
# The 10 (backbone, fold) models and their round-1 retraining, each with its metrics and
# out-of-fold predictions.
[[ -s "$TMP/work/pseudo/r1/pseudo_labels_soft.csv" ]] || fail "no pseudo-labels of round 1"
for b in efficientnet_b0 convnext_atto; do
  for f in 0 1 2 3 4 0-r1 1-r1 2-r1 3-r1 4-r1; do
    d="$TMP/work/models/$b-f$f"
    [[ -s "$d/metrics.csv" && -s "$d/oof.csv" ]] || fail "$d lacks metrics.csv or oof.csv"
    [[ $(wc -l <"$d/metrics.csv") -eq 2 ]] || fail "$d/metrics.csv: expected 1 epoch"
  done
done
# The features job ran as 2 ranks (srun --mpi=pmix).
[[ -s "$TMP/work/logs/features.rank1.log" ]] || fail "features did not run a second rank (no logs/features.rank1.log)"
# The report of the chain: one training curve per model.
[[ -s "$TMP/work/report.html" ]] || fail "no report.html"
curves=$(grep -o 'class="curve" data-model="[^"]*"' "$TMP/work/report.html" | sort -u | wc -l)
[[ $curves -eq 20 ]] || fail "report.html draws $curves distinct model curves, expected 20 (10 per round)"
# The chain ends in a submission scored against the hidden solution.
[[ -s "$TMP/work/submission.csv" ]] || fail "no submission.csv"
[[ $(wc -l <"$TMP/work/submission.csv") -eq $(wc -l <"$TMP/data/sample_submission.csv") ]] ||
  fail "submission.csv and sample_submission.csv differ in rows"
score=$(tail -n 1 "$TMP/work/score.txt")
awk -v s="$score" 'BEGIN { exit !(s ~ /^[0-9.]+$/ && s + 0 >= 0 && s + 0 <= 1) }' || fail "score '$score' is not in [0,1]"
echo "submission scored $score against the hidden solution"
echo "PASS"
