#!/usr/bin/env python3
"""Stand-ins for the three far ends of a request, for the end-to-end benchmarks (bench/e2e/e2e.py, issue 7).

One process serves, each on its own free loopback port:
  slack   the Slack Web API methods creditbot calls: auth.test, conversations.history (oldest/latest/
          inclusive/limit/cursor, newest first, paging forward from `oldest`), conversations.replies (the
          parent, then the thread oldest first), chat.postMessage (stored in the thread as the bot's, with
          its metadata, so creditbot's look for an earlier reply finds it), chat.update, reactions.add,
          conversations.open. Requests are put into a channel's history with POST /_add
          {"channel","ts","text","user"}.
  looker  Looker API 4.0: POST /api/4.0/login, GET /api/4.0/looks/{id} → query_id = id,
          GET /api/4.0/queries/{id}/run/sql → the SQL of a look of the sample catalog (data/sample/looks):
          look id N serves <catalog>/<N mod 1000>.sql, so every request can have its own look (creditbot's
          resolver caches a look for the life of the process) and still resolve to the sample's SQL.
  trino   Trino's client protocol on a SQLite file (the synthetic warehouse): POST /v1/statement runs the
          statement (the Trino dialect forms sql/trino uses rewritten to SQLite), then GET nextUri pages of
          --page-rows rows; DELETE answers 204.

Every HTTP exchange waits --latency-ms (per service: --slack-latency-ms, --looker-latency-ms,
--trino-latency-ms) before answering: the configurable latency of the external call. Every exchange is
recorded with its arrival and departure times (time.time(), the same clock as the driver) and the time
spent sleeping; GET /_log on any port returns the records of all three services since the last
GET /_log?reset=1 (posts carry their thread_ts, so the driver can match a reply to its request).

Usage: stand_ins.py --ports-file FILE --warehouse SQLITE_PATH --catalog DIR [--latency-ms N] ...
Writes {"slack":port,"looker":port,"trino":port} to FILE once all three listen; runs until killed.
"""
import argparse
import json
import os
import re
import sqlite3
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
LOG = []  # one dict per exchange: service, path, arrived, left, slept, and for posts thread_ts
POSTED = threading.Condition(LOCK)
POSTS = []  # every chat.postMessage: arrived, thread_ts, channel, kind, text (the start of it)


