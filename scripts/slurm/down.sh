#!/usr/bin/env bash
# Stops what up.sh and up-netns.sh started (by their pid files) and removes the namespaces; munged is left running.
set -uo pipefail
for dir in "${SAGEBRUSH_SLURM_DIR:-/tmp/sagebrush-slurm}" "${SAGEBRUSH_SLURM_NETNS_DIR:-/tmp/sagebrush-slurm-netns}"; do
  for pid in "$dir"/slurmd-*.pid "$dir"/slurmctld.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null && echo "[slurm] stopped $(basename "$pid" .pid)" >&2
  done
done
sleep 1
for ns in sbft-a sbft-b; do ip netns list 2>/dev/null | grep -qw "$ns" && ip netns del "$ns"; done
exit 0
