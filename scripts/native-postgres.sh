#!/usr/bin/env bash
# A throwaway native PostgreSQL 15 + pgvector server for the 1M-vector benchmark (benchmarks/stores.ts --pg-url).
# Not part of CI. Run as root on Debian 12:
#   scripts/native-postgres.sh [start] [DIR]   # default DIR .cache/native-pg; prints the URL
#   scripts/native-postgres.sh stop [DIR]
# Debian 12 has no pgvector binary package for PostgreSQL 15, so pgvector 0.8.0 is built from Debian's own
# source package (trixie deb-src `pgvector`). Each step is skipped when already done.
# Settings are sized for a 23 GB / 2-core machine: shared_buffers 4GB, maintenance_work_mem 10GB (the in-memory
# HNSW build of 1M × 1792 needs ≈ 8 GB), 1 parallel maintenance worker; fsync and synchronous_commit stay on.
set -euo pipefail
CMD=start
if [[ "${1:-}" == start || "${1:-}" == stop ]]; then CMD=$1; shift; fi
DIR=$(realpath -m "${1:-.cache/native-pg}")
PORT=5433
BIN=/usr/lib/postgresql/15/bin
PGC="$BIN/pg_config"
asdb() { runuser -u postgres -- "$@"; }

if [[ $CMD == stop ]]; then
  if [[ -f "$DIR/data/postmaster.pid" ]]; then asdb "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop; else echo "not running: $DIR"; fi
  exit 0
fi

[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
if [[ ! -x "$BIN/postgres" || ! -x "$PGC" ]]; then
  apt-get install -y postgresql-15 postgresql-server-dev-15
fi
if [[ ! -f "$("$PGC" --pkglibdir)/vector.so" ]]; then
  SRC=/tmp/pgv
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > /tmp/src.sources
  mkdir -p /tmp/aptsrc/partial "$SRC"
  APT=(-o Dir::Etc::sourcelist=/tmp/src.sources -o Dir::Etc::sourceparts=/dev/null -o Dir::State::Lists=/tmp/aptsrc)
  apt-get update "${APT[@]}"
  (cd "$SRC" && apt-get source --download-only "${APT[@]}" pgvector && tar xzf pgvector_0.8.0.orig.tar.gz)
  make -C "$SRC/pgvector-0.8.0" -j2 PG_CONFIG="$PGC"
  make -C "$SRC/pgvector-0.8.0" install PG_CONFIG="$PGC"
fi

mkdir -p "$DIR"
chown postgres:postgres "$DIR"
if [[ ! -f "$DIR/data/PG_VERSION" ]]; then
  asdb "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=trust >/dev/null
  cat >> "$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
shared_buffers = 4GB
effective_cache_size = 12GB
maintenance_work_mem = 10GB
work_mem = 64MB
max_parallel_maintenance_workers = 1
max_parallel_workers_per_gather = 1
max_wal_size = 8GB
checkpoint_timeout = 30min
CONF
fi
if ! asdb "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  asdb "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
fi
export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
if [[ -z $("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'lookbook'") ]]; then
  "${PSQL[@]}" -d postgres -c 'CREATE DATABASE lookbook'
fi
"${PSQL[@]}" -d lookbook -c 'CREATE EXTENSION IF NOT EXISTS vector'
echo "pgvector $("${PSQL[@]}" -d lookbook -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'") on $("${PSQL[@]}" -d lookbook -c 'SHOW server_version')"
echo "postgres://postgres@127.0.0.1:$PORT/lookbook"
