# Shared by up.sh and up-netns.sh: munge, the slurm.conf writer, and waiting. Sourced, not run.
# Why a private conf dir: the cluster is a test fixture; nothing is written under /etc/slurm.

log() { echo "[slurm] $*" >&2; }

wait_for() { # description, command…
  local what="$1"; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$what did not come up"
  return 1
}

# munged with the Debian key (/etc/munge/munge.key, made at install); its socket is a file, so every network
# namespace of this machine reaches the same daemon.
start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
    chown munge: /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge: /run/munge /var/log/munge /var/lib/munge
  chmod 755 /run/munge
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged 3>&- >/dev/null 2>&1 || /usr/sbin/munged --force 3>&- >/dev/null 2>&1
  wait_for munged sh -c 'munge -n | unmunge'
}

# write_conf DIR CLUSTER CTLD_HOST CTLD_ADDR CTLD_PORT SLURMD_PORT "NodeName=… lines" PARTITION
write_conf() {
  local dir="$1" cluster="$2" host="$3" addr="$4" cport="$5" dport="$6" nodes="$7" partition="$8"
  mkdir -p "$dir/state" "$dir/spool"
  for n in $(echo "$nodes" | grep -o 'NodeName=[A-Za-z0-9]*' | cut -d= -f2); do mkdir -p "$dir/spool/$n"; done
  cat >"$dir/slurm.conf.new" <<CONF
# Written by scripts/slurm ($(basename "$0")): a test cluster on this machine.
ClusterName=$cluster
SlurmctldHost=$host($addr)
SlurmctldPort=$cport
SlurmdPort=$dport
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
$nodes
PartitionName=$partition Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$dir/slurm.conf.new" "$dir/slurm.conf"
}

# Is this controller answering with every node idle (or allocated/mixed: busy with a job)?
cluster_ready() { # conf, [netns]
  local conf="$1" ns="${2:-}"
  local run=(); [ -n "$ns" ] && run=(nsenter --net="/run/netns/$ns")
  local states
  states=$(SLURM_CONF="$conf" "${run[@]}" sinfo -h -N -o '%t' 2>/dev/null) || return 1
  [ -n "$states" ] && ! echo "$states" | grep -qvE '^(idle|alloc|mix)$'
}
