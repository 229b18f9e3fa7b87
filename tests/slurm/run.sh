#!/usr/bin/env bash
# Runs a sweep on a real one-node Slurm cluster and checks it against a local run of the same
# sweep: starts munge (if no munged runs) and a slurmctld and slurmd configured for this host in a
# temporary folder, submits `mmusim sweep --emit slurm`'s job array with one task cancelled,
# submits the missing task again as a user would, collects, and requires results.csv byte for
# byte equal to the local sweep's. Stops the daemons it started.
#
# usage: tests/slurm/run.sh MMUSIM CONFIG WORKDIR      (as root, with slurm-wlm and munge)
set -euo pipefail
MMUSIM=$(realpath "$1")
CONFIG=$(realpath "$2")
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK/slurm"
WORK=$(realpath "$WORK")
S=$WORK/slurm
export SLURM_CONF=$S/slurm.conf
started_munge=""

fail() {
  echo "slurm test: $*" >&2
  for f in "$S"/slurmctld.log "$S"/slurmd.log; do [ -f "$f" ] && tail -n 20 "$f" >&2; done
  exit 1
}
stop() {
  for p in "$S"/slurmd.pid "$S"/slurmctld.pid; do
    [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
  done
  [ -n "$started_munge" ] && pkill -x munged 2>/dev/null || true
}
trap stop EXIT

[ "$(id -u)" = 0 ] || fail "needs root (the daemons run as root here)"
for tool in slurmctld slurmd sbatch squeue scancel scontrol munged; do
  command -v "$tool" > /dev/null || fail "$tool not found: apt-get install slurm-wlm munge"
done

# munge: a key, its run directory, the daemon.
if ! pgrep -x munged > /dev/null; then
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  su -s /bin/sh munge -c /usr/sbin/munged || fail "munged did not start"
  started_munge=1
fi

host=$(hostname -s)
port() {  # a free TCP port from $1 on
  local p=$1
  while (echo > /dev/tcp/127.0.0.1/$p) 2>/dev/null; do p=$((p + 1)); done
  echo $p
}
ctld_port=$(port 16817)
slurmd_port=$(port $((ctld_port + 1)))
cat > "$SLURM_CONF" <<CONF
ClusterName=mmusim-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$S/state" "$S/spool"
slurmctld || fail "slurmctld did not start"
slurmd || fail "slurmd did not start"
for i in $(seq 1 60); do
  sinfo -h -o %T 2>/dev/null | grep -qx idle && break
  [ "$i" = 60 ] && fail "the node did not come up idle in 30 s"
  sleep 0.5
done

# A small sweep: 4 points.
cat > "$WORK/sweep.yaml" <<SWEEP
base: $CONFIG
set: {workload.count: 3000}
axes:
  system.guest_page: [4K, 2M]
  system.virtualization: [none, ept]
SWEEP
"$MMUSIM" sweep "$WORK/sweep.yaml" -j 2 --out "$WORK/local" > /dev/null
"$MMUSIM" sweep "$WORK/sweep.yaml" --emit slurm --out "$WORK/cluster" > /dev/null

wait_job() {  # JOBID: until no task of it is queued or running
  for i in $(seq 1 240); do
    [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  fail "job $1 did not finish in 120 s"
}
# First submission, held; task 2 cancelled before it runs, then the rest released.
job=$(sbatch --parsable --hold "$WORK/cluster/sweep.sbatch") || fail "sbatch refused the job"
job=${job%%;*}
scancel "${job}_2"
scontrol release "$job"
wait_job "$job"
"$MMUSIM" sweep "$WORK/sweep.yaml" --collect --out "$WORK/cluster" > /dev/null 2>&1 || true
missing=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "status") c = i; next }
                   $c != "ok" { print $1 }' "$WORK/cluster/results.csv" | paste -sd,)
[ "$missing" = 2 ] || fail "after the cancelled task, points not ok: '$missing' (expected 2)"
# The user submits the missing task again.
job2=$(sbatch --parsable --array="$missing" "$WORK/cluster/sweep.sbatch")
wait_job "${job2%%;*}"
"$MMUSIM" sweep "$WORK/sweep.yaml" --collect --out "$WORK/cluster" > /dev/null
cmp "$WORK/local/results.csv" "$WORK/cluster/results.csv" ||
  fail "results.csv from Slurm differs from the local sweep's"
echo "slurm test: 4 points on Slurm (one cancelled, then resubmitted) = the local sweep, byte for byte"
