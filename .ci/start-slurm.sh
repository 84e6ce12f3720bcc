#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the Slurm executor's tests: writes
# /etc/slurm/slurm.conf for this host (its CPUs and memory), starts munged, slurmctld and
# slurmd (as root, no systemd, no cgroups), and waits until sinfo shows the node idle.
# Installs Debian's slurm-wlm and munge first if they are missing. Idempotent: if the node
# is already up, it does nothing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi

missing=()
for p in slurm-wlm munge; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if ((${#missing[@]} > 0)); then
	echo "start-slurm: installing ${missing[*]}"
	apt-get update -q
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

node_state() { sinfo -h -N -o '%T' 2>/dev/null | head -n1; }

case "$(node_state)" in
idle | mixed | allocated)
	echo "start-slurm: Slurm already running ($(node_state))"
	exit 0
	;;
esac

host=$(hostname -s)
cpus=$(nproc)
# Leave some memory to the system; RealMemory must not exceed what slurmd finds.
mem=$(free -m | awk '/^Mem:/ {print int($2 * 0.9)}')

mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/munge /var/log/munge /var/lib/munge
cat >/etc/slurm/slurm.conf <<EOF
# Written by qcmb's .ci/start-slurm.sh: one node, this machine.
ClusterName=qcmb-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups in the CI sandbox: track job processes by parent process.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((mem / cpus))
ReturnToService=2
KillWait=5
MinJobAge=5
InactiveLimit=0
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

chown munge:munge /run/munge /var/log/munge /var/lib/munge
if [ ! -s /etc/munge/munge.key ]; then
	mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
	chown munge:munge /etc/munge/munge.key
	chmod 400 /etc/munge/munge.key
fi
if ! pgrep -x munged >/dev/null; then
	runuser -u munge -- /usr/sbin/munged
fi
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

for _ in $(seq 1 60); do
	case "$(node_state)" in
	idle | mixed | allocated)
		sinfo
		exit 0
		;;
	down* | drain* | *'*')
		scontrol update NodeName="$host" State=RESUME 2>/dev/null || true
		;;
	esac
	sleep 0.5
done
echo "start-slurm: node not idle after 30 s:" >&2
sinfo >&2 || true
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
