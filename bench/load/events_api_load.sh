#!/usr/bin/env bash
# Load test of `creditbot serve`'s Events API endpoint (issue 7): wrk posts signed Slack deliveries to
# POST /slack/events on loopback and this script reports requests/s, p50/p99 acknowledgement latency (from
# wrk) and serve's RSS over time (VmRSS from /proc/<pid>/status every 10 s).
#
# What is measured: the receiver. Every delivery is a distinct event_callback (its own event_id) for a
# channel serve does not serve, so each one is signature-checked (HMAC-SHA256, 5-minute window), parsed,
# deduplicated by event_id (a bounded set of 10,000 ids: distinct ids exercise its eviction) and routed —
# and then acknowledged with 200 without reaching Looker, the warehouse or Slack. A file of 50,000 signed
# deliveries is written every 4 minutes (wrk's Lua has no HMAC; the signatures must stay inside Slack's
# 5-minute window) and wrk is restarted on it; once a file is used up it is replayed, and since the id set
# holds 10,000, a replayed id has been forgotten and is processed as new.
#
# Usage:
#   bench/load/events_api_load.sh            the full run: 10 minutes (docs/RELIABILITY.md)
#   bench/load/events_api_load.sh --smoke    10 seconds, a check that the harness works
# Options (environment): CREDITBOT_BINARY (default build/release/creditbot), LOAD_SECONDS, LOAD_THREADS (2),
# LOAD_CONNECTIONS (16), LOAD_OUT (folder for the results; default a new temporary folder, printed).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/load"
seconds="${LOAD_SECONDS:-600}"
[[ "${1:-}" == "--smoke" ]] && seconds="${LOAD_SECONDS:-10}"
threads="${LOAD_THREADS:-2}"
connections="${LOAD_CONNECTIONS:-16}"
binary="${CREDITBOT_BINARY:-$root/build/release/creditbot}"
window=240
per_file=50000
secret="load-test-signing-secret-0123456789abcdef"
out="${LOAD_OUT:-$(mktemp -d /tmp/creditbot-load.XXXXXX)}"
mkdir -p "$out"

command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
[[ -x "$binary" ]] || { echo "no creditbot binary at $binary (cmake --preset release && cmake --build build/release, or set CREDITBOT_BINARY)" >&2; exit 2; }

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap cleanup EXIT

python3 "$here/fake_slack.py" "$out/slack.port" & pids+=($!)
for _ in $(seq 100); do [[ -s "$out/slack.port" ]] && break; sleep 0.05; done
slack_port="$(cat "$out/slack.port")"

home="$out/home"
mkdir -p "$home"
env -i PATH="$PATH" HOME="$home" \
  CREDITBOT_HOME="$home" SLACK_BOT_TOKEN="xoxb-0000-load-test-token-not-real" \
  CREDITBOT_SLACK_API_URL="http://127.0.0.1:$slack_port/api/" CREDITBOT_SLACK_CHANNELS=C0CREDITREQ \
  SLACK_SIGNING_SECRET="$secret" CREDITBOT_HTTP_ADDR=127.0.0.1:0 CREDITBOT_CATCHUP_SECONDS=3600 \
  CREDITBOT_LOG_FORMAT=json CREDITBOT_LOG_LEVEL=warn \
  "$binary" serve > "$out/serve.out" 2> "$out/serve.err" & serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 200); do grep -q "listening on" "$out/serve.out" 2> /dev/null && break; sleep 0.05; done
port="$(grep -o '127.0.0.1:[0-9]*' "$out/serve.out" | head -1 | cut -d: -f2)"
[[ -n "$port" ]] || { echo "serve did not start:" >&2; cat "$out/serve.err" >&2; exit 1; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status"; }
start=$(date +%s)
echo "elapsed_s,vmrss_kb" > "$out/rss.csv"
( while kill -0 "$serve_pid" 2> /dev/null; do
    echo "$(( $(date +%s) - start )),$(rss)" >> "$out/rss.csv"; sleep 10
  done ) & pids+=($!)

echo "creditbot serve pid $serve_pid on 127.0.0.1:$port; $seconds s, $threads threads, $connections connections; results in $out"
remaining=$seconds
round=0
while (( remaining > 0 )); do
  run=$(( remaining < window ? remaining : window ))
  file="$out/events-$round.tsv"
  python3 "$here/make_requests.py" "$secret" "$per_file" "R${round}X" "$file"
  EVENTS_FILE="$file" LOAD_THREADS="$threads" wrk -t "$threads" -c "$connections" -d "${run}s" --latency \
    -s "$here/events_api_load.lua" "http://127.0.0.1:$port" > "$out/wrk-$round.txt"
  grep '^LOAD' "$out/wrk-$round.txt" | sed "s/^LOAD/window $round:/"
  rm -f "$file"
  remaining=$(( remaining - run ))
  round=$(( round + 1 ))
done
echo "$(( $(date +%s) - start )),$(rss)" >> "$out/rss.csv"

echo "RSS over time (kB):"; paste -sd' ' "$out/rss.csv"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^creditbot_events_received_total' || true
echo "Slack Web API calls during the run: $(curl -s "http://127.0.0.1:$slack_port/api/_calls")"
kill -TERM "$serve_pid"; wait "$serve_pid" 2> /dev/null && echo "serve stopped cleanly (exit 0)" || echo "serve exit code $?"
