#!/usr/bin/env bash
# A single-node Slurm cluster from Debian's packages (munge, slurmctld, slurmd), for the
# job-array test (cli/tests/lab/slurm.rs): every daemon runs inside a lab namespace (nsenter
# joins only its network, so the jobs see the host's /sys and cgroups as slurmd expects),
# talks over that namespace's loopback, and keeps its key, config, state and logs in DIR.
#
#   test-support/slurm-single-node.sh up DIR NS   start it; prints SLURM_CONF=DIR/slurm.conf
#   test-support/slurm-single-node.sh down DIR    stop every daemon started in DIR
#
# lab.sh down also ends them (it kills every process in the lab's namespaces).
set -euo pipefail
cmd=${1:-} dir=${2:-}
[ -n "$dir" ] || { echo "usage: slurm-single-node.sh up DIR NS | down DIR" >&2; exit 2; }
stop() {
  for pidfile in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for _ in $(seq 50); do
    alive=""
    for pidfile in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
      [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && alive=1
    done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  for pidfile in "$dir"/slurmd.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -s "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
}
case "$cmd" in
  down) stop; exit 0 ;;
  up) ;;
  *) echo "usage: slurm-single-node.sh up DIR NS | down DIR" >&2; exit 2 ;;
esac
ns=${3:?the lab namespace to run Slurm in}
for tool in munged mungekey slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm-single-node: $tool missing (scripts/setup.sh installs munge, slurmctld, slurmd)" >&2; exit 1; }
done
[ -e "/run/netns/$ns" ] || { echo "slurm-single-node: no namespace $ns" >&2; exit 1; }
mkdir -p "$dir"/state "$dir"/spool "$dir"/log
dir=$(cd "$dir" && pwd)
in_ns() { nsenter --net="/run/netns/$ns" "$@"; }
mungekey --create --force --keyfile="$dir/munge.key"
in_ns munged --force --socket="$dir/munge.sock" --key-file="$dir/munge.key" \
  --log-file="$dir/log/munged.log" --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed"
# The node as slurmd sees this machine's hardware, renamed.
node=$(slurmd -C | head -n1 | sed 's/^NodeName=[^ ]*/NodeName=labnode NodeAddr=127.0.0.1/')
cat > "$dir/slurm.conf" <<CONF
ClusterName=masscanlab
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/linear
MpiDefault=none
ReturnToService=2
$node State=UNKNOWN
PartitionName=lab Nodes=labnode Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
in_ns slurmctld
in_ns slurmd -N labnode
for _ in $(seq 100); do
  if in_ns sinfo -h -o %t 2>/dev/null | grep -qx idle; then
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "slurm-single-node: the node never became idle; logs in $dir/log:" >&2
tail -n 5 "$dir"/log/*.log >&2 || true
stop
exit 1
