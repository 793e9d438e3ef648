#!/usr/bin/env python3
"""End-to-end performance figures of the real creditbot binary (issue 7; results in docs/BENCHMARKS.md).

Subcommands (each prints its figures and writes its raw data under --out):
  cold-start   `run --once` with nothing to do on the embedded default (an empty inbox): wall time and peak
               RSS of --runs runs after --warmup, each a fresh process (wait4's rusage gives the peak RSS);
               the first run, which generates the synthetic warehouse, is reported on its own.
  idle-rss     `serve` (Events API, the Slack stand-in for its start-up calls) left idle --idle-seconds:
               VmRSS, VmHWM, the threads and /proc/PID/smaps_rollup.
  ttr          time-to-reply: `serve --live` against the stand-ins (bench/e2e/stand_ins.py: Slack Web API,
               Looker API, Trino on the synthetic warehouse, each with --latency-ms per exchange); --requests
               requests, one at a time: each is put into the stand-in channel's history, delivered as a signed
               Events API event, and timed from the delivery to its chat.postMessage arriving at the stand-in.
               The stand-ins record every exchange's arrival and departure, so the bot's own overhead is
               time-to-reply minus the time spent inside external exchanges, exactly.
  backlog      --requests requests already in the channel's history, then one `run --once --live` against the
               zero-latency stand-ins: wall time, requests/s, and the time creditbot spent waiting for its
               own Slack pacing (from its log).
  stream       the Trino streaming benchmark (bench/trino_stream_benchmark.cc), each size in its own process:
               peak RSS against the number of pages of 1,000 rows.
  smoke        ttr with 5 requests and no latency; exits 0 when all 5 were answered (no timing is checked).

With --embedded, ttr/backlog use the embedded look catalog and SQLite warehouse instead of the Looker and
Trino stand-ins (their time then counts as the bot's own).
Environment is built from scratch for every creditbot process (env -i style): only what is set here.
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "bench", "e2e")
CHANNEL = "C0CREDITREQ"
SECRET = "e2e-signing-secret-0123456789abcdef0123"
LOOKER_HOST = "https://looker.example.com"


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def summary(values, unit="ms"):
    if not values:
        return "no values"
    return "n=%d mean %.2f p50 %.2f p90 %.2f p99 %.2f max %.2f %s" % (
        len(values), statistics.mean(values), percentile(values, 50), percentile(values, 90),
        percentile(values, 99), max(values), unit)


def base_env(home):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "CREDITBOT_HOME": home,
            "CREDITBOT_LOOK_CATALOG": os.path.join(ROOT, "data", "sample", "looks"),
            "CREDITBOT_LOG_FORMAT": "json", "CREDITBOT_LOG_LEVEL": "info"}


def run_measured(argv, env, cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """Runs argv to completion: (exit code, wall seconds, peak RSS kB, CPU seconds) of that one child.

    The peak RSS comes from /usr/bin/time, not from this process's wait4: Linux carries a process's peak
    RSS across fork and exec, so a child started from this Python process (~20 MB) never reports less than
    Python's own RSS. /usr/bin/time is small (~2 MB) and reports its child's. The CPU time is wait4's (the
    child and what it waited for: time's own share is a fraction of a millisecond)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name] + list(argv), env=env,
                                   cwd=cwd, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        lines = peak.read().split()
    return process.returncode, wall, int(lines[-1]) if lines else -1, usage.ru_utime + usage.ru_stime


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class StandIns:
    """bench/e2e/stand_ins.py in its own process."""

    def __init__(self, out, warehouse, latency_ms, extra=()):
        self.ports_file = os.path.join(out, "stand_ins.ports")
        if os.path.exists(self.ports_file):
            os.remove(self.ports_file)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "stand_ins.py"), "--ports-file", self.ports_file,
             "--warehouse", warehouse, "--catalog", os.path.join(ROOT, "data", "sample", "looks"),
             "--latency-ms", str(latency_ms), *extra])
        for _ in range(200):
            if os.path.exists(self.ports_file):
                break
            time.sleep(0.05)
        with open(self.ports_file) as f:
            self.ports = json.load(f)

    def call(self, path, body=None, timeout=60):
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.ports["slack"], path),
                                         data=None if body is None else json.dumps(body).encode(),
                                         method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)

    def env(self, embedded):
        env = {"SLACK_BOT_TOKEN": "xoxb-0000-e2e-test-token-not-real",
               "CREDITBOT_SLACK_API_URL": "http://127.0.0.1:%d/api/" % self.ports["slack"],
               "CREDITBOT_SLACK_CHANNELS": CHANNEL, "CREDITBOT_LOOKER_BASE_URL": LOOKER_HOST,
               "CREDITBOT_SLACK_POST_INTERVAL_MS": "0"}
        if not embedded:
            env.update({"LOOKER_CLIENT_ID": "e2e-client", "LOOKER_CLIENT_SECRET": "e2e-secret-not-real",
                        "CREDITBOT_LOOKER_API_URL": "http://127.0.0.1:%d" % self.ports["looker"],
                        "CREDITBOT_WAREHOUSE": "trino://creditbot@127.0.0.1:%d/sample/default?ssl=false"
                                               % self.ports["trino"]})
        return env

    def stop(self):
        self.process.terminate()
        self.process.wait()


