#!/usr/bin/env bash
# The start-up benchmark: how long `fritid --help` takes, and how long a warm start of
# `fritid serve` takes from the process's start to its first 200 from /readyz, on the
# embedded PostgreSQL with its data directory already initialised and the schema current.
# The tree as it is and an earlier commit (BASE) are built and measured side by side, in
# interleaved rounds (base, this tree, this tree, base, ...), and the ratios are printed.
#
# How it runs:
#   1. builds fritid from the working tree and from BASE (git archive) into a temporary
#      directory;
#   2. starts each build's `fritid serve` once on a data directory of its own, so that
#      initdb, the migrations and the demo data are done, and stops it;
#   3. measures ROUNDS rounds; each round runs RUNS `--help` and RUNS warm starts of each
#      build, alternating which build goes first. With hyperfine installed
#      (apt-get install -y hyperfine) hyperfine times every run; without it a shell loop does;
#   4. prints median, mean and minimum of each, and this tree's median over BASE's.
#
# A warm start is timed by `bench/start.sh ready BINARY DATA_DIR PORT PID_FILE`: it starts
# serve in the background, asks GET /readyz every millisecond until it answers 200, and
# leaves the server running; the next run's preparation (`bench/start.sh stop PID_FILE`)
# stops it, untimed.
#
# Settings (environment):
#   BASE=HEAD~1      the commit to compare with
#   ROUNDS=6 RUNS=5  rounds, and runs of each build and command per round
#   TIMER=loop       time with the shell loop even when hyperfine is installed
#
# Needs: go, git, and the PostgreSQL server binaries (initdb, postgres; PG_BINDIR points
# at them when they are not found). Uses hyperfine when it is installed.
set -euo pipefail

# ready BINARY DATA_DIR PORT PID_FILE starts serve and returns once /readyz answers 200.
ready() {
  local bin=$1 data=$2 port=$3 pidfile=$4 pid line tick
  FRITID_DATA_DIR=$data FRITID_HTTP_ADDR=127.0.0.1:$port FRITID_LOG_LEVEL=warn \
    "$bin" serve >>"$data.log" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  exec {tick}<> <(:) # read -t on this never-written pipe sleeps without a new process
  for _ in $(seq 60000); do
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
      read -r line <&3 || line=
      exec 3<&-
      [[ "$line" == *" 200 "* ]] && return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "fritid serve exited; see $data.log" >&2; return 1; }
    read -r -t 0.001 -u "$tick" || true
  done
  echo "not ready after 60 s; see $data.log" >&2
  return 1
}

# stop PID_FILE stops the server a ready run left running, and waits until it has exited
# (with its PostgreSQL).
stop() {
  local pid
  [[ -s "$1" ]] || return 0
  pid=$(<"$1")
  rm -f "$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
}

case "${1:-}" in
  ready) shift; ready "$@"; exit ;;
  stop) shift; stop "$@"; exit ;;
esac

cd "$(dirname "$0")/.."
source bench/lib.sh
BASE=${BASE:-HEAD~1}
ROUNDS=${ROUNDS:-6}
RUNS=${RUNS:-5}
SELF="$PWD/bench/start.sh"

PG_BIN=$(pg_bindir) || { echo "PostgreSQL server binaries not found: set PG_BINDIR" >&2; exit 1; }
export PG_BINDIR=$PG_BIN
unset FRITID_DATABASE_URL
TMP=$(mktemp -d /var/tmp/fritid-start.XXXXXX)
chmod 755 "$TMP" # the PostgreSQL server user must reach the data directories
PIDS=()
on_exit() {
  local rc=$? f
  for f in "$TMP"/*.pid; do stop "$f"; done
  (exit $rc)
  cleanup
}
trap on_exit EXIT
trap 'exit 130' INT TERM

echo "== build this tree and $BASE ($(git rev-parse --short "$BASE"))"
mkdir "$TMP/base-src"
git archive "$BASE" | tar -x -C "$TMP/base-src"
go build -o "$TMP/new" ./cmd/fritid
(cd "$TMP/base-src" && go build -o "$TMP/base" ./cmd/fritid)

timer=loop
if [[ "${TIMER:-}" != loop ]] && command -v hyperfine >/dev/null; then
  timer="hyperfine $(hyperfine --version | awk '{ print $2 }')"
fi

builds=(base new)
declare -A port=([base]=18290 [new]=18291)
for b in "${builds[@]}"; do
  echo "== first start of $b: initdb, migrations, demo data"
  "$SELF" ready "$TMP/$b" "$TMP/data-$b" "${port[$b]}" "$TMP/$b.pid"
  stop "$TMP/$b.pid"
done

declare -A times # "<build> <what>" -> milliseconds, space-separated

# timed LABEL... runs one measurement of each label (a build and what: help or serve) in
# the given order, RUNS times each, and adds the milliseconds to times.
timed() {
  local label b what cmd prep ms json
  for label in "$@"; do
    read -r b what <<<"$label"
    cmd="$TMP/$b --help"
    prep="true"
    if [[ $what == serve ]]; then
      cmd="$SELF ready $TMP/$b $TMP/data-$b ${port[$b]} $TMP/$b.pid"
      prep="$SELF stop $TMP/$b.pid"
    fi
    if [[ $timer != loop ]]; then
      json="$TMP/round.json"
      hyperfine -N --style none --runs "$RUNS" --prepare "$prep" --export-json "$json" "$cmd" >/dev/null 2>&1
      ms=$(awk '/"times":/ { on = 1; next } on && /\]/ { exit } on { gsub(/[ ,]/, ""); printf "%.2f ", $0 * 1000 }' "$json")
    else
      ms=""
      for _ in $(seq "$RUNS"); do
        $prep
        local t0 t1
        t0=$(date +%s%N)
        $cmd >/dev/null
        t1=$(date +%s%N)
        ms+="$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", d / 1e6 }') "
      done
    fi
    [[ $what == serve ]] && stop "$TMP/$b.pid"
    times[$label]+="$ms"
  done
}

echo "== $ROUNDS rounds x $RUNS runs of each, timed by $timer"
for r in $(seq "$ROUNDS"); do
  if ((r % 2)); then
    timed "base help" "new help" "new serve" "base serve"
  else
    timed "new help" "base help" "base serve" "new serve"
  fi
  echo "   round $r done"
done

# stats prints "median mean min n" of the milliseconds given.
stats() {
  tr ' ' '\n' <<<"$1" | grep . | sort -g |
    awk '{ v[NR] = $1; s += $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
      printf "%.1f %.1f %.1f %d\n", m, s / NR, v[1], NR }'
}

echo
echo "== $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); base $(git rev-parse --short "$BASE"), this tree $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes')"
printf "%-40s %9s %9s %9s %5s %9s\n" "" "median ms" "mean ms" "min ms" "runs" "of base"
for what in help serve; do
  name="fritid --help"
  [[ $what == serve ]] && name="serve warm start to /readyz"
  read -r bmed bmean bmin bn <<<"$(stats "${times[base $what]}")"
  read -r nmed nmean nmin nn <<<"$(stats "${times[new $what]}")"
  printf "%-40s %9s %9s %9s %5s\n" "$name (base)" "$bmed" "$bmean" "$bmin" "$bn"
  printf "%-40s %9s %9s %9s %5s %8.2fx\n" "$name (this tree)" "$nmed" "$nmean" "$nmin" "$nn" \
    "$(awk -v n="$nmed" -v b="$bmed" 'BEGIN { print n / b }')"
done
