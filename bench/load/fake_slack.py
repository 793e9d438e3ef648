#!/usr/bin/env python3
"""A minimal Slack Web API stand-in for the Events API load test (bench/load/events_api_load.sh).

`creditbot serve` needs a Web API at start (auth.test, the catch-up pass's conversations.history); the load
itself never reaches it, because every event is for a channel serve does not serve. This answers
auth.test with a bot identity, history/replies with an empty page and everything else with {"ok": true},
and counts the calls so the script can show the load did not leak into Slack calls.
Usage: fake_slack.py PORT_FILE   (binds 127.0.0.1 on a free port and writes the port to PORT_FILE)
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALLS = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        method = self.path.split("?")[0].rsplit("/", 1)[-1]
        with LOCK:
            CALLS[method] = CALLS.get(method, 0) + 1
        if method == "auth.test":
            body = {"ok": True, "url": "https://load.slack.com/", "team": "load", "user": "creditbot",
                    "team_id": "T0LOAD", "user_id": "U0BOTLOAD", "bot_id": "B0BOTLOAD"}
        elif method in ("conversations.history", "conversations.replies"):
            body = {"ok": True, "messages": [], "has_more": False}
        elif method == "_calls":
            with LOCK:
                body = {"ok": True, "calls": dict(CALLS)}
        else:
            body = {"ok": True}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
