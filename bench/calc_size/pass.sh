#!/usr/bin/env bash
# Issue 20's pass benchmark: the peak memory of one scheduled pass (`creditbot run --once`, dry run) that
# answers one request whose report has N rows, so the audit record's size shows: the result JSON of a
# report of N lines is about 680 bytes a line, and a pass that held it whole would cost that on top of
# `calc`'s 300 bytes a row.
#
# For each size N it reuses run.sh's warehouse ($WORK/wN.db, made by bench/calc_size/make_warehouse.py), a
# look catalog whose look 101 is bench/calc_size/report.sql, and an inbox of the sample's first request
# (which links look 101), then runs a fresh pass REPS times for $CREDITBOT and, if set, $BASELINE, and
# prints the median wall time and peak RSS (MB = 10^6 bytes) of each with the audit record's size.
#
#   bench/calc_size/pass.sh                                     # 200,000 and 500,000 rows
#   BASELINE=/path/to/older/creditbot SIZES="500000" bench/calc_size/pass.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CREDITBOT=${CREDITBOT:-$root/build/release/creditbot}
BASELINE=${BASELINE:-}
SIZES=${SIZES:-200000 500000}
REPS=${REPS:-3}
WORK=${WORK:-${TMPDIR:-/tmp}/creditbot-calc-size}

die() {
  echo "pass.sh: $*" >&2
  exit 1
}
[[ -x $CREDITBOT ]] || die "no creditbot binary at $CREDITBOT (set CREDITBOT=…)"
[[ -z $BASELINE || -x $BASELINE ]] || die "BASELINE=$BASELINE is not an executable"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (apt-get install time)"
mkdir -p "$WORK/looks"
cp "$here/report.sql" "$WORK/looks/101.sql"
head -n 1 "$root/data/sample/inbox.jsonl" > "$WORK/pass-inbox.jsonl"

# One pass of binary $1 on warehouse $2 in a fresh home; appends "wall_seconds peak_kb record_bytes" to $3.
pass() {
  local home figures start end record
  home=$(mktemp -d "$WORK/pass-home.XXXXXX")
  figures=$home/time
  start=$EPOCHREALTIME
  if ! env -i PATH=/usr/bin:/bin HOME="$home" CREDITBOT_HOME="$home" CREDITBOT_WAREHOUSE="sqlite:$2" \
    CREDITBOT_INBOX="$WORK/pass-inbox.jsonl" CREDITBOT_LOOK_CATALOG="$WORK/looks" \
    SLACK_USER_ID=U0OWNER01 CREDITBOT_MAX_REPORT_ROWS=100000000 \
    /usr/bin/time -f '%M' -o "$figures" "$1" run --once > "$home/out" 2> "$home/err"; then
    tail -n 5 "$home/err" >&2
    die "failed: $1 run --once on $2"
  fi
  end=$EPOCHREALTIME
  record=$(find "$home" -name result.json -printf '%s\n' | head -n 1)
  [[ -n $record ]] || die "$1 wrote no audit record (see $home/err)"
  awk -v s="$start" -v e="$end" -v k="$(tail -n 1 "$figures")" -v r="$record" \
    'BEGIN { printf "%.4f %d %d\n", e - s, k, r }' >> "$3"
  rm -rf "$home"
}

median() {
  sort -g -k "$2,$2" "$1" | awk -v col="$2" '{ v[NR] = $col } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

binaries=("$CREDITBOT")
[[ -n $BASELINE ]] && binaries+=("$BASELINE")
echo "creditbot: $CREDITBOT${BASELINE:+; before: $BASELINE}; $REPS repetitions, medians; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s | %-14s | %-22s | %-22s\n' rows "record (MB)" "run --once s / MB" "${BASELINE:+before s / MB}"
for size in $SIZES; do
  db=$WORK/w$size.db
  [[ -s $db ]] || python3 "$here/make_warehouse.py" --db "$db" --rows "$size" > /dev/null
  for i in "${!binaries[@]}"; do : > "$WORK/pass.$i.$size"; done
  for _ in $(seq 1 "$REPS"); do
    for i in "${!binaries[@]}"; do pass "${binaries[$i]}" "$db" "$WORK/pass.$i.$size"; done
  done
  printf '%-9s | %-14s' "$size" "$(awk -v b="$(median "$WORK/pass.0.$size" 3)" 'BEGIN { printf "%.1f", b / 1e6 }')"
  for i in "${!binaries[@]}"; do
    printf ' | %-22s' "$(awk -v w="$(median "$WORK/pass.$i.$size" 1)" -v k="$(median "$WORK/pass.$i.$size" 2)" \
      'BEGIN { printf "%.2f / %.1f", w, k * 1024 / 1e6 }')"
  done
  echo
done