def synth_warehouse(binary, out):
    """The synthetic warehouse (scale 1) for the Trino stand-in: generated once per --out folder."""
    path = os.path.join(out, "warehouse.db")
    if not os.path.exists(path):
        subprocess.run([binary, "synth", "--db", path], check=True, stdout=subprocess.DEVNULL)
    return path


class Serve:
    """`creditbot serve` with the Events API; its log to files under `out`."""

    def __init__(self, binary, out, env, live):
        self.out_path, self.err_path = os.path.join(out, "serve.out"), os.path.join(out, "serve.err")
        self.out, self.err = open(self.out_path, "w"), open(self.err_path, "w")
        argv = [binary, "serve"] + (["--live"] if live else [])
        self.process = subprocess.Popen(argv, env=env, cwd=out, stdout=self.out, stderr=self.err)
        self.port = None
        for _ in range(600):
            with open(self.out_path) as f:
                match = re.search(r"listening on 127\.0\.0\.1:(\d+)", f.read())
            if match:
                self.port = int(match.group(1))
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        if self.port is None:
            with open(self.err_path) as f:
                raise SystemExit("serve did not start:\n" + f.read()[-3000:])

    def wait_ready(self, seconds=120):
        """Until /readyz says 200 (the start-up catch-up pass is done)."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", "/readyz")
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status == 200:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        return False

    def deliver(self, body):
        """POSTs one signed delivery on a new connection: (HTTP status, time sent, time acknowledged). The
        clock starts once the connection is open, just before the request's first byte."""
        ts = str(int(time.time()))
        signature = "v0=" + hmac.new(SECRET.encode(), ("v0:%s:%s" % (ts, body)).encode(), hashlib.sha256).hexdigest()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.connect()
        sent = time.time()
        connection.request("POST", "/slack/events", body=body.encode(), headers={
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature})
        response = connection.getresponse()
        response.read()
        acked = time.time()
        connection.close()
        return response.status, sent, acked

    def proc_status(self):
        fields = {}
        with open("/proc/%d/status" % self.process.pid) as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem", "VmSize", "Threads"):
                    fields[name] = value.strip()
        return fields

    def schedstat(self):
        """(CPU seconds, seconds spent runnable but waiting for a CPU), summed over serve's threads."""
        cpu = wait = 0
        task_dir = "/proc/%d/task" % self.process.pid
        for task in os.listdir(task_dir):
            try:
                with open("%s/%s/schedstat" % (task_dir, task)) as f:
                    fields = f.read().split()
                cpu, wait = cpu + int(fields[0]), wait + int(fields[1])
            except OSError:
                pass
        return cpu / 1e9, wait / 1e9

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.out.close()
        self.err.close()
        return code


def request_text(look_id):
    return ("Please credit the customer for SMS pumping on Verify. Fraud report: <%s/looks/%d|Authy fraud "
            "report>" % (LOOKER_HOST, look_id))


