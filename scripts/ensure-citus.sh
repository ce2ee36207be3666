#!/usr/bin/env bash
# Finds a local Citus cluster for the tests, or makes one: a coordinator and two workers on
# loopback ports (COORDINATOR_PORT, +1, +2; 9700 unless TAAVON_CITUS_PORT says otherwise),
# each with a database `test` holding the citus extension and the workers added. Installs
# Citus from ../shared/citus/ first when the extension is missing and this runs as root.
# Running it again reuses the cluster (starting its nodes if they were stopped). The LAST
# line printed on stdout is the coordinator's URL (empty when Citus cannot be had), so
# callers can do
#   url=$(scripts/ensure-citus.sh | tail -n 1)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
port=${TAAVON_CITUS_PORT:-9700}
ports="$port $((port + 1)) $((port + 2))"
dir=${TAAVON_CITUS_DIR:-/tmp/taavon-citus}
url="postgres://postgres@127.0.0.1:$port/test"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "citus: NO PostgreSQL binaries on this machine; Citus tests will SKIP" >&2
  echo ""
  exit 0
fi
libdir=$("$bin/pg_config" --pkglibdir)
if [ ! -f "$libdir/citus.so" ]; then
  # ../shared/citus beside the repository: the main checkout's, from a git worktree too.
  main=$(cd "$(git -C "$here" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$here/../.git")/.." && pwd)
  installer=${TAAVON_CITUS_INSTALLER:-$main/../shared/citus/install.sh}
  if [ "$(id -u)" -eq 0 ] && [ -x "$installer" ]; then
    echo "citus: installing the extension (about 80 s)" >&2
    "$installer" >&2
  else
    echo "citus: the extension is not installed and cannot be (needs root and $installer); Citus tests will SKIP" >&2
    echo ""
    exit 0
  fi
fi

as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
psql_on() { PGOPTIONS='-c client_min_messages=warning' "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -tAc "$3"; }

# A node is (re)started when its data directory is there but nothing answers; a port held
# by something else is refused rather than mistaken for ours.
mkdir -p "$dir"
chown postgres:postgres "$dir" 2>/dev/null || true
for p in $ports; do
  data="$dir/node-$p"
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$p"; then
    if [ ! -d "$data" ] || ! psql_on "$p" postgres "SHOW data_directory" | grep -qx "$data"; then
      echo "citus: port $p answers but is not this cluster's node ($data); set TAAVON_CITUS_PORT" >&2
      echo ""
      exit 0
    fi
    continue
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "citus: making node $p in $data" >&2
    as_postgres "'$bin/initdb' -D '$data' -U postgres --auth=trust -E UTF8 >/dev/null"
    # Citus opens connections between the nodes and per shard: more than the default 100
    # once the suite runs in parallel.
    printf "shared_preload_libraries = 'citus'\nmax_connections = 300\n" >>"$data/postgresql.conf"
  fi
  echo "citus: starting node $p" >&2
  as_postgres "'$bin/pg_ctl' -D '$data' -o '-p $p -k $dir -c listen_addresses=127.0.0.1' -l '$data.log' -w start >/dev/null"
done

# The database, the extension and the membership, each only where it is missing.
for p in $ports; do
  if [ -z "$(psql_on "$p" postgres "SELECT 1 FROM pg_database WHERE datname = 'test'")" ]; then
    psql_on "$p" postgres "CREATE DATABASE test"
  fi
  psql_on "$p" test "CREATE EXTENSION IF NOT EXISTS citus"
done
psql_on "$port" test "SELECT citus_set_coordinator_host('127.0.0.1', $port)" >/dev/null
for p in $((port + 1)) $((port + 2)); do
  if [ -z "$(psql_on "$port" test "SELECT 1 FROM pg_dist_node WHERE nodeport = $p")" ]; then
    psql_on "$port" test "SELECT citus_add_node('127.0.0.1', $p)" >/dev/null
  fi
done
workers=$(psql_on "$port" test "SELECT count(*) FROM citus_get_active_worker_nodes()")
echo "citus: coordinator on $port with $workers workers ($dir)" >&2
echo "$url"
