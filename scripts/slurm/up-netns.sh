#!/usr/bin/env bash
# A two-node Slurm cluster on this machine: two network namespaces (sbft-a 10.231.0.1, sbft-b 10.231.0.2) joined
# by a veth pair (named "sbft" on both sides), each running its own slurmd (NodeName/NodeAddr); slurmctld runs in
# sbft-a. Traffic between the "nodes" — Slurm's and DDP's (gloo on the sbft interface) — stays on those test hosts.
# Files are shared (one file system), as on a cluster with a shared home. Idempotent; needs root.
# Prints `export …` lines on stdout:  eval "$(bash scripts/slurm/up-netns.sh)"
#   SAGEBRUSH_SLURM_NETNS2_CONF  the cluster's slurm.conf     SAGEBRUSH_SLURM_NETNS2_NS  the namespace of slurmctld
# Clients run inside sbft-a: SLURM_CONF=… nsenter --net=/run/netns/sbft-a sinfo. Stop with scripts/slurm/down.sh.
# The daemons enter only the network namespace (nsenter --net): `ip netns exec` also remounts /sys, which hides
# the cgroup mounts slurmd 22.05 initialises.
set -euo pipefail
exec 3>&1 1>&2
cd "$(dirname "$0")"
. ./lib.sh

DIR="${SAGEBRUSH_SLURM_NETNS_DIR:-/tmp/sagebrush-slurm-netns}"
CONF="$DIR/slurm.conf"
CPUS="${SAGEBRUSH_SLURM_CPUS:-$(nproc)}"
A=sbft-a B=sbft-b
if [ "$(id -u)" != 0 ]; then log "needs root (network namespaces, slurmd)"; exit 1; fi
command -v slurmctld >/dev/null && command -v ip >/dev/null || { log "slurm-wlm or iproute2 is missing"; exit 1; }

if ! cluster_ready "$CONF" "$A"; then
  start_munge
  for ns in "$A" "$B"; do ip netns list | grep -qw "$ns" || ip netns add "$ns"; done
  if ! ip netns exec "$A" ip link show sbft >/dev/null 2>&1; then
    ip link del sbft-va >/dev/null 2>&1 || true
    ip link add sbft-va type veth peer name sbft-vb
    ip link set sbft-va netns "$A"
    ip link set sbft-vb netns "$B"
    ip netns exec "$A" ip link set sbft-va name sbft
    ip netns exec "$B" ip link set sbft-vb name sbft
    ip netns exec "$A" ip addr add 10.231.0.1/24 dev sbft
    ip netns exec "$B" ip addr add 10.231.0.2/24 dev sbft
  fi
  for ns in "$A" "$B"; do ip netns exec "$ns" ip link set lo up; ip netns exec "$ns" ip link set sbft up; done
  wait_for "the veth link" sh -c "ip netns exec $A ip link show sbft | grep -q LOWER_UP"
  nodes="NodeName=sbnodea NodeAddr=10.231.0.1 NodeHostname=$(hostname) CPUs=$CPUS RealMemory=1024 State=UNKNOWN
NodeName=sbnodeb NodeAddr=10.231.0.2 NodeHostname=$(hostname) CPUs=$CPUS RealMemory=1024 State=UNKNOWN"
  write_conf "$DIR" sagebrush2 "$(hostname)" 10.231.0.1 16827 16828 "$nodes" nodes2
  if ! pgrep -F "$DIR/slurmctld.pid" >/dev/null 2>&1; then
    log "starting slurmctld in $A"
    nsenter --net="/run/netns/$A" slurmctld -f "$CONF" -i 3>&- >/dev/null
  fi
  for n in a b; do
    if ! pgrep -F "$DIR/slurmd-sbnode$n.pid" >/dev/null 2>&1; then
      log "starting slurmd sbnode$n in sbft-$n"
      mkdir -p "$DIR/spool/sbnode$n"
      nsenter --net="/run/netns/sbft-$n" slurmd -f "$CONF" -N "sbnode$n" 3>&- >/dev/null
    fi
  done
  wait_for "the two-node cluster" cluster_ready "$CONF" "$A" || { tail -5 "$DIR"/slurm*.log >&2; exit 1; }
fi
log "two-node cluster up: partition nodes2, sbnodea 10.231.0.1 ($A), sbnodeb 10.231.0.2 ($B); conf $CONF"
echo "export SAGEBRUSH_SLURM_NETNS2_CONF=$CONF" >&3
echo "export SAGEBRUSH_SLURM_NETNS2_NS=$A" >&3
