#!/usr/bin/env python3
"""Writes COUNT signed Slack Events API deliveries for the load test (bench/load/events_api_load.sh).

Each line: signature TAB timestamp TAB body. Every body is a distinct event_callback (event_id
Ev<prefix><n>) carrying a message event for channel C0NOTSERVED, which creditbot serve does not serve: the
load measures the receiver (signature v0 check, JSON parse, event-id dedup, routing, the 200 ack), not
Looker or the warehouse. The signature is v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)) with ts =
now, so the file is good for Slack's 5-minute window; the script writes a fresh file every 4 minutes.
Usage: make_requests.py SECRET COUNT PREFIX OUT
"""
import hashlib
import hmac
import json
import sys
import time


def main():
    secret, count, prefix, out = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    ts = str(int(time.time()))
    with open(out, "w") as f:
        for n in range(count):
            event_ts = "1752588191.%06d" % (n % 1000000)
            body = json.dumps({
                "token": "load", "team_id": "T0LOAD", "api_app_id": "A0LOAD", "type": "event_callback",
                "event_id": "Ev%s%07d" % (prefix, n), "event_time": int(ts),
                "event": {"type": "message", "channel": "C0NOTSERVED", "channel_type": "channel",
                          "user": "U0LOADUSER", "text": "load test message %d" % n, "ts": event_ts,
                          "event_ts": event_ts}}, separators=(",", ":"))
            signature = "v0=" + hmac.new(secret, ("v0:%s:%s" % (ts, body)).encode(), hashlib.sha256).hexdigest()
            f.write("%s\t%s\t%s\n" % (signature, ts, body))


if __name__ == "__main__":
    main()
