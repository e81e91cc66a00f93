#!/usr/bin/env bash
# The search benchmark: search(query, first: 20) with titles and names, at one connection
# (latency) and at 16 (throughput), for a common word, a rare word and a typo, at several
# sizes of the synthetic municipality, the code of this tree ("new") beside an earlier
# commit ("old") in one interleaved run (old new old new ...), so that both see the same
# machine at the same moments.
#
# How it runs, all on loopback addresses and bounded in time:
#   1. builds fritid from this tree and from $OLD (unpacked with git archive) into a
#      temporary directory;
#   2. starts a PostgreSQL cluster of its own on 127.0.0.1:$PG_PORT;
#   3. for each size: seeds `fritid seed synthetic` with the old binary into one database
#      (reused when it is there, with BENCH_REUSE=1), copies it (CREATE DATABASE ... TEMPLATE)
#      and migrates the copy with the new binary, VACUUM ANALYZE on both;
#   4. starts both servers, checks one answer from each, warms each up, then runs wrk for
#      every query and connection count, ROUNDS times, alternating old and new;
#   5. prints one line per measurement and a table of the means of the rounds with the
#      ratios new/old, and stops everything it started.
#
# Settings (environment):
#   SIZES="1000 10000 100000"  activities (organisations = size / 10, 10 activities each)
#   QUERIES="svømming hvitnes bowlnig"  common word, rare word (a place in 7 organisations'
#                              names at 100,000), typo
#   DURATION=5s ROUNDS=2       length of each wrk run, and how many times each runs
#   OLD=<commit>               the code to compare with (default: the commit before search
#                              had its own index, migration 0017)
#   BENCH_REUSE=1              keep the databases in bench/.data-search for the next run
#   PG_PORT=18191              the cluster's port (the servers take the next two)
#
# Needs: go, git, wrk (apt-get install -y wrk), curl, and the PostgreSQL server binaries
# (initdb, pg_ctl; PG_BINDIR points at them when they are not found).
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=${SIZES:-1000 10000 100000}
QUERIES=${QUERIES:-svømming hvitnes bowlnig}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-2}
PG_PORT=${PG_PORT:-18191}
OLD=${OLD:-$(git log -1 --format=%H --diff-filter=A -- migrations/0017_search_index.tx.up.sql)~1}
OLD_ADDR=127.0.0.1:$((PG_PORT + 2))
NEW_ADDR=127.0.0.1:$((PG_PORT + 3))
SLUG=synthetic
QUERY=

source bench/lib.sh

begin_run search
if [[ "${BENCH_REUSE:-}" == 1 ]]; then
  DATA="$PWD/bench/.data-search"
  mkdir -p "$DATA"
fi

echo "== build: new = this tree, old = $(git rev-parse --short "$OLD")"
go build -o "$TMP/new" ./cmd/fritid
mkdir -p "$TMP/old-src"
git archive "$OLD" | tar -x -C "$TMP/old-src"
(cd "$TMP/old-src" && go build -o "$TMP/old" ./cmd/fritid)

echo "== PostgreSQL on 127.0.0.1:$PG_PORT ($DATA/pg)"
start_postgres "$DATA/pg"
url() { echo "postgres://postgres@127.0.0.1:$PG_PORT/$1?sslmode=disable"; }
export FRITID_LOG_LEVEL=warn

# prepare SIZE makes the databases s$SIZE (old, unless it is there) and s${SIZE}_new (new).
prepare() {
  local size=$1 db=s$1 orgs=$(($1 / 10))
  if [[ -z "$(psql_q "SELECT 1 FROM pg_database WHERE datname = '$db'" postgres)" ]]; then
    psql_q "CREATE DATABASE $db" postgres >/dev/null
    echo "== seed $db: $orgs organisations x 10 activities (old code)"
    FRITID_DATA_DIR="$DATA/fritid-$db" FRITID_DATABASE_URL=$(url "$db") timeout 3600 \
      "$TMP/old" seed synthetic --organisations "$orgs" --activities-per-organisation 10
    psql_q "VACUUM ANALYZE" "$db" >/dev/null
  else
    echo "== reusing $db"
  fi
  # The new code's copy is made afresh each run, so that it has this tree's migrations.
  psql_q "DROP DATABASE IF EXISTS ${db}_new" postgres >/dev/null
  psql_q "CREATE DATABASE ${db}_new TEMPLATE $db" postgres >/dev/null
  echo "== migrate ${db}_new (new code)"
  FRITID_DATA_DIR="$DATA/fritid-$db" FRITID_DATABASE_URL=$(url "${db}_new") "$TMP/new" migrate up
  psql_q "VACUUM ANALYZE" "${db}_new" >/dev/null
}

