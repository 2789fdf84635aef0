#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the cluster tests and for trying the Slurm
# executor by hand (issue 19). Needs root and Debian's `slurm-wlm` and `munge`.
#
#   scripts/slurm-cluster.sh start    start (or reuse) the cluster; last stdout line: SLURM_CONF=...
#   scripts/slurm-cluster.sh stop     stop the slurmctld/slurmd started from the folder (not munged)
#   scripts/slurm-cluster.sh status   sinfo and squeue
#
# Folder: ${DGMW_SLURM_DIR:-/tmp/dgmw-slurm} (slurm.conf, state, spool, pid and log files).
# Ports: slurmctld ${DGMW_SLURM_PORT:-6817}, slurmd the next one; a second cluster on the same
# machine (another folder) needs other ports.
# Settings: those the team measured to work here (compute notes, "Slurm on one machine").
#
# Measured on the 2-core test machine (slurm-wlm 22.05.8): a fresh start takes 2-6 s, a start
# that finds the cluster healthy 0.05 s. A requeued job (`scontrol requeue`) is held PENDING with
# reason BeginTime for cred_expire + 1 s and then waits for a scheduler pass: 11-14 s with the
# settings below; 22 s with the default scheduler intervals; with Slurm's default cred_expire
# (120 s) over two minutes.
set -euo pipefail

DIR="${DGMW_SLURM_DIR:-/tmp/dgmw-slurm}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"
HOST="$(hostname -s)"
PORT="${DGMW_SLURM_PORT:-6817}"

die() {
  echo "slurm-cluster: $*" >&2
  exit 1
}

require_tools() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (it starts munged, slurmctld and slurmd); run it with sudo."
  local missing=()
  for tool in slurmctld slurmd sbatch squeue sinfo scontrol; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
  done
  [ -x /usr/sbin/munged ] || missing+=(munged)
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing ${missing[*]}: install them with \`apt-get install slurm-wlm munge\`."
  fi
}

# The process whose pid is in FILE, if it is alive and was started with this folder's slurm.conf.
ours() {
  local file="$1" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CONF" || return 1
  echo "$pid"
}

node_state() { sinfo -h -n "$HOST" -o '%T' 2>/dev/null | head -n1; }

healthy() {
  ours "$DIR/slurmctld.pid" >/dev/null && ours "$DIR/slurmd.pid" >/dev/null || return 1
  case "$(node_state)" in
    idle | mixed | allocated | completing | idle+* | mixed+* | allocated+*) return 0 ;;
    *) return 1 ;;
  esac
}

write_conf() {
  local mem_mib
  # RealMemory a little under the machine's so the node is never refused for "low memory".
  mem_mib=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 1024))
  cat >"$1" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node cluster for the workbench's tests.
ClusterName=dgmw
SlurmctldHost=$HOST
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire is also how long a requeued job waits (BeginTime) before it may start again: the
# default 120 s would make every requeue test wait two minutes.
AuthInfo=cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
# The main scheduler and backfill every few seconds (defaults 60 s / 30 s): a requeued job whose
# BeginTime has passed is started by one of these passes, not by an event.
SchedulerParameters=sched_interval=2,bf_interval=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
KillWait=5
MinJobAge=600
ReturnToService=2
NodeName=$HOST CPUs=$(nproc) RealMemory=$mem_mib State=UNKNOWN
# Up to 4 jobs share each core: test files run in parallel and submit at once, and with one job
# per core a long job of one suite starves the next (a 2-core machine had two slots).
PartitionName=debug Nodes=ALL Default=YES MaxTime=60 State=UP OverSubscribe=FORCE:4
EOF
}

ensure_munge() {
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    chown munge:munge /etc/munge
    chmod 700 /etc/munge
    if command -v mungekey >/dev/null 2>&1; then
      runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  if ! pgrep -u munge -x munged >/dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged 9>&- || die "munged did not start; see /var/log/munge/munged.log"
  fi
  local i
  for i in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "munge does not answer (munge -n | unmunge); see /var/log/munge/munged.log"
}

# Every NAME daemon started with this folder's slurm.conf: the one in its pid file, and any other
# (a pid file can be lost when a daemon is killed mid-start).
daemon_pids() {
  local name="$1" proc cmd
  for proc in /proc/[0-9]*; do
    cmd="$({ tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null)" || continue
    case "$cmd" in
      "/usr/sbin/$name -i -f $CONF "* | "/usr/sbin/$name -f $CONF "*) echo "${proc#/proc/}" ;;
    esac
  done
}

stop_daemons() {
  local name pid i
  for name in slurmd slurmctld; do
    for pid in $(daemon_pids "$name"); do
      kill "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do
        [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null || break
        sleep 0.2
      done
      [ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null || true
    done
  done
}

log_tails() {
  local f
  for f in "$DIR/slurmctld.log" "$DIR/slurmd.log"; do
    [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }
  done
  return 0
}

start() {
  require_tools
  mkdir -p "$DIR/state" "$DIR/spool"
  # Two test processes may start it at once: one does the work, the other then finds it healthy.
  exec 9>"$DIR/.lock"
  flock -w 60 9 || die "another start holds $DIR/.lock for over 60 s"

  write_conf "$DIR/slurm.conf.new"
  if healthy; then
    # Several test processes (and worktrees) share this cluster: restarting it under their
    # running jobs would lose them, so a healthy cluster is kept even when its settings differ.
    if ! cmp -s "$DIR/slurm.conf.new" "$CONF"; then
      echo "slurm-cluster: keeping the running cluster, whose $CONF differs from this script's;" \
        "run \`$0 stop\` and then start to apply the script's settings." >&2
    fi
    rm -f "$DIR/slurm.conf.new"
    echo "SLURM_CONF=$CONF"
    return 0
  fi
  stop_daemons
  mv "$DIR/slurm.conf.new" "$CONF"
  ensure_munge

  # -i: start even when saved state from an earlier cluster in this folder cannot be read.
  /usr/sbin/slurmctld -i -f "$CONF" 9>&- || { log_tails; die "slurmctld did not start"; }
  local i
  for i in $(seq 1 50); do
    scontrol ping 2>/dev/null | grep -q 'is UP' && break
    sleep 0.2
  done
  /usr/sbin/slurmd -f "$CONF" 9>&- || { log_tails; die "slurmd did not start"; }

  local state=""
  for i in $(seq 1 60); do
    state="$(node_state)"
    case "$state" in
      idle | mixed | allocated) break ;;
      down* | drain* | fail*)
        # A node left DOWN by an earlier cluster in this folder: bring it back.
        scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
        ;;
    esac
    sleep 0.5
  done
  if ! healthy; then
    log_tails
    die "the node did not become idle within 30 s (sinfo says '${state:-nothing}'); a slurmctld or slurmd from another folder may hold ports $PORT/$((PORT + 1)) (check \`pgrep -a slurm\`; DGMW_SLURM_PORT picks others)"
  fi
  echo "SLURM_CONF=$CONF"
}

stop() {
  stop_daemons
  echo "stopped the cluster in $DIR (munged left running)"
}

status() {
  [ -f "$CONF" ] || die "no cluster in $DIR (run: $0 start)"
  sinfo
  squeue
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
