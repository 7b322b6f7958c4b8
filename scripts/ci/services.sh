#!/usr/bin/env bash
# Starts the services the storage/jobs test suites run against: PostgreSQL, Redis and an S3 stand-in
# (moto). Idempotent: a service that already answers is left alone, so running it twice is fine.
# Prints only `export …` lines on stdout; everything else goes to stderr and log files, so use:
#   eval "$(bash scripts/ci/services.sh)"
set -euo pipefail

# Keep the real stdout on fd 3 for the export lines; daemons get `3>&-` so they do not hold it open
# (otherwise `$(…)` would wait for them forever).
exec 3>&1 1>&2

DIR="${SAGEBRUSH_SERVICES_DIR:-/tmp/sagebrush-services}"
PG_PORT="${SAGEBRUSH_PG_PORT:-55432}"
REDIS_PORT="${SAGEBRUSH_REDIS_PORT:-56379}"
S3_PORT="${SAGEBRUSH_S3_PORT:-55000}"
mkdir -p "$DIR"
chmod 755 "$DIR"

log() { echo "[services] $*" >&2; }

wait_for() { # name, command…
  local name="$1"; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then log "$name is up"; return 0; fi
    sleep 0.5
  done
  log "$name did not come up; see the logs in $DIR"
  return 1
}

# --- install what is missing (one apt-get update at most) ---
missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >"$DIR/apt.log"
fi

# --- PostgreSQL: a private cluster in $DIR (no dependency on the Debian 'main' cluster or systemd) ---
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PG_DATA="$DIR/pg"
PG_SOCK="$DIR/pg-run"
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi
pg_up() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }
if ! pg_up; then
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $PG_DATA"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    [ "${#AS_PG[@]}" -gt 0 ] && chown postgres: "$PG_DATA"
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1
  fi
  mkdir -p "$PG_SOCK"
  [ "${#AS_PG[@]}" -gt 0 ] && chown postgres: "$PG_SOCK" && touch "$DIR/postgres.log" && chown postgres: "$DIR/postgres.log"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start 3>&- >/dev/null
fi
wait_for PostgreSQL pg_up
psql_su() { "${AS_PG[@]}" "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
if [ "$(psql_su "SELECT 1 FROM pg_roles WHERE rolname = 'sagebrush'")" != 1 ]; then
  # CREATEDB: each test file creates its own database so test files can run in parallel.
  psql_su "CREATE ROLE sagebrush LOGIN CREATEDB PASSWORD 'sagebrush'"
fi
if [ "$(psql_su "SELECT 1 FROM pg_database WHERE datname = 'sagebrush'")" != 1 ]; then
  psql_su "CREATE DATABASE sagebrush OWNER sagebrush"
fi

# --- Redis ---
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
if ! redis_up; then
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$DIR" --logfile "$DIR/redis.log" --pidfile "$DIR/redis.pid" 3>&- >/dev/null
fi
wait_for Redis redis_up

# --- moto (S3 stand-in) from the machine image's Python ---
s3_up() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$S3_PORT/"; }
if ! s3_up; then
  # The image installs moto with pyenv; a non-login shell may not have the shims on PATH.
  pyenv_moto="$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/shims/moto_server "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/moto_server 2>/dev/null | head -1 || true)"
  if command -v moto_server >/dev/null; then MOTO=(moto_server);
  elif [ -n "$pyenv_moto" ]; then MOTO=("$pyenv_moto");
  elif python3 -c 'import moto.server' 2>/dev/null; then MOTO=(python3 -m moto.server);
  else log "moto is not installed (Python package 'moto[server]')"; exit 1; fi
  log "starting moto on 127.0.0.1:$S3_PORT"
  setsid nohup "${MOTO[@]}" -H 127.0.0.1 -p "$S3_PORT" </dev/null >"$DIR/moto.log" 2>&1 3>&- &
fi
wait_for moto s3_up

cat >&3 <<EOF
export SAGEBRUSH_TEST_DATABASE_URL=postgres://sagebrush:sagebrush@127.0.0.1:$PG_PORT/sagebrush
export SAGEBRUSH_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export SAGEBRUSH_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
EOF
