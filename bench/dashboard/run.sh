#!/usr/bin/env bash
# Issue 18's dashboard benchmark ("Fast": every page under 100 ms p99 at 100,000 ledger entries on the
# embedded default). It
#   1. answers the sample inbox once with `creditbot run --once` in $WORK/home (the embedded default: the
#      real recording path, so a few entries have real audit records; one of them is the request page
#      measured),
#   2. adds N generated entries (AWAITING of them awaiting a decision) to that state.db with
#      bench/dashboard/fill_ledger.py,
#   3. starts `creditbot serve` on 127.0.0.1 with CREDITBOT_APPROVERS=U0APPROVER1 (its first open rebuilds
#      the chart sums, which fill_ledger.py does not write: the time to /healthz is printed) and measures
#      every page and API endpoint, /api/charts with each filter it accepts, with bench/dashboard/measure.py (Python's http.client, signed in through the local
#      sign-in, REPS requests each, one at a time): p50 / p99 / max in ms,
#   4. with BASELINE set (an older creditbot binary), does the same on a copy of the same state folder with
#      it first, and prints both side by side.
#
#   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCREDITBOT_TESTS=OFF
#   cmake --build build/release --target creditbot
#   bench/dashboard/run.sh                                    # N=100000 AWAITING=2000 REPS=200
#   BASELINE=/tmp/creditbot-before N=100000 bench/dashboard/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CREDITBOT=${CREDITBOT:-$root/build/release/creditbot}
N=${N:-100000}
AWAITING=${AWAITING:-2000}
REPS=${REPS:-200}
PORT=${PORT:-18480}
WORK=${WORK:-$(mktemp -d /tmp/creditbot-dashboard-bench.XXXXXX)}
mkdir -p "$WORK"

export CREDITBOT_LOG_FORMAT=json CREDITBOT_APPROVERS=U0APPROVER1
export CREDITBOT_INBOX="$root/data/sample/inbox.jsonl" CREDITBOT_LOOK_CATALOG="$root/data/sample/looks"
if [ ! -f "$WORK/home/state.db" ]; then
  (cd "$WORK" && CREDITBOT_HOME="$WORK/home" "$CREDITBOT" run --once > "$WORK/run.out" 2> "$WORK/run.err") || true
  python3 "$here/fill_ledger.py" "$WORK/home/state.db" "$N" "$AWAITING"
  [ -n "${BASELINE:-}" ] && cp -a "$WORK/home" "$WORK/home-baseline"
fi
request_id=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
  \"SELECT execution_id FROM ledger WHERE execution_id NOT LIKE '%bench%' ORDER BY created_at LIMIT 1\").fetchone()[0])" \
  "$WORK/home/state.db")
parent=ACbench007      # about 140 entries
large_parent=ACbench500  # about 30,000 entries (fill_ledger.py)

# measure NAME BINARY HOME: serve from HOME with BINARY, measure, stop it.
measure() {
  local name=$1 binary=$2 home=$3
  local started=$(date +%s.%N)
  CREDITBOT_HOME="$home" CREDITBOT_HTTP_ADDR="127.0.0.1:$PORT" "$binary" serve > "$WORK/serve-$name.out" 2> "$WORK/serve-$name.err" &
  local pid=$!
  until curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1; do
    kill -0 "$pid" 2> /dev/null || { echo "serve ($name) exited; see $WORK/serve-$name.err"; exit 1; }
    sleep 0.1
  done
  printf '%s: serve answered /healthz %.1f s after it started (%s)\n' "$name" \
    "$(echo "$(date +%s.%N) - $started" | bc -l)" "$binary"
  python3 "$here/measure.py" "http://127.0.0.1:$PORT" "$request_id" "$parent" "$WORK/$name.json" "$REPS" "$large_parent"
  kill "$pid"
  wait "$pid" || true
}

echo "dashboard benchmark: $N generated ledger entries ($AWAITING awaiting) plus the sample's; $(nproc) cores"
[ -n "${BASELINE:-}" ] && measure baseline "$BASELINE" "$WORK/home-baseline"
measure current "$CREDITBOT" "$WORK/home"
if [ -n "${BASELINE:-}" ]; then
  python3 - "$WORK/baseline.json" "$WORK/current.json" << 'PY'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
print("| target | before p50 / p99 (ms) | after p50 / p99 (ms) |")
print("|---|---:|---:|")
for target, now in after.items():
    old = before.get(target)
    was = "%.1f / %.1f%s" % (old["p50"], old["p99"], "" if old["status"] == 200 else " (%d)" % old["status"]) if old else "–"
    print("| `%s` | %s | %.1f / %.1f |" % (target, was, now["p50"], now["p99"]))
PY
fi
echo "work folder: $WORK"