def event_body(message_ts, text, n):
    return json.dumps({
        "token": "e2e", "team_id": "T0E2E", "api_app_id": "A0E2E", "type": "event_callback",
        "event_id": "Ev0E2E%07d%d" % (n, int(time.time())), "event_time": int(time.time()),
        "event": {"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U0E2EUSER",
                  "text": text, "ts": message_ts, "event_ts": message_ts}}, separators=(",", ":"))


def look_for(n, embedded):
    # Stand-ins: a distinct look per request (creditbot's Looker resolver caches looks for the life of the
    # process), served with the SQL of sample look 101 (test case 1 of CREDIT_POLICY.md). Embedded: look 101.
    return 101 if embedded else 101 + 1000 * (n + 1)


def pacing_waits(log_path, since_line=0):
    """(count, total ms) of creditbot's "waiting for Slack's rate limit" log lines after line `since_line`."""
    count, total = 0, 0
    with open(log_path) as f:
        for number, line in enumerate(f):
            if number < since_line or "waiting for Slack" not in line:
                continue
            try:
                record = json.loads(line)
                total += int(record.get("wait_ms", 0))
            except ValueError:
                pass
            count += 1
    return count, total


def line_count(path):
    with open(path) as f:
        return sum(1 for _ in f)


# ------------------------------------------------------------------------------------------ subcommands

def cold_start(args):
    home = os.path.join(args.out, "cold")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    inbox = os.path.join(home, "empty-inbox.jsonl")
    open(inbox, "w").close()
    env = base_env(home)
    env["CREDITBOT_INBOX"] = inbox
    argv = [args.binary, "run", "--once"]
    code, wall, rss, cpu = run_measured(argv, env, home)
    print("first run (generates the synthetic warehouse): exit %d, %.1f ms, CPU %.1f ms, peak RSS %d kB"
          % (code, wall * 1e3, cpu * 1e3, rss))
    for _ in range(args.warmup):
        run_measured(argv, env, home)
    walls, rsses, cpus = [], [], []
    for _ in range(args.runs):
        code, wall, rss, cpu = run_measured(argv, env, home)
        if code != 0:
            raise SystemExit("run --once exited %d" % code)
        walls.append(wall * 1e3)
        rsses.append(rss)
        cpus.append(cpu * 1e3)
    with open(os.path.join(args.out, "cold_start.csv"), "w") as f:
        f.write("wall_ms,cpu_ms,peak_rss_kb\n" + "".join("%.3f,%.3f,%d\n" % row for row in zip(walls, cpus, rsses)))
    print("run --once, nothing to do, %d runs (load average %s):" % (args.runs, load_average()))
    print("  wall: " + summary(walls))
    print("  CPU (user + system): " + summary(cpus))
    print("  peak RSS: min %d p50 %d max %d kB" % (min(rsses), percentile(rsses, 50), max(rsses)))


