#!/usr/bin/env bash
# The peers benchmark: one nested read, "the first 50 organisations by name, each with its
# first 10 activities (id, title in Bokmål with fallback)", answered on the same database
# by fritid, by PostGraphile v5 (preset amber, production mode) and by a floor (bench/floor:
# Go + pgx, one SQL statement with two lateral joins, the same JSON as fritid), measured
# with wrk (2 threads, 16 connections) in interleaved rounds (A B C A B C ...).
#
# How it runs, all on loopback addresses and bounded in time:
#   1. builds fritid and the floor into a temporary directory, and installs PostGraphile
#      there with npm (nothing is kept: the directory goes at exit);
#   2. starts a PostgreSQL cluster of its own on 127.0.0.1:$PG_PORT and seeds it with
#      `fritid seed synthetic` when the municipality is missing or of another size;
#   3. adds to that database what PostGraphile needs to read the same rows in the same
#      order: functions giving names in Norwegian order (nameNb, sortNameNb) and the title
#      along the locale chain nb (titleNb);
#   4. starts the three servers, checks that they give the same data (the same
#      organisations and activities in the same order, the same titles), then runs ROUNDS
#      rounds, each one wrk run per server in turn after a short warm-up;
#   5. prints each server's median req/s and p50 over the rounds, the ratios, and each
#      server's peak RSS.
#
# Settings (environment):
#   ORGS=2000 PER=10      size of the synthetic municipality (organisations, activities each);
#                         the figures in the README are at ORGS=10000 (100,000 activities)
#   DURATION=10s          length of each measured wrk run (a request counts as an error after
#                         10 s, not wrk's default of 2 s, which a loaded machine's slowest
#                         requests passed: an error ends the run)
#   ROUNDS=3              rounds (each server once per round)
#   BENCH_REUSE=1         keep the database in bench/.data and reuse it on the next run
#   PEERS=on              PEERS=off leaves PostGraphile out (fritid and the floor only)
#   PG_PORT=18091         the benchmark cluster's port
#
# Needs: go, wrk, curl, python3, node and npm (for PostGraphile), and the PostgreSQL server
# binaries (initdb, pg_ctl; PG_BINDIR points at them when they are not found).
set -euo pipefail

cd "$(dirname "$0")/.."
ORGS=${ORGS:-2000}
PER=${PER:-10}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
PEERS=${PEERS:-on}
PG_PORT=${PG_PORT:-18091}
POSTGRAPHILE_VERSION=${POSTGRAPHILE_VERSION:-5.1.5}
API_ADDR=127.0.0.1:18090
FLOOR_ADDR=127.0.0.1:18092
PEER_PORT=18094
SLUG=synthetic
QUERY=

source bench/lib.sh

begin_run peers

echo "== build"
go build -o "$TMP/fritid" ./cmd/fritid
go build -o "$TMP/floor" ./bench/floor

if [[ "$PEERS" != off ]]; then
  if ! command -v npm >/dev/null; then
    echo "note: npm is missing: PostGraphile is left out"
    PEERS=off
  else
    echo "== npm install postgraphile@$POSTGRAPHILE_VERSION (into $TMP/peer)"
    mkdir -p "$TMP/peer"
    if ! (cd "$TMP/peer" && timeout 600 npm install --no-audit --no-fund --silent \
      "postgraphile@$POSTGRAPHILE_VERSION" >"$TMP/npm.log" 2>&1); then
      echo "note: PostGraphile could not be installed, it is left out:"
      tail -5 "$TMP/npm.log"
      PEERS=off
    fi
  fi
fi

echo "== PostgreSQL on 127.0.0.1:$PG_PORT ($DATA/pg)"
start_postgres "$DATA/pg"
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/fritid?sslmode=disable"

export FRITID_DATA_DIR="$DATA/fritid" FRITID_DATABASE_URL="$DATABASE_URL" FRITID_LOG_LEVEL=warn
seed_if_needed
MUNICIPALITY=$(psql_q "SELECT id FROM municipalities WHERE slug = '$SLUG'")

# PostGraphile orders by a column's own collation and has no locale chain: these functions
# give it names in Norwegian order and the title in nb with fritid's fallback (the first
# non-empty title along the chain, then the other locales' alphabetically, else "").
psql_q "
DO \$\$ BEGIN CREATE DOMAIN nb_text AS text COLLATE \"nb-x-icu\";
  EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;
