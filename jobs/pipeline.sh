#!/usr/bin/env bash
# The SLURM chain on one workstation with mpirun, stage by stage, each with the ranks it can use:
#   prep (1 process) -> features (CPU ranks) -> train (GPU ranks: the 10 backbone x fold jobs spread
#   over rank groups) -> pseudo + retrain per round -> infer (GPU ranks, rank 0 reduces) -> score
#
#   jobs/pipeline.sh --data DIR --work WORK [--config FILE] [--gpus 4] [--cpu-ranks 8]
#                    [--pseudo-rounds 1] [--synth --solution FILE] [--chorus build/chorus]
# Rerunnable: every stage keeps what is finished (features keep complete parts, train skips finished
# jobs and resumes unfinished ones from their last checkpoint), so after a crash run it again.
# The same in one command, with stage markers and a summary: mpirun -np G chorus run --config ...
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="" work="" config="" gpus=0 cpu_ranks=$(nproc) rounds=1 synth=0 solution="" chorus="$ROOT/build/chorus"
usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --gpus) gpus=$2; shift 2 ;;
    --cpu-ranks) cpu_ranks=$2; shift 2 ;;
    --pseudo-rounds) rounds=$2; shift 2 ;;
    --synth) synth=1; shift ;;
    --solution) solution=$2; shift 2 ;;
    --chorus) chorus=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "pipeline: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ -n "$data" && -n "$work" ]] || usage
((synth == 0)) || [[ -n "$solution" ]] || { echo "pipeline: --synth needs --solution FILE" >&2; exit 2; }
# Training and inference ranks: one per GPU (chorus maps node-local ranks to GPUs); CPU only: 2.
gpu_ranks=$((gpus > 0 ? gpus : 2))
MPIRUN=(mpirun --bind-to none)
[[ $(id -u) -eq 0 ]] && MPIRUN+=(--allow-run-as-root)
((cpu_ranks > $(nproc) || gpu_ranks > $(nproc))) && MPIRUN+=(--oversubscribe)
cfg=(); [[ -n "$config" ]] && cfg=(--config "$config")
step() { echo "== $* ($(date -u +%T))"; }

if ((synth)); then step synth; "$chorus" synth "${cfg[@]}" --out "$data" --solution "$solution"; fi
step prep;     "$chorus" prep "${cfg[@]}" --data "$data" --work "$work"
step features; "${MPIRUN[@]}" -np "$cpu_ranks" "$chorus" features "${cfg[@]}" --data "$data" --work "$work"
step train;    "${MPIRUN[@]}" -np "$gpu_ranks" "$chorus" train "${cfg[@]}" --data "$data" --work "$work"
for ((r = 1; r <= rounds; ++r)); do
  step "pseudo r$r";  "${MPIRUN[@]}" -np "$gpu_ranks" "$chorus" pseudo "${cfg[@]}" --data "$data" --work "$work" --round "$r"
  step "retrain r$r"; "${MPIRUN[@]}" -np "$gpu_ranks" "$chorus" train "${cfg[@]}" --data "$data" --work "$work" \
                        --pseudo "$work/pseudo/r$r"
done
step infer;    "${MPIRUN[@]}" -np "$gpu_ranks" "$chorus" infer "${cfg[@]}" --data "$data" --work "$work" \
                 --out "$work/submission.csv"
if [[ -n "$solution" ]]; then
  step score;  "$chorus" score --solution "$solution" --submission "$work/submission.csv" | tee "$work/score.txt"
fi
step report;   "$chorus" report --work "$work"