def idle_rss(args):
    warehouse = synth_warehouse(args.binary, args.out)
    stand_ins = StandIns(args.out, warehouse, 0)
    home = os.path.join(args.out, "idle-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    env = base_env(home)
    env.update(stand_ins.env(args.embedded))
    env.update({"SLACK_SIGNING_SECRET": SECRET, "CREDITBOT_HTTP_ADDR": "127.0.0.1:0",
                "CREDITBOT_CATCHUP_SECONDS": "3600"})
    # The embedded default generates its warehouse on first use: give it the one already made, unless
    # --fresh asks to measure a first start.
    if not args.fresh:
        shutil.copy(warehouse, os.path.join(home, "warehouse.db"))
    for pair in args.env or []:
        name, _, value = pair.partition("=")
        env[name] = value
    serve = Serve(args.binary, home, env, live=False)
    try:
        serve.wait_ready()
        samples = []
        for second in range(args.idle_seconds + 1):
            if second in (0, 1, 2, 5) or second % 10 == 0 or second == args.idle_seconds:
                samples.append((second, serve.proc_status()["VmRSS"]))
            if second < args.idle_seconds:
                time.sleep(1)
        status = serve.proc_status()
        with open("/proc/%d/smaps_rollup" % serve.process.pid) as f:
            rollup = f.read()
        with open(os.path.join(args.out, "idle_smaps_rollup.txt"), "w") as f:
            f.write(rollup)
        print("serve idle %d s, %s%s (load average %s)%s:" % (
            args.idle_seconds, "embedded look catalog + SQLite warehouse" if args.embedded else
            "Looker API + Trino (stand-ins)", ", first start (generates the warehouse)" if args.fresh else "",
            load_average(), " with " + " ".join(args.env) if args.env else ""))
        print("  VmRSS over time: " + ", ".join("%ds %s" % sample for sample in samples))
        print("  " + ", ".join("%s %s" % item for item in status.items()))
        for line in rollup.splitlines():
            if line.split(":")[0] in ("Rss", "Pss_Anon", "Pss_File", "Private_Dirty", "Anonymous"):
                print("  smaps_rollup " + " ".join(line.split()))
    finally:
        print("  serve exit code %d" % serve.stop())
        stand_ins.stop()


def start_serve_with_stand_ins(args, latency_ms, live=True):
    warehouse = synth_warehouse(args.binary, args.out)
    stand_ins = StandIns(args.out, warehouse, latency_ms)
    home = os.path.join(args.out, "serve-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    shutil.copy(warehouse, os.path.join(home, "warehouse.db"))
    env = base_env(home)
    env.update(stand_ins.env(args.embedded))
    env.update({"SLACK_SIGNING_SECRET": SECRET, "CREDITBOT_HTTP_ADDR": "127.0.0.1:0",
                "CREDITBOT_CATCHUP_SECONDS": "3600"})
    try:
        serve = Serve(args.binary, home, env, live=live)
    except BaseException:
        stand_ins.stop()
        raise
    return stand_ins, serve


def time_to_reply(args, requests=None, gap_ms=None):
    requests = args.requests if requests is None else requests
    gap_ms = args.gap_ms if gap_ms is None else gap_ms
    stand_ins, serve = start_serve_with_stand_ins(args, args.latency_ms)
    rows = []
    try:
        if not serve.wait_ready():
            raise SystemExit("serve never became ready (see %s)" % serve.err_path)
        log_start = line_count(serve.err_path)
        stand_ins.call("/api/_log?reset=1")
        exchanges = open(os.path.join(args.out, "ttr_exchanges.jsonl"), "w")
        sched_start = serve.schedstat()
        for n in range(requests):
            message_ts = "%.6f" % time.time()
            text = request_text(look_for(n, args.embedded))
            stand_ins.call("/api/_add", {"channel": CHANNEL, "ts": message_ts, "text": text, "user": "U0E2EUSER"})
            body = event_body(message_ts, text, n)
            stand_ins.call("/api/_log?reset=1")
            status, delivered, acked = serve.deliver(body)
            if status != 200:
                raise SystemExit("delivery %d answered HTTP %d" % (n, status))
            answer = stand_ins.call("/api/_wait?thread_ts=%s&timeout=60" % message_ts)
            if not answer.get("ok"):
                raise SystemExit("no reply to request %d within 60 s (see %s)" % (n, serve.err_path))
            post = answer["post"]
            time.sleep(0.02)  # let the worker finish the request (state, audit) before the log is read
            records = stand_ins.call("/api/_log?reset=1")["records"]
            exchanges.write(json.dumps({"n": n, "delivered": delivered, "reply_arrived": post["arrived"],
                                        "records": records}) + "\n")
            before = [r for r in records if r["arrived"] >= delivered and r["arrived"] < post["arrived"]]
            external = sum(r["left"] - r["arrived"] for r in before)
            injected = sum(r["slept"] for r in before)
            ttr = post["arrived"] - delivered
            rows.append({"n": n, "ttr_ms": ttr * 1e3, "ack_ms": (acked - delivered) * 1e3,
                         "external_ms": external * 1e3, "injected_ms": injected * 1e3,
                         "overhead_ms": (ttr - external) * 1e3, "calls_before_reply": len(before),
                         "calls": len(records), "kind": post["kind"],
                         "calls_by": ",".join(sorted({"%s:%s" % (r["service"], r["path"].split("/")[-1] if
                                                                 r["service"] == "slack" else r["path"])
                                                      for r in before}))})
            if gap_ms:  # the next delivery no sooner than gap_ms after this one
                time.sleep(max(0.0, delivered + gap_ms / 1000.0 - time.time()))
        waits = pacing_waits(serve.err_path, log_start)
        sched_end = serve.schedstat()
        exchanges.close()
    finally:
        code = serve.stop()
        stand_ins.stop()
    name = "ttr_latency%g%s.csv" % (args.latency_ms, "_embedded" if args.embedded else "")
    with open(os.path.join(args.out, name), "w") as f:
        columns = list(rows[0].keys()) if rows else []
        f.write(",".join(columns) + "\n")
        for row in rows:
            f.write(",".join(("%.3f" % row[c]) if isinstance(row[c], float) else str(row[c]) for c in columns) + "\n")
    kinds = {}
    for row in rows:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    print("time-to-reply, %d requests one at a time, %g ms per external exchange, one every >= %d ms, %s (load average %s):"
          % (len(rows), args.latency_ms, gap_ms, "embedded catalog + SQLite" if args.embedded else
             "Slack + Looker + Trino stand-ins", load_average()))
    print("  replies by kind: %s; serve exit code %d; pacing waits: %d (%d ms)" % (kinds, code, waits[0], waits[1]))
    if rows:
        print("  exchanges before the reply per request: %s" % sorted({r["calls_before_reply"] for r in rows}))
        print("  time-to-reply:      " + summary([r["ttr_ms"] for r in rows]))
        print("  inside stand-ins:   " + summary([r["external_ms"] for r in rows]))
        print("  of it injected:     " + summary([r["injected_ms"] for r in rows]))
        print("  bot's own overhead: " + summary([r["overhead_ms"] for r in rows]))
        print("  Events API ack:     " + summary([r["ack_ms"] for r in rows]))
        print("  serve's CPU time per request %.2f ms; its threads waited for a CPU %.2f ms per request "
              "(/proc/PID/task/*/schedstat)" % ((sched_end[0] - sched_start[0]) * 1e3 / len(rows),
                                                 (sched_end[1] - sched_start[1]) * 1e3 / len(rows)))
        print("  raw rows: %s" % os.path.join(args.out, name))
    return rows, code


def backlog(args):
    warehouse = synth_warehouse(args.binary, args.out)
    stand_ins = StandIns(args.out, warehouse, args.latency_ms)
    home = os.path.join(args.out, "backlog-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    shutil.copy(warehouse, os.path.join(home, "warehouse.db"))
    env = base_env(home)
    env.update(stand_ins.env(args.embedded))
    try:
        first = time.time() - 3600
        for n in range(args.requests):
            stand_ins.call("/api/_add", {"channel": CHANNEL, "ts": "%.6f" % (first + n * 0.5),
                                         "text": request_text(look_for(n, args.embedded)), "user": "U0E2EUSER"})
        stand_ins.call("/api/_log?reset=1")
        err_path = os.path.join(args.out, "backlog.err")
        with open(err_path, "w") as err, open(os.path.join(args.out, "backlog.out"), "w") as out:
            code, wall, rss, _ = run_measured([args.binary, "run", "--once", "--live"], env, home, out, err)
        records = stand_ins.call("/api/_log?reset=1")["records"]
        posts = [r for r in records if r["path"] == "chat.postMessage"]
        waits = pacing_waits(err_path)
        calls = {}
        for r in records:
            parts = r["path"].split("/")  # Looker: /api/4.0/<kind>/…, or "login"
            key = "%s:%s" % (r["service"], parts[3] if r["service"] == "looker" and len(parts) > 3 else r["path"])
            calls[key] = calls.get(key, 0) + 1
        print("backlog of %d requests, run --once --live, %g ms per external exchange, %s (load average %s):"
              % (args.requests, args.latency_ms, "embedded catalog + SQLite" if args.embedded else
                 "Slack + Looker + Trino stand-ins", load_average()))
        print("  exit %d, wall %.1f s, peak RSS %d kB, %d replies posted, %.2f requests/s"
              % (code, wall, rss, len(posts), len(posts) / wall if wall else 0))
        print("  waiting for Slack's pacing (creditbot's log): %d waits, %.1f s in all; wall minus pacing %.1f s "
              "→ %.1f requests/s" % (waits[0], waits[1] / 1000.0, wall - waits[1] / 1000.0,
                                      len(posts) / max(0.001, wall - waits[1] / 1000.0)))
        print("  exchanges: %s" % json.dumps(calls, sort_keys=True))
    finally:
        stand_ins.stop()


def stream(args):
    bench = args.bench_binary
    print("Trino streaming, each size in its own process (load average %s):" % load_average())
    for pages in args.pages:
        # Through /usr/bin/time, for the reason in run_measured: started from Python, the benchmark's own
        # peak_rss_kb counter would start at Python's RSS.
        result = subprocess.run(["/usr/bin/time", "-f", "peak_rss_kb %M", bench,
                                 "--benchmark_filter=BM_TrinoStreamPages/%d/" % pages, "--benchmark_format=json"],
                                capture_output=True, text=True, check=True)
        run = json.loads(result.stdout)["benchmarks"][0]
        peak = re.search(r"peak_rss_kb (\d+)", result.stderr)
        print("  %6d pages × 1,000 rows: %.0f ms, %.2f M rows/s, %.1f MB/s, peak RSS %d kB (process), %d kB "
              "(counter)" % (pages, run["real_time"], run["items_per_second"] / 1e6, run["bytes_per_second"] / 1e6,
                             int(peak.group(1)) if peak else -1, run["peak_rss_kb"]))


def smoke(args):
    args.latency_ms = 0
    rows, code = time_to_reply(args, requests=5, gap_ms=0)
    replied = [r for r in rows if r["kind"] == "credit"]
    if len(rows) != 5 or code != 0:
        raise SystemExit("smoke: %d of 5 requests answered, serve exit %d" % (len(rows), code))
    print("smoke: 5 of 5 requests answered (%d with a credit), serve stopped with exit 0" % len(replied))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("command", choices=["cold-start", "idle-rss", "ttr", "backlog", "stream", "smoke"])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "creditbot"))
    parser.add_argument("--bench-binary", default=os.path.join(ROOT, "build", "bench", "bench", "creditbot_bench"))
    parser.add_argument("--out", help="folder for raw data (default: a new temporary folder)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--idle-seconds", type=int, default=10)
    parser.add_argument("--env", action="append", help="NAME=VALUE added to serve's environment (idle-rss)")
    parser.add_argument("--requests", type=int)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--gap-ms", type=int, default=1300,
                        help="least time from one delivery to the next (ttr); 1,300 ms keeps creditbot's Slack "
                             "pacing (Tier 3: 50/min for conversations.replies and reactions.add) from waiting")
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--fresh", action="store_true",
                        help="idle-rss --embedded: a new CREDITBOT_HOME, so serve generates its warehouse")
    parser.add_argument("--pages", type=int, nargs="*", default=[10, 100, 1000, 10000])
    args = parser.parse_args()
    if args.requests is None:
        args.requests = 1000 if args.command == "backlog" else 200
    args.binary = os.path.abspath(args.binary)
    temporary = args.out is None
    args.out = os.path.abspath(args.out or tempfile.mkdtemp(prefix="creditbot-e2e."))
    os.makedirs(args.out, exist_ok=True)
    if args.command != "stream" and not os.access(args.binary, os.X_OK):
        raise SystemExit("no creditbot binary at %s (cmake --preset release && cmake --build build/release, "
                         "or --binary)" % args.binary)
    print("%s; raw data in %s" % (args.bench_binary if args.command == "stream" else args.binary, args.out))
    {"cold-start": cold_start, "idle-rss": idle_rss, "ttr": time_to_reply, "backlog": backlog,
     "stream": stream, "smoke": smoke}[args.command](args)
    if args.command == "smoke" and temporary:  # as a test (ctest e2e_bench_smoke): leave nothing behind
        shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
