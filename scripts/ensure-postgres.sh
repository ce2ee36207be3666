#!/usr/bin/env bash
# Finds a PostgreSQL for the tests, or starts a throwaway one. The LAST line printed on
# stdout is the URL to use (empty when there is no PostgreSQL at all), so callers can do
#   url=$(scripts/ensure-postgres.sh | tail -n 1)
set -euo pipefail

default_url="postgres://postgres@127.0.0.1:5432/test"
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "postgres: a server answers on 127.0.0.1:5432" >&2
  echo "$default_url"
  exit 0
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres: NO PostgreSQL server or binaries on this machine; PostgreSQL tests will SKIP (and fail under CI=true)" >&2
  echo ""
  exit 0
fi

# Pick 5432 unless something else holds it.
port=5432
if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then port=55432; fi
dir=$(mktemp -d /tmp/taavon-pg-XXXXXX)
chown postgres:postgres "$dir" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
echo "postgres: starting a throwaway cluster in $dir on port $port" >&2
as_postgres "'$bin/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 >/dev/null"
as_postgres "'$bin/pg_ctl' -D '$dir/data' -o '-p $port -k $dir -c listen_addresses=127.0.0.1' -l '$dir/log' -w start >/dev/null"
as_postgres "'$bin/createdb' -h 127.0.0.1 -p $port -U postgres test"
echo "postgres://postgres@127.0.0.1:$port/test"