results=()
run_wrk() { # run_wrk LABEL ADDR QUERY CONNECTIONS
  local threads=2 out
  [[ $4 -eq 1 ]] && threads=1
  out=$(BENCH_OPERATION=SearchTop BENCH_QUERY=$3 timeout $(($(seconds "$DURATION") + 60)) \
    wrk -t$threads -c"$4" -d"$DURATION" --latency -H "X-Municipality: $SLUG" -s bench/graphql.lua "http://$2/graphql")
  local fig
  fig=$(wrk_figures "$out")
  printf "   %-6s %8s  %-10s c=%-3s  %s\n" "$1" "$size" "$3" "$4" "$fig"
  results+=("$1|$size|$3|$4|$fig")
}

for size in $SIZES; do
  prepare "$size"
  db=s$size
  FRITID_DATA_DIR="$DATA/fritid-$db" FRITID_DATABASE_URL=$(url "$db") FRITID_HTTP_ADDR=$OLD_ADDR \
    FRITID_COST_BUDGET_ANONYMOUS=0 "$TMP/old" serve >"$TMP/old.log" 2>&1 &
  OLD_PID=$!
  PIDS+=("$OLD_PID")
  FRITID_DATA_DIR="$DATA/fritid-$db" FRITID_DATABASE_URL=$(url "${db}_new") FRITID_HTTP_ADDR=$NEW_ADDR \
    FRITID_COST_BUDGET_ANONYMOUS=0 "$TMP/new" serve >"$TMP/new.log" 2>&1 &
  NEW_PID=$!
  PIDS+=("$NEW_PID")
  wait_ready "http://$OLD_ADDR/readyz" "$TMP/old.log"
  wait_ready "http://$NEW_ADDR/readyz" "$TMP/new.log"
  echo "== $size activities: answers and warm-up"
  for q in $QUERIES; do
    QUERY=$q
    for side in old new; do
      addr=$OLD_ADDR
      [[ $side == new ]] && addr=$NEW_ADDR
      printf "   %-4s %-10s" "$side" "$q"
      check_answer SearchTop "http://$addr/graphql" "$TMP/$side-$size-$q.json"
      BENCH_OPERATION=SearchTop BENCH_QUERY=$q timeout 30 wrk -t2 -c16 -d2s -H "X-Municipality: $SLUG" \
        -s bench/graphql.lua "http://$addr/graphql" >/dev/null
    done
  done
  echo "== $size activities: measure (req/s|p50 ms|p99 ms|errors)"
  for round in $(seq "$ROUNDS"); do
    for q in $QUERIES; do
      for c in 1 16; do
        run_wrk old "$OLD_ADDR" "$q" "$c"
        run_wrk new "$NEW_ADDR" "$q" "$c"
      done
    done
  done
  stop_pid "$OLD_PID"
  stop_pid "$NEW_PID"
done

# mean SIDE SIZE QUERY CONNECTIONS FIELD prints the mean of a figure over the rounds
# (FIELD 1 req/s, 2 p50, 3 p99, 4 errors).
mean() {
  local r
  for r in "${results[@]}"; do echo "$r"; done |
    awk -F'|' -v s="$1" -v n="$2" -v q="$3" -v c="$4" -v f="$5" \
      '$1 == s && $2 == n && $3 == q && $4 == c { t += $(4 + f); k++ } END { printf "%.2f", k ? t / k : 0 }'
}

echo
echo "== $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); search(query, first: 20) with titles;"
echo "   wrk -d$DURATION, -t1 -c1 and -t2 -c16; means of $ROUNDS rounds; old = $(git rev-parse --short "$OLD")"
printf "%-8s %-10s %4s | %9s %8s %8s | %9s %8s %8s | %8s %8s\n" activities query conn \
  "old req/s" "p50 ms" "p99 ms" "new req/s" "p50 ms" "p99 ms" "req/s x" "p50 x"
for size in $SIZES; do
  for q in $QUERIES; do
    for c in 1 16; do
      or=$(mean old "$size" "$q" "$c" 1) op50=$(mean old "$size" "$q" "$c" 2) op99=$(mean old "$size" "$q" "$c" 3)
      nr=$(mean new "$size" "$q" "$c" 1) np50=$(mean new "$size" "$q" "$c" 2) np99=$(mean new "$size" "$q" "$c" 3)
      printf "%-8s %-10s %4s | %9s %8s %8s | %9s %8s %8s | %8s %8s\n" "$size" "$q" "$c" \
        "$or" "$op50" "$op99" "$nr" "$np50" "$np99" \
        "$(awk -v a="$nr" -v b="$or" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')" \
        "$(awk -v a="$op50" -v b="$np50" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"
    done
  done
done
errors=0
for r in "${results[@]}"; do
  IFS='|' read -r _ _ _ _ _ _ _ e <<<"$r"
  errors=$((errors + e))
done
[[ $errors -eq 0 ]] || echo "WARNING: $errors failed requests" >&2
