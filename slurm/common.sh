# Sourced by every sbatch script of the chain: site settings, the chorus command, logging, and the
# signal forwarding that turns SLURM's pre-emption warning into a checkpoint and a requeue.
# submit_pipeline.sh exports CHORUS_SLURM_DIR, CHORUS_SITE, CHORUS_DATA, CHORUS_WORK, CHORUS_CONFIG.
set -euo pipefail
# shellcheck disable=SC1090
[[ -n "${CHORUS_SITE:-}" ]] && source "$CHORUS_SITE"
if [[ -n "${CHORUS_MODULES:-}" ]]; then
  # shellcheck disable=SC2086
  module load $CHORUS_MODULES
fi

if [[ -n "${CHORUS_CONTAINER:-}" ]]; then
  nv=""; [[ "${CHORUS_GPUS_PER_NODE:-0}" -gt 0 ]] && nv="--nv"
  CHORUS=(apptainer exec $nv --bind "$CHORUS_WORK" --bind "$CHORUS_DATA" "$CHORUS_CONTAINER" chorus)
else
  CHORUS=("$CHORUS_BIN")
fi
CONFIG_ARGS=(); [[ -n "${CHORUS_CONFIG:-}" ]] && CONFIG_ARGS=(--config "$CHORUS_CONFIG")
SRUN=(srun --mpi="${CHORUS_SRUN_MPI:-pmix}" --kill-on-bad-exit=1)

# A header and footer around each job's log, as Kaldi's slurm.pl writes them: where and what ran.
echo "== ${SLURM_JOB_NAME:-?} job ${SLURM_JOB_ID:-?}${SLURM_ARRAY_TASK_ID:+ task $SLURM_ARRAY_TASK_ID} on $(hostname)" \
     "at $(date -u +%FT%TZ), restart ${SLURM_RESTART_COUNT:-0}, nodes ${SLURM_JOB_NODELIST:-?}, tasks ${SLURM_NTASKS:-?}"
trap 'rc=$?; echo "== exit $rc at $(date -u +%FT%TZ)"' EXIT

# run_step CMD...: runs CMD (an srun line) in the background, so that the batch shell can catch
# SIGUSR1 (sbatch --signal=B:USR1@T). On the signal, chorus gets SIGUSR1 (it writes a checkpoint
# and exits with 128+10), and the job is requeued: the requeued run starts with --resume.
run_step() {
  "$@" &
  local pid=$!
  # (|| true: chorus exits 138 after its checkpoint, and errexit must not skip the requeue)
  trap "echo '== SIGUSR1: checkpoint and requeue'; kill -USR1 $pid 2>/dev/null || true; wait $pid || true; \
        scontrol requeue ${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}${SLURM_ARRAY_TASK_ID:+_$SLURM_ARRAY_TASK_ID}; exit 0" USR1
  local rc=0
  wait "$pid" || rc=$?
  trap - USR1
  return "$rc"
}

# The training job of array task $1 over the site's grid: "BACKBONE/FOLD".
job_of_task() {
  local -a backbones folds
  read -r -a backbones <<<"$CHORUS_BACKBONES"
  read -r -a folds <<<"$CHORUS_FOLDS"
  local n=${#folds[@]}
  echo "${backbones[$(($1 / n))]}/${folds[$(($1 % n))]}"
}