class Exchange:
    """Times one exchange and appends it to LOG."""

    def __init__(self, service, path):
        self.record = {"service": service, "path": path, "arrived": time.time()}

    def done(self, slept, **extra):
        self.record["slept"] = slept
        self.record.update(extra)
        self.record["left"] = time.time()
        with LOCK:
            LOG.append(self.record)


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as creditbot's libcurl transport reuses connections
    # Headers and body go out in separate writes: with Nagle's algorithm on, the body would wait for the
    # client's delayed ACK (~40 ms on Linux) on every exchange, and that wait would count as the bot's.
    disable_nagle_algorithm = True
    service = "?"
    latency = 0.0

    def log_message(self, *args):
        pass

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, payload, content_type="application/json; charset=utf-8"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def wait(self):
        if self.latency > 0:
            time.sleep(self.latency)
        return self.latency

    def handle_log(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        with LOCK:
            records = list(LOG)
            if query.get("reset"):
                LOG.clear()
        self.send(200, {"records": records})


# ---------------------------------------------------------------------------------------------- Slack

class Workspace:
    """Channels' top-level messages and threads."""

    def __init__(self):
        self.messages = {}  # channel → {ts: message}
        self.replies = {}   # (channel, thread_ts) → [message, …] oldest first
        self.last_ts = 0.0

    def new_ts(self):
        ts = max(time.time(), self.last_ts + 0.000001)
        self.last_ts = ts
        return "%.6f" % ts


WORKSPACE = Workspace()
BOT = {"user_id": "U0BOTE2E", "bot_id": "B0BOTE2E"}


def ts_key(ts):
    return float(ts) if ts else None


class SlackHandler(Base):
    service = "slack"

    def args(self, raw):
        parsed = urllib.parse.urlparse(self.path)
        args = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        if raw:
            if raw.lstrip().startswith(b"{"):
                args.update(json.loads(raw))
            else:
                args.update({k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()})
        return args

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def dispatch(self):
        path = urllib.parse.urlparse(self.path).path
        method = path.rsplit("/", 1)[-1]
        if method == "_log":
            return self.handle_log()
        raw = self.body()
        if method == "_wait":
            return self.wait_for_post(self.args(raw))
        if method == "_add":
            message = json.loads(raw)
            with LOCK:
                WORKSPACE.messages.setdefault(message["channel"], {})[message["ts"]] = {
                    "type": "message", "user": message.get("user", "U0E2EUSER"), "text": message["text"],
                    "ts": message["ts"]}
            return self.send(200, {"ok": True})
        exchange = Exchange("slack", method)
        args = self.args(raw)
        extra = {}
        with LOCK:
            answer = self.answer(method, args, extra, exchange.record["arrived"])
        slept = self.wait()
        exchange.done(slept, **extra)
        self.send(200, answer)

    def wait_for_post(self, args):
        """Long poll for the driver: answers when a post to thread `thread_ts` arrived (or `count` posts in
        all did), with that post's record; {"ok":false} after `timeout` seconds."""
        deadline = time.time() + float(args.get("timeout", 30))
        thread_ts, count = args.get("thread_ts"), int(args.get("count", 0))
        with POSTED:
            while True:
                found = [r for r in POSTS if r["thread_ts"] == thread_ts] if thread_ts else []
                if found or (count and len(POSTS) >= count):
                    answer = {"ok": True, "post": found[0] if found else POSTS[-1], "posts": len(POSTS)}
                    break
                if time.time() >= deadline:
                    answer = {"ok": False, "posts": len(POSTS)}
                    break
                POSTED.wait(max(0.0, deadline - time.time()))
        self.send(200, answer)

    def answer(self, method, args, extra, arrived):
        if method == "auth.test":
            return {"ok": True, "url": "https://e2e.slack.com/", "team": "e2e", "user": "creditbot",
                    "team_id": "T0E2E", "user_id": BOT["user_id"], "bot_id": BOT["bot_id"]}
        if method == "conversations.history":
            return self.history(args)
        if method == "conversations.replies":
            key = (args.get("channel"), args.get("ts"))
            parent = WORKSPACE.messages.get(key[0], {}).get(key[1])
            if parent is None:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": [parent] + WORKSPACE.replies.get(key, []), "has_more": False}
        if method == "chat.postMessage":
            channel, thread_ts = args.get("channel", ""), args.get("thread_ts", "")
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            message = {"type": "message", "user": BOT["user_id"], "bot_id": BOT["bot_id"],
                       "text": args.get("text", ""), "ts": WORKSPACE.new_ts()}
            if metadata:
                message["metadata"] = metadata
            if thread_ts:
                message["thread_ts"] = thread_ts
                WORKSPACE.replies.setdefault((channel, thread_ts), []).append(message)
            extra["thread_ts"] = thread_ts
            extra["channel"] = channel
            extra["kind"] = (metadata or {}).get("event_payload", {}).get("kind", "")
            # LOCK (POSTED's lock) is held by the caller.
            POSTS.append({"arrived": arrived, "thread_ts": thread_ts, "channel": channel,
                          "kind": extra["kind"], "text": message["text"][:200]})
            POSTED.notify_all()
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D0OWNERDM"}}
        return {"ok": True}  # reactions.add, chat.update

    def history(self, args):
        channel = args.get("channel", "")
        oldest, latest = ts_key(args.get("oldest")), ts_key(args.get("latest"))
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        limit = max(1, min(int(args.get("limit") or 100), 999))
        in_range = []
        for ts, message in WORKSPACE.messages.get(channel, {}).items():
            key = float(ts)
            if oldest is not None and (key < oldest if inclusive else key <= oldest):
                continue
            if latest is not None and (key > latest if inclusive else key >= latest):
                continue
            in_range.append((key, message))
        forward = oldest is not None and latest is None
        in_range.sort(key=lambda pair: pair[0], reverse=not forward)
        start = int(args.get("cursor") or 0)
        page = [message for _, message in in_range[start:start + limit]]
        if forward:
            page.reverse()  # a page is always newest first
        answer = {"ok": True, "messages": page, "has_more": start + limit < len(in_range)}
        if answer["has_more"]:
            answer["response_metadata"] = {"next_cursor": str(start + limit)}
        return answer


# ---------------------------------------------------------------------------------------------- Looker

class LookerHandler(Base):
    service = "looker"
    catalog = "."

    def do_POST(self):
        self.body()
        exchange = Exchange("looker", "login")
        slept = self.wait()
        exchange.done(slept)
        self.send(200, {"access_token": "e2e-looker-token", "token_type": "Bearer", "expires_in": 3600})

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path.endswith("/_log"):
            return self.handle_log()
        exchange = Exchange("looker", path)
        look = re.fullmatch(r"/api/4\.0/looks/(\d+)", path)
        sql = re.fullmatch(r"/api/4\.0/queries/(\d+)/run/sql", path)
        if look:
            status, answer, kind = 200, json.dumps({"id": look.group(1), "query_id": look.group(1)}).encode(), \
                "application/json"
        elif sql:
            try:
                with open("%s/%d.sql" % (self.catalog, int(sql.group(1)) % 1000), "rb") as f:
                    status, answer, kind = 200, f.read(), "text/plain"
            except OSError:
                status, answer, kind = 404, b'{"message":"Not found"}', "application/json"
        else:
            status, answer, kind = 404, b'{"message":"Not found"}', "application/json"
        slept = self.wait()
        exchange.done(slept)
        self.send(status, answer, kind)


# ---------------------------------------------------------------------------------------------- Trino

DATE_TO_TIMESTAMP = re.compile(r"CAST\(\s*DATE\s+'([0-9-]+)'\s+AS\s+TIMESTAMP\(\d+\)\s*\)", re.I)
DATE_LITERAL = re.compile(r"\bDATE\s+'([0-9-]+)'", re.I)
CAST_TO_DATE = re.compile(r"CAST\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s+AS\s+DATE\s*\)", re.I)


def to_sqlite(sql):
    """The Trino forms sql/trino uses, in SQLite's dialect."""
    sql = DATE_TO_TIMESTAMP.sub(r"'\1 00:00:00'", sql)
    sql = DATE_LITERAL.sub(r"'\1'", sql)
    return CAST_TO_DATE.sub(r"date(\1)", sql)


class TrinoHandler(Base):
    service = "trino"
    database = ""
    page_rows = 1000
    results = {}
    next_id = [0]
    local = threading.local()

    def sqlite(self):
        if not hasattr(self.local, "db"):
            self.local.db = sqlite3.connect("file:%s?mode=ro" % self.database, uri=True)
        return self.local.db

    def uri(self, query, page):
        return "http://127.0.0.1:%d/v1/statement/executing/q%d/%d" % (self.server.server_address[1], query, page)

    def do_POST(self):
        sql = self.body().decode()
        exchange = Exchange("trino", "statement")
        result = {"rows": [], "columns": [], "error": None}
        try:
            cursor = self.sqlite().execute(to_sqlite(sql))
            rows = cursor.fetchall()
            types = []
            for i, description in enumerate(cursor.description):
                kind = "varchar"
                for row in rows:
                    if isinstance(row[i], bool) or row[i] is None:
                        continue
                    kind = "bigint" if isinstance(row[i], int) else "double" if isinstance(row[i], float) else "varchar"
                    break
                types.append({"name": description[0], "type": kind})
            result["rows"], result["columns"] = [list(row) for row in rows], types
        except sqlite3.Error as error:
            result["error"] = str(error)
        with LOCK:
            query = self.next_id[0]
            self.next_id[0] += 1
            self.results[query] = result
        slept = self.wait()
        exchange.done(slept)
        self.send(200, {"id": "q%d" % query, "stats": {"state": "QUEUED"}, "nextUri": self.uri(query, 0)})

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path.endswith("/_log"):
            return self.handle_log()
        exchange = Exchange("trino", "page")
        match = re.fullmatch(r"/v1/statement/executing/q(\d+)/(\d+)", path)
        with LOCK:
            result = self.results.get(int(match.group(1))) if match else None
        if result is None:
            slept = self.wait()
            exchange.done(slept)
            return self.send(404, {"message": "no such query"})
        query, page = int(match.group(1)), int(match.group(2))
        answer = {"id": "q%d" % query}
        if result["error"]:
            answer["stats"] = {"state": "FAILED"}
            answer["error"] = {"message": result["error"], "errorName": "SYNTAX_ERROR", "errorType": "USER_ERROR"}
        else:
            answer["columns"] = result["columns"]
            begin = page * self.page_rows
            data = result["rows"][begin:begin + self.page_rows]
            if data:
                answer["data"] = data
            last = begin + self.page_rows >= len(result["rows"])
            answer["stats"] = {"state": "FINISHED" if last else "RUNNING"}
            if last:
                with LOCK:
                    self.results.pop(query, None)
            else:
                answer["nextUri"] = self.uri(query, page + 1)
        slept = self.wait()
        exchange.done(slept)
        self.send(200, answer)

    def do_DELETE(self):
        exchange = Exchange("trino", "delete")
        slept = self.wait()
        exchange.done(slept)
        self.send(204, b"")


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ports-file", required=True)
    parser.add_argument("--warehouse", required=True, help="the SQLite file the Trino stand-in reads")
    parser.add_argument("--catalog", required=True, help="the look catalog folder (data/sample/looks)")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--slack-latency-ms", type=float)
    parser.add_argument("--looker-latency-ms", type=float)
    parser.add_argument("--trino-latency-ms", type=float)
    parser.add_argument("--page-rows", type=int, default=1000)
    args = parser.parse_args()

    def latency(value):
        return (args.latency_ms if value is None else value) / 1000.0

    SlackHandler.latency = latency(args.slack_latency_ms)
    LookerHandler.latency = latency(args.looker_latency_ms)
    LookerHandler.catalog = args.catalog
    TrinoHandler.latency = latency(args.trino_latency_ms)
    TrinoHandler.database = args.warehouse
    TrinoHandler.page_rows = args.page_rows
    ports = {"slack": serve(SlackHandler), "looker": serve(LookerHandler), "trino": serve(TrinoHandler)}
    with open(args.ports_file + ".tmp", "w") as f:
        json.dump(ports, f)
    os.replace(args.ports_file + ".tmp", args.ports_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
