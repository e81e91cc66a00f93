#!/usr/bin/env bash
# Database faults: how `fritid serve` with its embedded PostgreSQL rides out
#   1. SIGKILL of the postmaster, under a stream of writes;
#   2. `pg_ctl restart -m fast` of the cluster, under the same writes;
# and that stopping fritid afterwards leaves no postgres process running.
#
# For each fault it prints the seconds until /readyz answers 200 again, how the writes were
# answered (OK, 503 SERVICE_UNAVAILABLE, anything else), and how many of the writes answered
# OK are in the database afterwards (they all must be).
#
# How it runs, all on loopback addresses and bounded in time (every wait has a deadline;
# about a minute in all): builds fritid into a temporary directory, starts `fritid serve` on
# a fresh data directory there (FRITID_ADDR, default 127.0.0.1:18095), writes by registering
# organisations (registerOrganisation, anonymous) one after another with curl, and removes
# everything at the end, also on failure or Ctrl-C.
#
# Needs: go, curl, and the PostgreSQL server binaries with psql and pg_ctl (PG_BINDIR).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

ADDR=${FRITID_ADDR:-127.0.0.1:18095}
URL="http://$ADDR"
for tool in go curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
PG_BIN=$(pg_bindir) || { echo "PostgreSQL server binaries not found: set PG_BINDIR" >&2; exit 1; }

TMP=$(mktemp -d /tmp/fritid-faults-XXXXXX)
chmod 755 "$TMP" # the postgres user must reach the cluster when we run as root
DATA="$TMP/data"
mkdir -m 755 "$DATA" # so the cluster stays inside it
CLUSTER="$DATA/postgres" # the real directory once fritid has made it
FRITID_PID=

