-- wrk script for the Events API load test (bench/load/events_api_load.sh): replays the signed deliveries of
-- EVENTS_FILE (signature TAB timestamp TAB body per line, written by make_requests.py) round-robin, each of
-- the LOAD_THREADS threads its own share of the lines (so no two threads send the same event_id within the
-- receiver's dedup window), and prints one machine-readable summary line at the end.
local requests = {}
local index = 0

local threads_created = 0

function setup(thread)
  thread:set("thread_number", threads_created)
  threads_created = threads_created + 1
end

local function load()
  local share = tonumber(os.getenv("LOAD_THREADS") or "1")
  local mine = thread_number or 0
  local line_number = 0
  local path = os.getenv("EVENTS_FILE")
  local file = assert(io.open(path, "r"), "EVENTS_FILE not readable: " .. tostring(path))
  for line in file:lines() do
    local signature, timestamp, body = line:match("^(%S+)\t(%S+)\t(.*)$")
    line_number = line_number + 1
    if signature and line_number % share == mine then
      requests[#requests + 1] = wrk.format("POST", "/slack/events", {
        ["Content-Type"] = "application/json",
        ["X-Slack-Request-Timestamp"] = timestamp,
        ["X-Slack-Signature"] = signature,
      }, body)
    end
  end
  file:close()
end

function init(args)
  load()
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests_)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "LOAD requests=%d seconds=%.1f rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d non_2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
