#!/usr/bin/env python3
"""Measures the dashboard's pages and API with a real HTTP client (http.client, one keep-alive connection).

Usage: measure.py BASE_URL REQUEST_ID PARENT OUT_JSON [REPS [LARGE_PARENT]]

Signs in through the embedded default's local sign-in (GET /login for the form's token and cookie, POST
/login/local as U0APPROVER1), then requests each target REPS times (default 200) after 3 warm-up requests,
one at a time, and writes p50 / p99 / max in milliseconds per target to OUT_JSON (and prints them). A target
whose requests are slow is cut short after 60 s of measuring (the number of requests is written beside it).
"""
import http.client
import json
import re
import sys
import time
import urllib.parse


def main():
    base, request_id, parent, out = sys.argv[1:5]
    reps = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    large = sys.argv[6] if len(sys.argv) > 6 else "ACbench500"  # fill_ledger.py's parent of 30 % of entries
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    def get(path, headers=None):
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()

    response, body = get("/login")
    login_cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(rb'name="login_csrf" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"user_id": "U0APPROVER1", "login_csrf": token, "return_to": "/"})
    conn.request("POST", "/login/local", body=form,
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": login_cookie})
    response = conn.getresponse()
    response.read()
    session = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") if c.startswith("creditbot_session=")]
    if response.status != 303 or not session:
        sys.exit("local sign-in failed: %d" % response.status)
    cookie = {"Cookie": session[0]}

    targets = [
        "/queue", "/queue?page=40", "/history", "/history?page=1000", "/history?status=approved",
        "/history?parent=" + parent, "/history?product=messaging&since=2026-06-01&until=2026-06-30",
        "/requests/" + request_id, "/charts", "/api/queue", "/api/history", "/api/history?page=1000",
        "/api/requests/" + request_id, "/api/charts", "/api/charts?since=2026-11-01&until=2026-11-30",
        "/api/charts?parent=" + parent, "/api/charts?product=messaging",
        # Every filter /api/charts accepts, alone and combined with whole days (months and partial ends).
        "/api/charts?status=approved", "/api/charts?product=verify&status=awaiting",
        "/api/charts?product=messaging&since=2026-03-10&until=2026-08-20",
        "/api/charts?parent=" + large, "/api/charts?parent=%s&status=approved&since=2026-06-10&until=2026-09-20" % large,
        "/api/charts?parent=%s&product=messaging&since=2026-01-01&until=2026-06-30" % parent,
        "/export.csv?parent=" + parent,
        "/api/pause",
    ]
    results = {}
    for target in targets:
        status = None
        for _ in range(3):
            response, _body = get(target, cookie)
            status = response.status
        times = []
        started = time.monotonic()
        for _ in range(reps):
            t0 = time.perf_counter()
            response, body = get(target, cookie)
            times.append((time.perf_counter() - t0) * 1000)
            if time.monotonic() - started > 60:
                break
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        results[target] = {"status": status, "n": len(times), "p50": round(pick(0.5), 2),
                           "p99": round(pick(0.99), 2), "max": round(times[-1], 2), "bytes": len(body)}
        print("%-62s %3d n=%-4d p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  %7d bytes" %
              (target, status, len(times), pick(0.5), pick(0.99), times[-1], len(body)), flush=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