cleanup() {
  [[ -f "$TMP/stop" ]] || touch "$TMP/stop"
  if [[ -n "$FRITID_PID" ]] && kill -0 "$FRITID_PID" 2>/dev/null; then
    kill -TERM "$FRITID_PID" 2>/dev/null || true
    wait_gone "$FRITID_PID" 30 || kill -KILL "$FRITID_PID" 2>/dev/null || true
  fi
  local pid
  pid=$(postmaster_pid 2>/dev/null) || true
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -QUIT "$pid" 2>/dev/null || true
  fi
  wait
  if [[ -n "${KEEP:-}" ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# now prints the time in seconds with milliseconds.
now() { date +%s.%3N; }

# elapsed FROM prints the seconds since FROM.
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# wait_gone PID SECONDS waits for a process to exit.
wait_gone() {
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [[ $SECONDS -lt $deadline ]] || return 1
    sleep 0.05
  done
}

# running PID reports whether a process exists and is not a zombie.
running() {
  [[ -r /proc/$1/stat ]] || return 1
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
  [[ "$state" != Z && "$state" != X ]]
}

# postmaster_pid prints the pid in the cluster's postmaster.pid.
postmaster_pid() { head -n1 "$CLUSTER/postmaster.pid"; }

# postgres_left counts postgres processes still working in the cluster directory.
postgres_left() {
  local n=0 p
  for p in /proc/[0-9]*; do
    if [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$CLUSTER" ]] && running "${p#/proc/}"; then
      n=$((n + 1))
    fi
  done
  echo "$n"
}

# ready_within SECONDS [OLD_PID] polls until /readyz answers 200 (and, given OLD_PID, a
# postmaster other than OLD_PID runs the cluster: right after a kill, a backend that has not
# noticed yet may still answer).
ready_within() {
  local deadline=$((SECONDS + $1)) old=${2:-}
  until [[ -z "$old" || "$(postmaster_pid 2>/dev/null)" != "$old" ]] &&
    running "$(postmaster_pid 2>/dev/null || echo 0)" &&
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/readyz")" == 200 ]]; do
    [[ $SECONDS -lt $deadline ]] || return 1
    sleep 0.05
  done
}

# writer PREFIX registers organisations "PREFIX n" until $TMP/stop exists, logging
# "name status code" lines to $TMP/PREFIX.log.
writer() {
  local prefix=$1 i=0 body status code
  while [[ ! -f "$TMP/stop" ]]; do
    i=$((i + 1))
    body=$(printf '{"query":"mutation($in: RegisterOrganisationInput!) { registerOrganisation(input: $in) { organisation { id } } }","variables":{"in":{"name":"%s %d","kind":"VOLUNTARY","owner":{"email":"%s-%d@example.org","password":"riktig hest batteri"}}}}' \
      "$prefix" "$i" "$prefix" "$i")
    status=$(curl -s -o "$TMP/answer" -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
      -d "$body" "$URL/graphql" || echo 000)
    code=$(grep -o '"code":"[A-Z_]*"' "$TMP/answer" 2>/dev/null | head -n1 | cut -d'"' -f4 || true)
    echo "$prefix $i|$status|${code:-OK}" >>"$TMP/$prefix.log"
  done
}

# fault NAME COMMAND... runs the writer, then the fault, and reports.
fault() {
  local name=$1 start ready acked present old
  shift
  rm -f "$TMP/stop" "$TMP/$name.log"
  writer "$name" &
  local writer_pid=$!
  sleep 2 # some writes before the fault
  old=$(postmaster_pid)
  start=$(now)
  "$@"
  ready_within 60 "$old" || { echo "$name: /readyz did not answer 200 within 60 s" >&2; exit 1; }
  ready=$(elapsed "$start")
  sleep 2 # and some after
  touch "$TMP/stop"
  wait "$writer_pid"
  acked=$(awk -F'|' '$2 == 200 && $3 == "OK"' "$TMP/$name.log" | wc -l)
  awk -F'|' '$2 == 200 && $3 == "OK" { print $1 }' "$TMP/$name.log" | sort >"$TMP/$name.acked"
  psql_fritid "SELECT name FROM organisations WHERE name LIKE '$name %'" | sort >"$TMP/$name.present"
  present=$(comm -12 "$TMP/$name.acked" "$TMP/$name.present" | wc -l)
  printf '%-14s ready again after %6s s; writes: %s; answered OK and present: %d of %d\n' \
    "$name" "$ready" "$(awk -F'|' '{ n[$2 " " $3]++ } END { for (k in n) { printf "%s%s x%d", s, k, n[k]; s = ", " } }' "$TMP/$name.log")" \
    "$present" "$acked"
  [[ "$present" == "$acked" ]] || { echo "$name: $((acked - present)) writes answered OK are missing" >&2; exit 1; }
}

# psql_fritid SQL runs a query on the embedded database.
psql_fritid() {
  "$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$(sed -n 4p "$CLUSTER/postmaster.pid")" -U postgres -d fritid -c "$1"
}

kill_postmaster() { kill -KILL "$(postmaster_pid)"; }

pg_ctl_restart() {
  # From /, which the postgres user can enter; the new postmaster inherits the log file.
  (cd / && as_pg "$PG_BIN/pg_ctl" restart -m fast -D "$CLUSTER" >>"$TMP/pg_ctl.log" 2>&1) ||
    { echo "pg_ctl restart failed:" >&2; cat "$TMP/pg_ctl.log" >&2; return 1; }
}

echo "== build"
go build -o "$TMP/fritid" ./cmd/fritid

echo "== fritid serve on $ADDR ($DATA)"
FRITID_DATA_DIR="$DATA" FRITID_HTTP_ADDR="$ADDR" FRITID_LOG_LEVEL=warn \
  "$TMP/fritid" serve >"$TMP/fritid.out" 2>"$TMP/fritid.err" &
FRITID_PID=$!
ready_within 120 || { echo "fritid did not become ready:" >&2; cat "$TMP/fritid.err" >&2; exit 1; }
CLUSTER=$(readlink -f "$DATA/postgres")

echo "== faults"
fault kill-9 kill_postmaster
fault pg_ctl-restart pg_ctl_restart

echo "== stop fritid"
last=$(postmaster_pid)
start=$(now)
kill -TERM "$FRITID_PID"
wait_gone "$FRITID_PID" 60 || { echo "fritid did not stop within 60 s" >&2; exit 1; }
status=0
wait "$FRITID_PID" || status=$?
FRITID_PID=
left=$(postgres_left)
printf 'fritid stopped in %s s with status %d; postmaster %d running: %s; postgres processes left: %d\n' \
  "$(elapsed "$start")" "$status" "$last" "$(running "$last" && echo yes || echo no)" "$left"
[[ "$left" == 0 && "$status" == 0 ]] || { echo "fritid's log:" >&2; cat "$TMP/fritid.err" >&2; exit 1; }
