# Helpers for bench/run.sh: tools, the PostgreSQL cluster, processes, wrk's figures.
# shellcheck shell=bash

need_tools() {
  local missing=0
  if ! command -v wrk >/dev/null; then
    echo "wrk is missing: install it with  apt-get install -y wrk" >&2
    missing=1
  fi
  for tool in go curl; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool is missing" >&2
      missing=1
    fi
  done
  PG_BIN=$(pg_bindir) || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found: set PG_BINDIR" >&2; missing=1; }
  return $missing
}

# begin_run NAME checks the tools, makes the temporary directory $TMP (removed with
# everything started, at exit), and picks $DATA: bench/.data with BENCH_REUSE=1, else in $TMP.
begin_run() {
  need_tools
  TMP=$(mktemp -d "/var/tmp/fritid-$1.XXXXXX")
  chmod 755 "$TMP"
  PIDS=()
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  DATA="$TMP/data"
  if [[ "${BENCH_REUSE:-}" == 1 ]]; then
    DATA="$PWD/bench/.data"
  fi
  mkdir -p "$DATA"
}

# pg_bindir prints the directory that holds initdb and pg_ctl.
pg_bindir() {
  local d
  for d in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null || true)" \
    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb || echo /nonexistent/x)")"; do
    if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# as_pg runs a command as the postgres system user when we are root (PostgreSQL refuses
# to run as root), else as ourselves.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# start_postgres DIR makes a cluster in DIR when there is none and starts it on
# 127.0.0.1:$PG_PORT, with the database "fritid".
start_postgres() {
  local dir=$1
  if [[ ! -s "$dir/PG_VERSION" ]]; then
    mkdir -p "$dir"
    [[ $EUID -eq 0 ]] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_pg "$PG_BIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$TMP/initdb.log" 2>&1 ||
      { cat "$TMP/initdb.log" >&2; return 1; }
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    echo "stopping a server left running on $dir"
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 30 stop >/dev/null
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/postgres.log" -w -t 60 -o \
    "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200" start >/dev/null ||
    { tail -20 "$dir/postgres.log" >&2; return 1; }
  PG_STARTED=$dir
  if [[ -z "$(psql_q "SELECT 1 FROM pg_database WHERE datname = 'fritid'" postgres)" ]]; then
    psql_q "CREATE DATABASE fritid" postgres >/dev/null
  fi
}

# psql_q SQL [DATABASE] runs one statement and prints its rows unaligned.
psql_q() {
  local psql=psql
  [[ -x "$PG_BIN/psql" ]] && psql="$PG_BIN/psql"
  timeout 600 "$psql" -X -q -v ON_ERROR_STOP=1 -tA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${2:-fritid}" -c "$1"
}