CREATE OR REPLACE FUNCTION organisations_name_nb(o organisations) RETURNS nb_text
  LANGUAGE sql STABLE AS 'SELECT o.name::nb_text';
CREATE OR REPLACE FUNCTION activities_sort_name_nb(a activities) RETURNS nb_text
  LANGUAGE sql STABLE AS 'SELECT a.sort_name::nb_text';
CREATE OR REPLACE FUNCTION activities_title_nb(a activities) RETURNS text LANGUAGE sql STABLE AS
  'SELECT coalesce((SELECT t.title FROM activity_translations t WHERE t.activity_id = a.id AND t.title <> ''''
    ORDER BY array_position(''{nb}''::text[], t.locale) NULLS LAST, t.locale LIMIT 1), '''')';
COMMENT ON FUNCTION organisations_name_nb(organisations) IS '@behavior +orderBy';
COMMENT ON FUNCTION activities_sort_name_nb(activities) IS '@behavior +orderBy';
" >/dev/null

servers=(fritid floor)
declare -A URL=([fritid]="http://$API_ADDR/graphql" [floor]="http://$FLOOR_ADDR/graphql"
  [postgraphile]="http://127.0.0.1:$PEER_PORT/graphql")
declare -A OPERATION=([fritid]=Nested [floor]=Nested [postgraphile]=NestedPeer)
declare -A PID

echo "== fritid serve on $API_ADDR"
# All of wrk's connections come from one address, which the anonymous cost budget would
# rightly throttle: the benchmark measures the API without it.
FRITID_HTTP_ADDR=$API_ADDR FRITID_COST_BUDGET_ANONYMOUS=0 "$TMP/fritid" serve >"$TMP/fritid.log" 2>&1 &
PID[fritid]=$!
PIDS+=("$!")
wait_ready "http://$API_ADDR/readyz" "$TMP/fritid.log"

echo "== floor on $FLOOR_ADDR"
"$TMP/floor" -addr "$FLOOR_ADDR" -database-url "$DATABASE_URL" >"$TMP/floor.log" 2>&1 &
PID[floor]=$!
PIDS+=("$!")
wait_ready "http://$FLOOR_ADDR/readyz" "$TMP/floor.log"

