#!/usr/bin/env bash
# A real one-machine Slurm cluster (slurm-wlm 22.05 + munge from Debian): munged, slurmctld and one slurmd
# (node sbnode1, CPUs = this machine's cores, partition "debug"), configured in a private folder. Idempotent: a
# cluster that already answers is left alone. Needs root. Prints only `export …` lines on stdout, so use:
#   eval "$(bash scripts/slurm/up.sh)"      # SLURM_CONF for sbatch/squeue/sinfo and Sagebrush's slurm launcher
# Stop it with scripts/slurm/down.sh.
set -euo pipefail
exec 3>&1 1>&2
cd "$(dirname "$0")"
. ./lib.sh

DIR="${SAGEBRUSH_SLURM_DIR:-/tmp/sagebrush-slurm}"
CONF="$DIR/slurm.conf"
CPUS="${SAGEBRUSH_SLURM_CPUS:-$(nproc)}"
if [ "$(id -u)" != 0 ]; then log "needs root (slurmd runs jobs as their user)"; exit 1; fi
command -v slurmctld >/dev/null || { log "slurm-wlm is not installed (apt-get install slurm-wlm munge)"; exit 1; }

if ! cluster_ready "$CONF"; then
  start_munge
  write_conf "$DIR" sagebrush "$(hostname)" 127.0.0.1 16817 16818 "NodeName=sbnode1 NodeAddr=127.0.0.1 NodeHostname=$(hostname) CPUs=$CPUS RealMemory=1024 State=UNKNOWN" debug
  if ! pgrep -F "$DIR/slurmctld.pid" >/dev/null 2>&1; then
    log "starting slurmctld"
    slurmctld -f "$CONF" -i 3>&- >/dev/null
  fi
  if ! pgrep -F "$DIR/slurmd-sbnode1.pid" >/dev/null 2>&1; then
    log "starting slurmd (sbnode1)"
    slurmd -f "$CONF" -N sbnode1 3>&- >/dev/null
  fi
  wait_for "the one-node cluster" cluster_ready "$CONF" || { tail -5 "$DIR"/slurm*.log >&2; exit 1; }
  SLURM_CONF="$CONF" scontrol update NodeName=sbnode1 State=RESUME >/dev/null 2>&1 || true
fi
log "one-node cluster up: partition debug, node sbnode1 ($CPUS CPUs); conf $CONF"
echo "export SLURM_CONF=$CONF" >&3
