#!/usr/bin/env bash
# The catalogue benchmark: requests/second and p50/p99 latency under wrk (2 threads, 16
# connections) for the GraphQL catalogue read, next to the same read done as plain SQL by a
# minimal Go handler (bench/floor), which is the floor the API is measured against.
#
# How it runs, all on loopback addresses and bounded in time:
#   1. builds fritid and the floor into a temporary directory;
#   2. starts a PostgreSQL cluster of its own (initdb + pg_ctl, as the postgres system user
#      when run as root) on 127.0.0.1:$PG_PORT, so that fritid and the floor connect to the
#      same database URL (FRITID_DATABASE_URL);
#   3. seeds `fritid seed synthetic` when the municipality is missing or of another size,
#      then VACUUM ANALYZE;
#   4. starts `fritid serve` on 127.0.0.1:18090 and the floor on 127.0.0.1:18092, then runs
#      ROUNDS rounds, each the API and then the floor (check one answer, warm up, run wrk),
#      and checks that the floor's answers are the API's;
#   5. prints each round with its ratio, the medians, and stops everything it started.
#
# Settings (environment):
#   ORGS=10000 PER=10     size of the synthetic municipality (organisations, activities each)
#   DURATION=30s          length of each measured wrk run (a 5 s warm-up runs before it)
#   ROUNDS=3              interleaved rounds (API, floor) of each operation
#   BENCH_REUSE=1         keep the database in bench/.data and reuse it on the next run
#   SEARCH=on             also measure search(query: $QUERY, first: 50); SEARCH=off skips
#                         it (it is skipped anyway when the schema has no search field)
#   QUERY=svømming        the search words
#   PG_PORT=18091         the benchmark cluster's port
#
# Needs: go, wrk (apt-get install -y wrk), curl, and the PostgreSQL server binaries
# (initdb, pg_ctl; PG_BINDIR points at them when they are not found).
set -euo pipefail

cd "$(dirname "$0")/.."
ORGS=${ORGS:-10000}
PER=${PER:-10}
DURATION=${DURATION:-30s}
ROUNDS=${ROUNDS:-3}
SEARCH=${SEARCH:-on}
QUERY=${QUERY:-svømming}
PG_PORT=${PG_PORT:-18091}
API_ADDR=127.0.0.1:18090
FLOOR_ADDR=127.0.0.1:18092
SLUG=synthetic

source bench/lib.sh

begin_run bench

echo "== build"
go build -o "$TMP/fritid" ./cmd/fritid
go build -o "$TMP/floor" ./bench/floor

echo "== PostgreSQL on 127.0.0.1:$PG_PORT ($DATA/pg)"
start_postgres "$DATA/pg"
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fritid?sslmode=disable"

export FRITID_DATA_DIR="$DATA/fritid" FRITID_DATABASE_URL="$DATABASE_URL" FRITID_LOG_LEVEL=warn
seed_if_needed

results=()
measure() { # measure LABEL OPERATION URL
  local label=$1 op=$2 url=$3 out
  check_answer "$op" "$url" "$TMP/${label%% *}-$op.json"
  BENCH_OPERATION=$op BENCH_QUERY=$QUERY timeout 30 wrk -t2 -c16 -d5s -H "X-Municipality: $SLUG" \
    -s bench/graphql.lua "$url" >/dev/null
  out=$(BENCH_OPERATION=$op BENCH_QUERY=$QUERY timeout $(( $(seconds "$DURATION") + 60 )) \
    wrk -t2 -c16 -d"$DURATION" --latency -H "X-Municipality: $SLUG" -s bench/graphql.lua "$url")
  echo "$out" | sed 's/^/    /'
  results+=("$label|$(wrk_figures "$out")")
}

operations=(Catalogue)
if [[ "$SEARCH" == off ]]; then
  echo "note: search skipped (SEARCH=off)"
elif ! grep -q '^ *search(' schema/*.graphqls; then
  echo "note: search skipped: the schema has no search field yet"
else
  operations+=(Search)
fi

echo "== fritid serve on $API_ADDR, the floor on $FLOOR_ADDR"
# All of wrk's connections come from one address, which the anonymous cost budget would
# rightly throttle: the benchmark measures the API without it.
FRITID_HTTP_ADDR=$API_ADDR FRITID_COST_BUDGET_ANONYMOUS=0 "$TMP/fritid" serve >"$TMP/fritid.log" 2>&1 &
PIDS+=("$!")
"$TMP/floor" -addr "$FLOOR_ADDR" -database-url "$DATABASE_URL" >"$TMP/floor.log" 2>&1 &
PIDS+=("$!")
wait_ready "http://$API_ADDR/readyz" "$TMP/fritid.log"
wait_ready "http://$FLOOR_ADDR/readyz" "$TMP/floor.log"
# Interleaved rounds (API, floor, API, floor, ...): a burst of other load on the machine
# lands on both, and each round gives its own ratio.
for round in $(seq "$ROUNDS"); do
  for op in "${operations[@]}"; do
    echo "-- round $round: GraphQL $op"
    measure "GraphQL $op" "$op" "http://$API_ADDR/graphql"
    echo "-- round $round: floor $op"
    measure "floor $op" "$op" "http://$FLOOR_ADDR/graphql"
    same_answers "$op"
  done
done

echo
echo "== $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); $ORGS organisations x $PER activities; wrk -t2 -c16 -d$DURATION"
print_rounds "${operations[@]}"
