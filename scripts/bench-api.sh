#!/usr/bin/env bash
# Measures the read path with wrk (issue 18): a redirect the HTTP stack answers alone (the
# ceiling), the reference data, the API's first page of cooperatives with a bearer token,
# and a logged-in UI list page with a cookie session, each at 64 connections against a
# fresh demo database, and prints every route's rate as a ratio to the ceiling measured in
# the same run (absolute rates swing with the machine's load; the ratio is what counts).
#
#   scripts/bench-api.sh                        # SQLite, a fresh database in a temp dir
#   scripts/bench-api.sh --postgres             # PostgreSQL: creates and drops a database
#   scripts/bench-api.sh --db postgres://…/x    # an empty database you made
#
# Options: --binary PATH (default: build `taavon` in release mode), --duration 10s,
# --connections 64, --threads 2, --port 18080. wrk is Debian's `wrk`: the script installs
# it with apt-get when it runs as root, and otherwise says how.
#
# --search adds the registry at national scale, for a database `taavon synth` filled
# (`--db`; e.g. `taavon synth --cooperatives 100000 --members 2000000`): a name search
# (`?q=فرش`), the API's page at offset 90 000, the same page by cursor (`after`), and the UI's
# page at the same depth. Every route is also timed alone: the median of 20 requests in turn.
set -euo pipefail

binary="${TAAVON_BIN:-}"
db=""
postgres=""
duration="10s"
connections=64
threads=2
port=18080
search=""
postgres_admin="${TAAVON_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        --db) db="$2"; shift 2 ;;
        --postgres) postgres=1; shift ;;
        --duration) duration="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --search) search=1; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing wrk (Debian's package)…" >&2
        apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "wrk is missing: install it with 'sudo apt-get install wrk'" >&2
        exit 1
    fi
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$binary" ]; then
    (cd "$root" && cargo build --release -p taavon-cli >&2)
    binary="${CARGO_TARGET_DIR:-$root/target}/release/taavon"
fi

work="$(mktemp -d)"
server=""
made_database=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    if [ -n "$made_database" ]; then
        psql -q "$postgres_admin/postgres" -c "DROP DATABASE IF EXISTS $made_database" >/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$postgres" ] && [ -z "$db" ]; then
    made_database="taavon_bench_$$"
    psql -q "$postgres_admin/postgres" -c "CREATE DATABASE $made_database" >/dev/null
    db="$postgres_admin/$made_database"
fi
[ -n "$db" ] || db="sqlite://$work/bench.db"
engine="SQLite"; case "$db" in postgres*) engine="PostgreSQL" ;; esac

base="http://127.0.0.1:$port"
(cd "$work" && TAAVON_LOG=warn exec "$binary" serve --demo --db "$db" --listen "127.0.0.1:$port") \
    >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
    curl -fs "$base/api/health" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
done
curl -fs "$base/api/health" >/dev/null || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

token="$(curl -fs "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"demo"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
cookie="$(curl -s -o /dev/null -D - "$base/login" --data-urlencode username=admin \
    --data-urlencode password=demo | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(taavon_session=[^;]*\).*/\1/p')"
[ -n "$token" ] && [ -n "$cookie" ] || { echo "could not log in as admin" >&2; exit 1; }

# The ceiling: /api/docs is a redirect to /api/docs/ that no handler of ours touches.
redirect_status="$(curl -s -o /dev/null -w '%{http_code}' "$base/api/docs")"
case "$redirect_status" in 3*) ;; *) echo "/api/docs answered $redirect_status, not a redirect" >&2; exit 1 ;; esac
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/cooperatives" -H "Authorization: Bearer $token")" = 200 ] \
    || { echo "the token is refused" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/cooperatives" -H "Cookie: $cookie")" = 200 ] \
    || { echo "the session cookie is refused" >&2; exit 1; }

# One route (path, header or empty) → "req/s p99 non-2xx/3xx".
measure() {
    local path="$1" header="$2" out
    if [ -n "$header" ]; then
        out="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$header" "$base$path")"
    else
        out="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$base$path")"
    fi
    local rate p99 bad
    rate="$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
    p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
    bad="$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $5}')"
    echo "$rate ${p99:-?} ${bad:-0}"
}

# One route alone: the median time of 20 requests in turn, in milliseconds.
alone() {
    local path="$1" header="$2"
    for _ in $(seq 1 20); do
        curl -s -o /dev/null -w '%{time_total}\n' ${header:+-H "$header"} "$base$path"
    done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f", t[int((NR + 1) / 2)] * 1000 }'
}

routes="redirect, HTTP stack alone (ceiling)|/api/docs|
GET /api/v1/provinces|/api/v1/provinces|
GET /api/v1/cooperatives (first page, token)|/api/v1/cooperatives|Authorization: Bearer $token
GET /cooperatives (UI list, cookie session)|/cooperatives|Cookie: $cookie"
if [ -n "$search" ]; then
    auth="Authorization: Bearer $token"
    # فرش, percent-encoded.
    routes="$routes
GET /api/v1/cooperatives?q=فرش (name search)|/api/v1/cooperatives?q=%D9%81%D8%B1%D8%B4|$auth
GET /api/v1/cooperatives?offset=90000|/api/v1/cooperatives?offset=90000|$auth
GET /cooperatives?page=4501 (UI, 20 a page)|/cooperatives?page=4501|Cookie: $cookie"
    # The cooperative just before offset 90 000: its cursor reads the same page as the offset.
    after="$(curl -fs "$base/api/v1/cooperatives?offset=89999&limit=1" -H "$auth" \
        | sed -n 's/^{"items":\[{"id":\([0-9]*\).*/\1/p')"
    if [ -n "$after" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' \
        "$base/api/v1/cooperatives?after=$after" -H "$auth")" = 200 ]; then
        routes="$routes
GET /api/v1/cooperatives?after=… (same page)|/api/v1/cooperatives?after=$after|$auth"
    else
        echo "(this build offers no cursor on /api/v1/cooperatives: the route is left out)"
    fi
fi

echo "taavon read path, $engine, wrk -t$threads -c$connections -d$duration, $(nproc) cores, $(date -u +%FT%TZ)"
printf '%-46s %12s %10s %8s %9s %s\n' route "req/s" p99 ratio "alone ms" errors
ceiling=""
while IFS='|' read -r name path header; do
    read -r rate p99 bad < <(measure "$path" "$header")
    [ -n "$ceiling" ] || ceiling="$rate"
    ratio="$(awk -v r="$rate" -v c="$ceiling" 'BEGIN { printf "%.3f", r / c }')"
    printf '%-46s %12s %10s %8s %9s %s\n' "$name" "$rate" "$p99" "$ratio" "$(alone "$path" "$header")" \
        "$([ "$bad" = 0 ] || echo "$bad non-2xx/3xx")"
done <<<"$routes"
