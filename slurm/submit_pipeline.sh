#!/usr/bin/env bash
# Submits the whole chain as sbatch jobs linked by --dependency=afterok:
#   [synth] -> prep -> features -> train (array: one task per backbone x fold)
#           -> pseudo-r1 -> retrain-r1 (array) [-> ... per CHORUS_PSEUDO_ROUNDS] -> infer (+ score) -> report
# Every job is --requeue'able; training gets --signal=B:USR1@T (checkpoint, then requeue; the
# requeued task resumes). A failed job cancels the jobs that depend on it (--kill-on-invalid-dep).
#
#   slurm/submit_pipeline.sh --data DIR --work WORK [--config FILE] [--site slurm/site.env]
#                            [--synth --solution FILE] [--wait]
# --synth: generate a synthetic dataset into DIR first (and its hidden solution into FILE, which the
# submission is then scored against). --wait: block until the chain ends; the exit code is the last
# job's. Prints the job ids, one line per stage.
set -euo pipefail
SLURM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data="" work="" config="" site="$SLURM_DIR/site.env" synth=0 solution="" wait=0
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --site) site=$2; shift 2 ;;
    --synth) synth=1; shift ;;
    --solution) solution=$2; shift 2 ;;
    --wait) wait=1; shift ;;
    -h|--help) usage ;;
    *) echo "submit_pipeline: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ -n "$data" && -n "$work" ]] || { echo "submit_pipeline: --data and --work are required" >&2; usage; }
((synth == 0)) || [[ -n "$solution" ]] || { echo "submit_pipeline: --synth needs --solution FILE" >&2; exit 2; }
abs() { mkdir -p "$(dirname "$1")"; echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
data=$(abs "$data"); work=$(abs "$work")
[[ -n "$config" ]] && config=$(abs "$config")
[[ -n "$solution" ]] && solution=$(abs "$solution")
site=$(abs "$site")
# shellcheck disable=SC1090
source "$site"
mkdir -p "$work/slurm"

export CHORUS_SLURM_DIR="$SLURM_DIR" CHORUS_SITE="$site" CHORUS_DATA="$data" CHORUS_WORK="$work" \
       CHORUS_CONFIG="$config" CHORUS_SOLUTION="$solution"
# --open-mode=append: a requeued job adds to its log instead of replacing the first run's.
common=(--parsable --requeue --open-mode=append --export=ALL --kill-on-invalid-dep=yes --chdir="$work")
[[ -n "${CHORUS_PARTITION:-}" ]] && common+=(--partition="$CHORUS_PARTITION")
[[ -n "${CHORUS_ACCOUNT:-}" ]] && common+=(--account="$CHORUS_ACCOUNT")
[[ -n "${CHORUS_QOS:-}" ]] && common+=(--qos="$CHORUS_QOS")
# shellcheck disable=SC2206
[[ -n "${CHORUS_EXTRA_SBATCH:-}" ]] && common+=($CHORUS_EXTRA_SBATCH)
gpus=(); [[ "${CHORUS_GPUS_PER_NODE:-0}" -gt 0 ]] && gpus=(--gpus-per-node="$CHORUS_GPUS_PER_NODE")
signal=(--signal="B:USR1@${CHORUS_SIGNAL_SECONDS:-120}")

read -r -a backbones <<<"$CHORUS_BACKBONES"
read -r -a folds <<<"$CHORUS_FOLDS"
tasks=$((${#backbones[@]} * ${#folds[@]}))
array="0-$((tasks - 1))%${CHORUS_MAX_PARALLEL_TRAIN:-$tasks}"

last="" jobs=()
# submit NAME SBATCH-ARGS... SCRIPT: one job after the previous one succeeded.
submit() {
  local name=$1; shift
  local dep=(); [[ -n "$last" ]] && dep=(--dependency="afterok:$last")
  local log="$work/slurm/$name-%j.out"
  [[ " $* " == *" --array="* ]] && log="$work/slurm/$name-%A_%a.out"
  last=$(sbatch "${common[@]}" "${dep[@]}" --output="$log" "$@")
  last=${last%%;*}
  jobs+=("$last")
  echo "$name $last"
}

((synth)) && submit synth --time="$CHORUS_TIME_PREP" "$SLURM_DIR/synth.sbatch"
submit prep --time="$CHORUS_TIME_PREP" "$SLURM_DIR/prep.sbatch"
submit features --time="$CHORUS_TIME_FEATURES" --nodes="$CHORUS_FEATURES_NODES" \
  --ntasks-per-node="$CHORUS_FEATURES_TASKS_PER_NODE" --cpus-per-task="$CHORUS_CPUS_PER_TASK" "$SLURM_DIR/features.sbatch"
submit train --time="$CHORUS_TIME_TRAIN" --array="$array" --nodes="$CHORUS_TRAIN_NODES" \
  --ntasks-per-node="$CHORUS_TRAIN_TASKS_PER_NODE" --cpus-per-task="$CHORUS_CPUS_PER_TASK" "${gpus[@]}" "${signal[@]}" \
  "$SLURM_DIR/train.sbatch"
# Noisy student, CHORUS_PSEUDO_ROUNDS rounds: round r's labels from round r-1's models, then the
# array again with them (models/<backbone>-f<k>-r<r>/).
for ((r = 1; r <= ${CHORUS_PSEUDO_ROUNDS:-1}; ++r)); do
  submit "pseudo-r$r" --time="$CHORUS_TIME_PSEUDO" --ntasks="$CHORUS_PSEUDO_TASKS" --cpus-per-task="$CHORUS_CPUS_PER_TASK" \
    "${gpus[@]}" "${signal[@]}" --export=ALL,CHORUS_ROUND="$r" "$SLURM_DIR/pseudo.sbatch"
  submit "retrain-r$r" --time="$CHORUS_TIME_TRAIN" --array="$array" --nodes="$CHORUS_TRAIN_NODES" \
    --ntasks-per-node="$CHORUS_TRAIN_TASKS_PER_NODE" --cpus-per-task="$CHORUS_CPUS_PER_TASK" "${gpus[@]}" "${signal[@]}" \
    --export=ALL,CHORUS_PSEUDO="$work/pseudo/r$r",CHORUS_ROUND_SUFFIX="-r$r" "$SLURM_DIR/train.sbatch"
done
submit infer --time="$CHORUS_TIME_INFER" --ntasks="$CHORUS_INFER_TASKS" --cpus-per-task="$CHORUS_CPUS_PER_TASK" \
  "${gpus[@]}" "$SLURM_DIR/infer.sbatch"
submit report --time="$CHORUS_TIME_PREP" "$SLURM_DIR/report.sbatch"
if ((wait)); then
  # Wait for the last link (a failed link cancels the rest: kill-on-invalid-dep), then say how every
  # job ended; the exit code is 0 only when all of them COMPLETED.
  while squeue -h -j "$(IFS=,; echo "${jobs[*]}")" 2>/dev/null | grep -q .; do sleep 2; done
  status=0
  for id in "${jobs[@]}"; do
    states=$(scontrol -o show job "$id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
    echo "job $id:${states:- unknown}"
    # Every task COMPLETED, or the chain failed (an unknown state counts as a failure too).
    [[ -n "$states" && -z "$(echo "$states" | grep -o 'JobState=[A-Z_]*' | grep -v COMPLETED)" ]] || status=1
  done
  exit "$status"
fi