# seed_if_needed seeds the synthetic municipality unless it is there at the size asked for.
seed_if_needed() {
  local have
  have=$(psql_q "SELECT (SELECT count(*) FROM organisations o WHERE o.municipality_id = m.id) || ' ' ||
    (SELECT count(*) FROM activities a WHERE a.municipality_id = m.id) FROM municipalities m WHERE slug = '$SLUG'" 2>/dev/null || true)
  if [[ "$have" == "$ORGS $((ORGS * PER))" ]]; then
    echo "== reusing $SLUG: $ORGS organisations, $((ORGS * PER)) activities"
    return
  fi
  if [[ -n "$have" ]]; then
    echo "== recreating the database: $SLUG has another size ($have)"
    psql_q "DROP DATABASE fritid" postgres >/dev/null
    psql_q "CREATE DATABASE fritid" postgres >/dev/null
  fi
  echo "== seed: $ORGS organisations x $PER activities"
  timeout 3600 "$TMP/fritid" seed synthetic --organisations "$ORGS" --activities-per-organisation "$PER"
  echo "== vacuum analyze"
  psql_q "VACUUM ANALYZE" >/dev/null
}

# wait_ready URL LOG waits up to 60 s for URL to answer 200.
wait_ready() {
  local i
  for i in $(seq 600); do
    if curl -fsS --max-time 2 "$1" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "not ready after 60 s: $1" >&2
  tail -30 "$2" >&2
  return 1
}

# check_answer OPERATION URL FILE fails unless one request gets data without errors, and
# keeps the answer in FILE.
check_answer() {
  local body nodes
  body=$(BENCH_PRINT_BODY=1 BENCH_OPERATION=$1 BENCH_QUERY=$QUERY wrk -t1 -c1 -d1s -s bench/graphql.lua http://127.0.0.1:1/)
  curl -sS --max-time 20 -H "Content-Type: application/json" -H "Accept-Language: nb" \
    -H "X-Municipality: $SLUG" --data-binary "$body" -o "$3" "$2"
  nodes=$(grep -o '"node"' "$3" | wc -l)
  if grep -q '"errors"' "$3" || [[ "$nodes" -eq 0 ]]; then
    echo "bad answer from $2: $(head -c 600 "$3")" >&2
    return 1
  fi
  echo "   one answer: $nodes results, $(wc -c <"$3") bytes"
}

# same_answers OPERATION says whether the API and the floor gave the same answer, up to the
# order of each categories list (the API does not order an activity's categories).
same_answers() {
  if ! command -v python3 >/dev/null; then
    echo "   (python3 missing: the answers were not compared)"
  elif python3 - "$TMP/GraphQL-$1.json" "$TMP/floor-$1.json" <<'PY'; then
import json, sys

def canon(v):
    if isinstance(v, dict):
        return {k: sorted(map(canon, x), key=lambda c: c["id"]) if k == "categories" else canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return [canon(x) for x in v]
    return v

a, b = (canon(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY
    echo "   the floor's answer to $1 is the API's"
  else
    echo "   WARNING: the floor's answer to $1 differs from the API's; the comparison is off" >&2
  fi
}

# stop_pid PID stops a process we started: TERM, then KILL after 15 s.
stop_pid() {
  local i
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for i in $(seq 150); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  local pid
  for pid in "${PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [[ -n "${PG_STARTED:-}" ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_STARTED" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [[ $rc -ne 0 ]]; then
    for log in "$TMP"/*.log; do
      [[ -f "$log" ]] && { echo "--- $log" >&2; tail -20 "$log" >&2; }
    done
  fi
  rm -rf "$TMP"
}

# seconds DURATION turns wrk's 30s, 2m or 1h into seconds.
seconds() {
  local n=${1%[smh]}
  case $1 in
    *m) echo $((n * 60)) ;;
    *h) echo $((n * 3600)) ;;
    *) echo "$n" ;;
  esac
}

# wrk_figures OUTPUT prints "req/s|p50 ms|p99 ms|errors" from wrk --latency output.
wrk_figures() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000
      return v * 1000
    }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errors += $i + 0 }
    END { printf "%s|%.2f|%.2f|%d\n", rps, p50, p99, errors }' <<<"$1"
}

# print_rounds OPERATION... prints every round of the API and the floor (in the order they
# were measured, results holding them in pairs) with its ratio, then the medians over the
# rounds and the median of the rounds' ratios.
print_rounds() {
  local op r i=0 api floor
  printf "%-24s %10s %9s %9s %7s %8s\n" "" "req/s" "p50 ms" "p99 ms" "errors" "of floor"
  for op in "$@"; do
    local ratios=() apis=() floors=() p50s=() fp50s=()
    i=0
    for r in "${results[@]}"; do
      [[ "${r%%|*}" == "GraphQL $op" || "${r%%|*}" == "floor $op" ]] || continue
      if [[ "${r%%|*}" == "GraphQL $op" ]]; then api=${r#*|}; continue; fi
      floor=${r#*|}; i=$((i + 1))
      IFS='|' read -r a_rps a_p50 a_p99 a_err <<<"$api"
      IFS='|' read -r f_rps f_p50 f_p99 f_err <<<"$floor"
      local ratio
      ratio=$(awk -v a="$a_rps" -v f="$f_rps" 'BEGIN { printf "%.0f", (f > 0 ? 100 * a / f : 0) }')
      ratios+=("$ratio"); apis+=("$a_rps"); floors+=("$f_rps"); p50s+=("$a_p50"); fp50s+=("$f_p50")
      printf "%-24s %10s %9s %9s %7s %7s%%\n" "round $i GraphQL $op" "$a_rps" "$a_p50" "$a_p99" "$a_err" "$ratio"
      printf "%-24s %10s %9s %9s %7s\n" "round $i floor $op" "$f_rps" "$f_p50" "$f_p99" "$f_err"
    done
    printf "%-24s %10s %9s %19s %7s%%\n" "median GraphQL $op" "$(median "${apis[@]}")" "$(median "${p50s[@]}")" "" \
      "$(median "${ratios[@]}")"
    printf "%-24s %10s %9s\n" "median floor $op" "$(median "${floors[@]}")" "$(median "${fp50s[@]}")"
  done
}

# median NUMBER... prints the median.
median() {
  printf "%s\n" "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# result LABEL prints the figures measured under LABEL.
result() {
  local r
  for r in "${results[@]}"; do
    if [[ "${r%%|*}" == "$1" ]]; then
      echo "${r#*|}"
      return
    fi
  done
}