if [[ "$PEERS" != off ]]; then
  echo "== PostGraphile $POSTGRAPHILE_VERSION (preset amber, production mode) on 127.0.0.1:$PEER_PORT"
  # Preset amber, with the filters, orders and relations that the plugin for indexes would
  # hide for want of an index on exactly those columns (the rows read are the same).
  cat >"$TMP/peer/graphile.config.mjs" <<'JS'
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
  grafserv: { host: "127.0.0.1", port: Number(process.env.PEER_PORT) },
};
JS
  # Grafserv calls Promise.withResolvers, which Node.js has from version 22 on.
  cat >"$TMP/peer/with-resolvers.cjs" <<'JS'
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new this((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
JS
  (cd "$TMP/peer" && DATABASE_URL=$DATABASE_URL PEER_PORT=$PEER_PORT NODE_ENV=production GRAPHILE_ENV=production \
    NODE_OPTIONS="--require $TMP/peer/with-resolvers.cjs" exec node_modules/.bin/postgraphile -C graphile.config.mjs \
    >"$TMP/postgraphile.log" 2>&1) &
  PID[postgraphile]=$!
  PIDS+=("$!")
  ready=0
  for _ in $(seq 300); do
    if curl -fsS --max-time 2 -H 'Content-Type: application/json' --data '{"query":"{__typename}"}' \
      "${URL[postgraphile]}" >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 0.2
  done
  if [[ $ready == 1 ]]; then
    servers=(fritid postgraphile floor)
  else
    echo "note: PostGraphile did not answer within 60 s; it is left out:"
    tail -10 "$TMP/postgraphile.log"
    PEERS=off
  fi
fi

# rss_peak NAME prints the peak resident memory of a server in MiB (its own process; for
# PostGraphile the node process under the subshell).
rss_peak() {
  local pid=${PID[$1]}
  if [[ $1 == postgraphile ]]; then
    pid=$(pgrep -P "$pid" | head -1 || echo "$pid")
  fi
  awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?"
}

echo "== one answer each"
for s in "${servers[@]}"; do
  body=$(BENCH_PRINT_BODY=1 BENCH_OPERATION=${OPERATION[$s]} BENCH_MUNICIPALITY=$MUNICIPALITY \
    wrk -t1 -c1 -d1s -s bench/graphql.lua http://127.0.0.1:1/)
  curl -sS --max-time 30 -H "Content-Type: application/json" -H "Accept-Language: nb" \
    -H "X-Municipality: $SLUG" --data-binary "$body" -o "$TMP/$s.json" "${URL[$s]}"
  if grep -q '"errors"' "$TMP/$s.json"; then
    echo "bad answer from $s: $(head -c 600 "$TMP/$s.json")" >&2
    exit 1
  fi
  echo "   $s: $(wc -c <"$TMP/$s.json") bytes"
done
python3 - "$TMP" "${servers[@]}" <<'PY'
import base64, json, sys

def raw(gid):  # fritid's global IDs are base64 of "Type:uuid"
    return base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode().split(":", 1)[1]

def rows(name, doc):
    d = doc["data"]
    if name == "postgraphile":
        return [(o["rowId"], [(a["rowId"], a["titleNb"]) for a in o["activitiesByMunicipalityIdAndOrganisationId"]["nodes"]])
                for o in d["allOrganisations"]["nodes"]]
    return [(raw(e["node"]["id"]), [(raw(a["node"]["id"]), a["node"]["title"]) for a in e["node"]["activities"]["edges"]])
            for e in d["organisations"]["edges"]]

tmp, names = sys.argv[1], sys.argv[2:]
got = {n: rows(n, json.load(open(f"{tmp}/{n}.json"))) for n in names}
ref = got["fritid"]
acts = sum(len(a) for _, a in ref)
print(f"   fritid: {len(ref)} organisations, {acts} activities")
bad = [n for n in names if got[n] != ref]
for n in bad:
    print(f"   WARNING: {n} gives other data than fritid", file=sys.stderr)
if len(ref) == 0 or acts == 0:
    print("   WARNING: no data to compare", file=sys.stderr)
    sys.exit(1)
if not bad:
    print("   the same data from " + ", ".join(names))
PY

declare -A RPS P50
for round in $(seq "$ROUNDS"); do
  for s in "${servers[@]}"; do
    BENCH_OPERATION=${OPERATION[$s]} BENCH_MUNICIPALITY=$MUNICIPALITY timeout 30 wrk -t2 -c16 -d2s \
      -H "X-Municipality: $SLUG" -s bench/graphql.lua "${URL[$s]}" >/dev/null
    out=$(BENCH_OPERATION=${OPERATION[$s]} BENCH_MUNICIPALITY=$MUNICIPALITY \
      timeout $(( $(seconds "$DURATION") + 60 )) wrk -t2 -c16 -d"$DURATION" --timeout 10s --latency \
      -H "X-Municipality: $SLUG" -s bench/graphql.lua "${URL[$s]}")
    IFS='|' read -r rps p50 p99 errors <<<"$(wrk_figures "$out")"
    if [[ "$errors" != 0 ]]; then
      echo "$s: $errors errors in round $round" >&2
      echo "$out" >&2
      exit 1
    fi
    printf "   round %d %-13s %9s req/s  p50 %7s ms  p99 %7s ms\n" "$round" "$s" "$rps" "$p50" "$p99"
    RPS[$s]+="$rps "
    P50[$s]+="$p50 "
  done
done


echo
echo "== $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); $ORGS organisations x $PER activities;" \
  "wrk -t2 -c16 -d$DURATION, $ROUNDS interleaved rounds, medians"
printf "%-14s %10s %9s %9s\n" "" "req/s" "p50 ms" "RSS MiB"
for s in "${servers[@]}"; do
  printf "%-14s %10.1f %9.2f %9s\n" "$s" "$(median ${RPS[$s]})" "$(median ${P50[$s]})" "$(rss_peak "$s")"
done
f=$(median ${RPS[fritid]})
if [[ " ${servers[*]} " == *" postgraphile "* ]]; then
  awk -v a="$f" -v b="$(median ${RPS[postgraphile]})" 'BEGIN { printf "fritid / PostGraphile: %.2fx\n", a / b }'
fi
awk -v a="$f" -v b="$(median ${RPS[floor]})" 'BEGIN { printf "fritid / floor:        %.2fx\n", a / b }'
