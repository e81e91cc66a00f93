#!/usr/bin/env bash
# The mixed load: 64 concurrent clients for 60 s mixing catalogue reads, search, the geo
# feed and edits, against `fritid serve` on a synthetic municipality. It reports the
# answers and errors of each kind, and the server's resident memory (RSS) and goroutines
# when idle before the load, right after it, and once it has settled.
#
# How it runs, all on loopback addresses and bounded in time:
#   1. builds fritid; starts a PostgreSQL cluster of its own on 127.0.0.1:$PG_PORT and seeds
#      `fritid seed synthetic` (as bench/run.sh does, sharing bench/.data with BENCH_REUSE=1);
#   2. adds an administrator and signs in for the edits;
#   3. starts `fritid serve` on 127.0.0.1:18093 with no cost budget for anonymous callers
#      (all 64 clients come from one address, which the budget would rightly throttle);
#   4. warms up for 5 s, reads the idle RSS and goroutines, runs wrk -t2 -c$CLIENTS for
#      $DURATION with bench/load.lua, then reads them again at once, 30 s later and $SETTLE s later.
#
# Settings (environment): ORGS=1000 PER=10, DURATION=60s, CLIENTS=64, SETTLE=150 (> 30),
# BENCH_REUSE=1, PG_PORT=18091. Needs: go, wrk, curl, the PostgreSQL server binaries.
set -euo pipefail

cd "$(dirname "$0")/.."
ORGS=${ORGS:-1000}
PER=${PER:-10}
DURATION=${DURATION:-60s}
CLIENTS=${CLIENTS:-64}
SETTLE=${SETTLE:-150}
PG_PORT=${PG_PORT:-18091}
API_ADDR=127.0.0.1:18093
SLUG=synthetic
QUERY=svømming

source bench/lib.sh

begin_run load

echo "== build"
go build -o "$TMP/fritid" ./cmd/fritid

echo "== PostgreSQL on 127.0.0.1:$PG_PORT ($DATA/pg)"
start_postgres "$DATA/pg"
export FRITID_DATA_DIR="$DATA/fritid" FRITID_LOG_LEVEL=warn
export FRITID_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fritid?sslmode=disable"
seed_if_needed

echo "== an administrator for the edits"
email="load-$(date +%s)@example.org"
password=$(head -c 18 /dev/urandom | base64)
echo "$password" | "$TMP/fritid" admin create-user --municipality "$SLUG" --email "$email" --role ADMIN >/dev/null

echo "== fritid serve on $API_ADDR"
FRITID_HTTP_ADDR=$API_ADDR FRITID_COST_BUDGET_ANONYMOUS=0 "$TMP/fritid" serve >"$TMP/fritid.log" 2>&1 &
API_PID=$!
PIDS+=("$API_PID")
wait_ready "http://$API_ADDR/readyz" "$TMP/fritid.log"

gql() { # gql JSON [TOKEN]
  curl -sS --max-time 30 -H "Content-Type: application/json" -H "X-Municipality: $SLUG" \
    ${2:+-H "Authorization: Bearer $2"} --data-binary "$1" "http://$API_ADDR/graphql"
}
token=$(gql "{\"query\": \"mutation { login(email: \\\"$email\\\", password: \\\"$password\\\") { token } }\"}" |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[[ -n "$token" ]] || { echo "could not sign in" >&2; exit 1; }
ids=$(gql '{"query": "{ activities(first: 50) { nodes { id } } }"}' | grep -o '"id":"[^"]*"' | cut -d'"' -f4 | paste -sd, -)
[[ -n "$ids" ]] || { echo "no activities to edit" >&2; exit 1; }

# snapshot LABEL prints the server's RSS and goroutines.
snapshot() {
  local rss goroutines
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$API_PID/status")
  goroutines=$(curl -sS --max-time 10 "http://$API_ADDR/metrics" | awk '$1 == "go_goroutines" { print $2 }')
  printf "%-22s RSS %4s MiB, goroutines %s\n" "$1" "$rss" "${goroutines:-?}"
}

run_load() { # run_load DURATION
  LOAD_TOKEN=$token LOAD_ACTIVITIES=$ids LOAD_MUNICIPALITY=$SLUG \
    timeout $(( $(seconds "$1") + 60 )) wrk -t2 -c"$CLIENTS" -d"$1" --latency --timeout 10s -s bench/load.lua "http://$API_ADDR"
}

echo "== warm-up (5 s)"
run_load 5s >/dev/null
sleep 2
snapshot "idle, after warm-up" | tee "$TMP/figures"
echo "== load: $CLIENTS clients for $DURATION"
out=$(run_load "$DURATION")
echo "$out" | sed 's/^/    /'
snapshot "right after the load" | tee -a "$TMP/figures"
# Go returns freed memory to the system after a garbage collection, which an idle server
# runs at least every two minutes.
sleep 30
snapshot "30 s later" | tee -a "$TMP/figures"
sleep $(( SETTLE - 30 ))
snapshot "$SETTLE s later" | tee -a "$TMP/figures"

echo
echo "== $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); $ORGS organisations x $PER activities; wrk -t2 -c$CLIENTS -d$DURATION"
echo "$out" | grep -E '^load |Requests/sec|Non-2xx|Socket errors' || true
cat "$TMP/figures"
errors=$(echo "$out" | awk '/^load / { n += $(NF-1) } /Non-2xx/ { n += $NF } END { print n + 0 }')
echo "errors: $errors"
[[ "$errors" -eq 0 ]]
