#!/usr/bin/env bash
# Issue 20's size benchmark: `creditbot calc` end to end against the cost of merely reading its report, on the
# same SQLite warehouse, side by side in one run.
#
# For each size N (report rows) it makes a warehouse whose report query (bench/calc_size/report.sql) returns
# exactly N rows (bench/calc_size/make_warehouse.py; kept in $WORK and reused), then runs, REPS times each and
# interleaved so that load hits every column alike:
#   sqlite3     sqlite3 -json DB < report.sql > /dev/null        (the baseline: printing the report)
#   calc        $CREDITBOT calc --sql-file report.sql --warehouse sqlite:DB … > /dev/null
#   before      $BASELINE calc … (optional: the binary before a change)
#   trino       $CREDITBOT calc through the real Trino client, against $TRINO_SERVER (optional: bench's
#               calc_size_trino_server, a loopback Trino coordinator paging the same SQLite file)
# and prints the median wall time (s) and peak RSS (MB = 10^6 bytes, from /usr/bin/time's %M in KiB) of each, calc ÷ sqlite3, and
# issue 20's targets: calc ≤ 2 × sqlite3 at 200,000 and 1,000,000 rows, peak RSS ≤ 30 MB + 300 B × N.
# Every calc must exit 0; its stderr is kept in $WORK/*.err.
#
#   cmake --preset release && cmake --build build/release            # the binary measured
#   bench/calc_size/run.sh                                              # 5, 200,000 and 1,000,000 rows
#   BASELINE=/tmp/h17/base/build/release/creditbot REPS=5 bench/calc_size/run.sh
#   TRINO_SERVER=build/bench/bench/calc_size_trino_server bench/calc_size/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CREDITBOT=${CREDITBOT:-$root/build/release/creditbot}
BASELINE=${BASELINE:-}
TRINO_SERVER=${TRINO_SERVER:-}
TRINO_PAGE_ROWS=${TRINO_PAGE_ROWS:-10000}
SIZES=${SIZES:-5 200000 1000000}
REPS=${REPS:-5}
WORK=${WORK:-${TMPDIR:-/tmp}/creditbot-calc-size}
CLAIM_DATE=2025-08-01
report_sql=$here/report.sql

die() {
  echo "run.sh: $*" >&2
  exit 1
}
[[ -x $CREDITBOT ]] || die "no creditbot binary at $CREDITBOT (set CREDITBOT=…)"
[[ -z $BASELINE || -x $BASELINE ]] || die "BASELINE=$BASELINE is not an executable"
[[ -z $TRINO_SERVER || -x $TRINO_SERVER ]] || die "TRINO_SERVER=$TRINO_SERVER is not an executable"
command -v sqlite3 > /dev/null || die "sqlite3 is not installed (apt-get install sqlite3)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (apt-get install time)"
mkdir -p "$WORK/home"

# Runs "$@" once under /usr/bin/time; appends "wall_seconds peak_kb" to the file $1. stdout is discarded,
# stderr goes to $2. The wall time is bash's microsecond clock around the run (/usr/bin/time's %e has 10 ms
# steps); the peak RSS is /usr/bin/time's %M. A failing command stops the benchmark.
timed() {
  local into=$1 err=$2
  shift 2
  local figures start end
  figures=$(mktemp "$WORK/time.XXXXXX")
  start=$EPOCHREALTIME
  if ! /usr/bin/time -f '%M' -o "$figures" "$@" > /dev/null 2> "$err"; then
    echo "run.sh: failed: $*" >&2
    tail -n 5 "$err" >&2
    rm -f "$figures"
    exit 1
  fi
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" -v k="$(tail -n 1 "$figures")" 'BEGIN { printf "%.4f %d\n", e - s, k }' >> "$into"
  rm -f "$figures"
}

# The median of column $2 of file $1 (numbers, one row per repetition).
median() {
  sort -g -k "$2,$2" "$1" | awk -v col="$2" '{ v[NR] = $col } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Sets calc_command to `BINARY calc` on WAREHOUSE_URL ($1, $2), with a report row limit above every size.
calc_command=()
calc() {
  calc_command=(env "CREDITBOT_HOME=$WORK/home" CREDITBOT_MAX_REPORT_ROWS=100000000
    "$1" calc --sql-file "$report_sql" --warehouse "$2" --claim-date "$CLAIM_DATE")
}

trino_pid=
stop_trino() {
  if [[ -n $trino_pid ]]; then
    kill "$trino_pid" 2> /dev/null || true
    wait "$trino_pid" 2> /dev/null || true
    trino_pid=
  fi
}
trap stop_trino EXIT

# Starts the loopback Trino coordinator on $1; sets trino_url.
start_trino() {
  local url_file=$WORK/trino.url
  rm -f "$url_file"
  "$TRINO_SERVER" "$1" "$TRINO_PAGE_ROWS" > "$url_file" &
  trino_pid=$!
  for _ in $(seq 1 100); do
    [[ -s $url_file ]] && break
    sleep 0.05
  done
  trino_url=$(head -n 1 "$url_file")
  [[ $trino_url == trino://* ]] || die "the Trino stand-in did not start"
}

columns=(sqlite3 calc)
[[ -n $BASELINE ]] && columns+=(before)
[[ -n $TRINO_SERVER ]] && columns+=(trino)

echo "creditbot: $CREDITBOT${BASELINE:+; before: $BASELINE}; $REPS repetitions, medians; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s' rows
for column in "${columns[@]}"; do printf ' | %-18s' "$column s / MB"; done
printf ' | %-12s | %-18s\n' "calc/sqlite3" "RSS target (MB)"

for size in $SIZES; do
  db=$WORK/w$size.db
  if [[ ! -s $db ]]; then
    python3 "$here/make_warehouse.py" --db "$db" --rows "$size" > /dev/null
  fi
  for column in "${columns[@]}"; do : > "$WORK/$column.$size.times"; done
  [[ -n $TRINO_SERVER ]] && start_trino "$db"
  for _ in $(seq 1 "$REPS"); do
    timed "$WORK/sqlite3.$size.times" "$WORK/sqlite3.$size.err" sqlite3 -json "$db" ".read '$report_sql'"
    calc "$CREDITBOT" "sqlite:$db"
    timed "$WORK/calc.$size.times" "$WORK/calc.$size.err" "${calc_command[@]}"
    if [[ -n $BASELINE ]]; then
      calc "$BASELINE" "sqlite:$db"
      timed "$WORK/before.$size.times" "$WORK/before.$size.err" "${calc_command[@]}"
    fi
    if [[ -n $TRINO_SERVER ]]; then
      calc "$CREDITBOT" "$trino_url"
      timed "$WORK/trino.$size.times" "$WORK/trino.$size.err" "${calc_command[@]}"
    fi
  done
  stop_trino
  printf '%-9s' "$size"
  for column in "${columns[@]}"; do
    wall=$(median "$WORK/$column.$size.times" 1)
    peak_kb=$(median "$WORK/$column.$size.times" 2)
    printf ' | %-18s' "$(awk -v w="$wall" -v k="$peak_kb" 'BEGIN { printf "%.4f / %.1f", w, k * 1024 / 1e6 }')"
  done
  ratio=$(awk -v c="$(median "$WORK/calc.$size.times" 1)" -v s="$(median "$WORK/sqlite3.$size.times" 1)" \
    'BEGIN { if (s > 0) printf "%.2fx", c / s; else print "—" }')
  printf ' | %-12s | %-18s\n' "$ratio" "$(awk -v n="$size" 'BEGIN { printf "%.1f", 30 + 300 * n / 1e6 }')"
done
