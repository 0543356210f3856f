# A private single-node SLURM for the tests (Debian's slurmctld + slurmd 22.05, the configuration
# of MACHINE_NOTES.md) in a temporary folder. Source it: it sets TMP and SLURM_CONF, starts both
# daemons, waits for the node, and on exit (success, failure, or a signal) cancels the jobs and
# stops the daemons by the pids in their pid files; TMP is kept only when the test failed.
for tool in slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (tools/setup.sh installs it)"; exit 77; }
done
TMP=$(mktemp -d /tmp/chorus-slurm.XXXXXX)
stop_daemons() {
  local rc=$?
  trap - EXIT INT TERM
  # Jobs first (their steps outlive slurmd), then the daemons.
  [[ -n "${SLURM_CONF:-}" ]] && scancel -u "$(id -un)" 2>/dev/null && sleep 1
  for pidfile in "$TMP/slurmd.pid" "$TMP/slurmctld.pid"; do
    [[ -f "$pidfile" ]] || continue
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if ((rc != 0)); then
    echo "---- failure: logs"; tail -n 30 "$TMP"/slurmctld.log "$TMP"/slurmd.log 2>/dev/null || true
    for f in "$TMP"/work/slurm/*.out; do [[ -f "$f" ]] && { echo "---- $f"; tail -n 25 "$f"; }; done
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap stop_daemons EXIT
trap 'exit 143' INT TERM  # through the EXIT trap

# Ports from the pid, so that two runs on one machine do not collide.
port=$((20000 + ($$ % 20000) * 2))
mkdir -p "$TMP/state" "$TMP/spool"
cat >"$TMP/slurm.conf" <<CONF
ClusterName=chorustest
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
MpiDefault=pmix
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$TMP/slurm.conf"
# Own sessions: stopping a daemon must not signal this script's process group.
setsid slurmctld -f "$SLURM_CONF"
setsid slurmd -f "$SLURM_CONF" -N localhost
for _ in $(seq 100); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 0.2
done
sinfo -h -o "%P %T %c" | grep -q idle || { echo "FAIL: the node never became idle"; exit 1; }

