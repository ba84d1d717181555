#!/usr/bin/env python3
"""Load driver of the soak test (bench/soak/run.sh): a mixed load on one fraudidx-service for
a fixed time, with a table of requests, errors, per-route p50/p99 and the service's RSS for
every 10-second window.

Threads, each with its own keep-alive http.client connection to 127.0.0.1:
  - CLIENTS readers: GET /v1/check (80 %), POST /v1/check of 100 items (10 %), POST /v1/scan
    of a 2 KB post (10 %), as fast as they are answered;
  - one writer, paced: POST /v1/reports, each decided at once by an analyst (POST
    /v1/admin/reports/ID, approve and reject in turn), and POST /v1/admin/indicators (10 CSV
    rows). Writers are paced, not flat out, because both are kept by design: every new value
    stays in the overlay until a compaction, and the newest --max-pending-reports decided
    reports stay in memory (docs/OPERATIONS.md). The rows come from a pool of 2,000 numbers,
    so after the first minute they merge into values already in the overlay, and run.sh keeps
    200 decided reports, so memory must stop growing;
  - one reloader: every 30 s runs the indexer's build over the served path (temporary file,
    rename), which the service's watch picks up.
An error is any exception (reset, timeout, short read) or an answer other than the expected
status and shape. Latencies are measured in this client (Python, sharing the 2 CPUs with the
service), so they include the client's own queueing: read them for their trend over time.

Exit status 1 if any request failed, a reload was not taken, or RSS grew more than 10 % from
just after the warm-up (first minute) to the end.
"""
import argparse
import http.client
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

WINDOW = 10.0
RELOAD_EVERY = 30.0
ROUTES = ("check", "batch", "scan", "report", "decide", "admin")
REPORTS_PER_S = 5
ADMIN_PER_S = 10
ADMIN_ROWS = 10
POOL = 2000  # distinct numbers the analysts' uploads and reports use


class Stats:
    """Latencies and counts of the current window; the main thread swaps it every 10 s."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.error_samples = []
        self.errors_total = 0

    def reset(self):
        self.lat = {r: [] for r in ROUTES}
        self.errors = {r: 0 for r in ROUTES}

    def record(self, route, us, ok, why=None):
        with self.lock:
            self.lat[route].append(us)
            if not ok:
                self.errors[route] += 1
                self.errors_total += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append("%s: %s" % (route, why))

    def swap(self):
        with self.lock:
            lat, errors = self.lat, self.errors
            self.reset()
        return lat, errors


class Client:
    def __init__(self, port, stats):
        self.port, self.stats = port, stats
        self.conn = None

    def call(self, route, method, path, body=None, headers=None, expect=200, must=()):
        """One request; records its latency and whether it was answered as expected."""
        t0 = time.perf_counter_ns()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            data = resp.read()
            us = (time.perf_counter_ns() - t0) / 1000.0
            if resp.status != expect:
                self.stats.record(route, us, False, "status %d: %.200r" % (resp.status, data))
            elif any(m not in data for m in must):
                self.stats.record(route, us, False, "unexpected body: %.200r" % data)
            else:
                self.stats.record(route, us, True)
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            return data
        except (OSError, http.client.HTTPException) as e:
            us = (time.perf_counter_ns() - t0) / 1000.0
            self.stats.record(route, us, False, "%s: %s" % (type(e).__name__, e))
            self.close()
            return None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def reader(port, stats, deadline, queries, batches, scan_body, seed):
    rng = random.Random(seed)
    c = Client(port, stats)
    json_h = {"Content-Type": "application/json"}
    while time.monotonic() < deadline:
        x = rng.random()
        if x < 0.8:
            c.call("check", "GET", "/v1/check?q=" + rng.choice(queries), must=(b'"verdict"',))
        elif x < 0.9:
            c.call("batch", "POST", "/v1/check", rng.choice(batches), json_h,
                   must=(b'{"results":[',))
        else:
            c.call("scan", "POST", "/v1/scan", scan_body, json_h, must=(b'"verdict"',))
    c.close()


def pool_number(i):
    return "0399%06d" % i  # Viettel's 039 prefix: a valid mobile number


def writer(port, stats, deadline, token, seed, reports_per_s, admin_per_s):
    rng = random.Random(seed)
    c = Client(port, stats)
    admin_h = {"Authorization": "Bearer " + token, "Content-Type": "text/csv"}
    json_h = {"Content-Type": "application/json"}
    header = "kind,value,status,categories,source,reports,first_seen,last_seen,note\n"
    must_admin = (b'"accepted":%d' % ADMIN_ROWS, b'"rejected":[]')
    if reports_per_s + admin_per_s <= 0:
        return
    step = 1.0 / (reports_per_s + admin_per_s)
    n = 0
    nxt = time.monotonic()
    while True:
        nxt += step
        if nxt >= deadline:
            break
        if n % (reports_per_s + admin_per_s) < reports_per_s:
            body = json.dumps({"kind": "phone", "value": pool_number(rng.randrange(POOL)),
                               "category": "impersonation",
                               "description": "soak test: gọi giả danh ngân hàng"})
            got = c.call("report", "POST", "/v1/reports", body.encode(), json_h, expect=202,
                         must=(b'"status":"pending"',))
            # An analyst decides each report at once (approve and reject in turn): decided
            # reports are what the store must not keep in memory forever.
            rid = json.loads(got)["id"] if got and b'"id"' in got else None
            if rid:
                action = "approve" if n % 2 else "reject"
                decision = {"action": action, "reason": "soak test"}
                if action == "approve":  # an approval says how sure the unit is
                    decision["status"] = "reported"
                decision = json.dumps(decision)
                c.call("decide", "POST", "/v1/admin/reports/" + rid, decision.encode(),
                       dict(admin_h, **json_h),
                       must=(b'"state":"approved"' if n % 2 else b'"state":"rejected"',))
        else:
            rows = "".join("phone,%s,reported,impersonation,community,1,2026-11-01,2026-11-27,"
                           "soak\n" % pool_number(rng.randrange(POOL)) for _ in range(ADMIN_ROWS))
            c.call("admin", "POST", "/v1/admin/indicators", (header + rows).encode(), admin_h,
                   must=must_admin)
        n += 1
        time.sleep(max(0.0, nxt - time.monotonic()))
    c.close()


class Reloader(threading.Thread):
    def __init__(self, argv, deadline):
        super().__init__(daemon=True)
        self.argv, self.deadline = argv, deadline
        self.done, self.failed, self.seconds = 0, 0, []
        self.stop = threading.Event()

    def run(self):
        nxt = time.monotonic() + RELOAD_EVERY
        # No reload in the last 5 s: the watch (1 s) must see every one before the count.
        while not self.stop.wait(max(0.0, nxt - time.monotonic())):
            if time.monotonic() > self.deadline - 5:
                return
            t0 = time.monotonic()
            r = subprocess.run(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            self.seconds.append(time.monotonic() - t0)
            if r.returncode == 0:
                self.done += 1
            else:
                self.failed += 1
                sys.stderr.write("soak: rebuild failed: %s\n" % r.stderr.decode()[-500:])
            nxt += RELOAD_EVERY


def rss_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0])
    return out


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def fmt_us(v):
    if v is None:
        return "-"
    return "%.0f" % v if v < 10000 else "%.1fk" % (v / 1000.0)


def metric(text, name, labels):
    m = re.search(r"^%s\{%s\} ([0-9.e+]+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else 0.0


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--reports-per-s", type=int, default=REPORTS_PER_S)
    ap.add_argument("--admin-per-s", type=int, default=ADMIN_PER_S)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--post", required=True, help="bench/scan/post.lua (the 2 KB post)")
    ap.add_argument("--rebuild", required=True, help="file: the rebuild command, one arg a line")
    a = ap.parse_args()

    queries = [q for q in open(a.queries).read().split("\n") if q]
    rng = random.Random(7)
    batches = []
    for _ in range(500):
        items = [urllib.parse.unquote(rng.choice(queries)) for _ in range(100)]
        batches.append(json.dumps({"items": items}).encode())
    post = re.search(r"\[\[(.*?)\]\]", open(a.post, encoding="utf-8").read(), re.S).group(1)
    scan_body = json.dumps({"text": post}, ensure_ascii=False).encode()
    rebuild = [x for x in open(a.rebuild).read().split("\n") if x]

    st, before = get(a.port, "/metrics")
    reloads_before = metric(before.decode(), "fraudidx_snapshot_reloads_total", 'result="ok"')

    stats = Stats()
    t0 = time.monotonic()
    deadline = t0 + a.duration
    threads = [threading.Thread(target=reader, daemon=True,
                                args=(a.port, stats, deadline, queries, batches, scan_body, i))
               for i in range(a.clients)]
    threads.append(threading.Thread(target=writer, daemon=True,
                                    args=(a.port, stats, deadline, a.token, 99,
                                          a.reports_per_s, a.admin_per_s)))
    reloader = Reloader(rebuild, deadline)
    for t in threads:
        t.start()
    reloader.start()

    rows = []
    cols = "%6s %7s %6s %4s " + "%7s " * (2 * len(ROUTES)) + "%7s %7s %3s"
    head = cols % (("t_s", "req", "req/s", "err") +
                   tuple("%s_%s" % (r[:5], p) for r in ROUTES for p in ("p50", "p99")) +
                   ("rss_mb", "anon_mb", "rl"))
    print("latencies in µs (k = ms); rl = reloads done so far")
    print(head, flush=True)
    k = 1
    while True:
        time.sleep(max(0.0, t0 + k * WINDOW - time.monotonic()))
        lat, errors = stats.swap()
        try:
            mem = rss_kb(a.pid)
        except OSError:
            print("FAIL the service (pid %d) is gone at t=%.0f s; %d requests failed so far"
                  % (a.pid, k * WINDOW, stats.errors_total))
            print("RESULT FAIL")
            return 1
        n = sum(len(v) for v in lat.values())
        row = {"t": k * WINDOW, "req": n, "err": sum(errors.values()), "mem": mem,
               "lat": {r: (pct(lat[r], 50), pct(lat[r], 99)) for r in ROUTES},
               "n": {r: len(lat[r]) for r in ROUTES},
               "reloads": reloader.done}
        rows.append(row)
        print(cols % ((int(row["t"]), n, "%.0f" % (n / WINDOW), row["err"]) +
                      tuple(fmt_us(row["lat"][r][i]) for r in ROUTES for i in (0, 1)) +
                      ("%.1f" % (mem["VmRSS"] / 1024.0), "%.1f" % (mem["RssAnon"] / 1024.0),
                       reloader.done)), flush=True)
        k += 1
        if time.monotonic() >= deadline - 0.5:
            break
    reloader.stop.set()
    for t in threads:
        t.join(15)
    reloader.join(60)
    time.sleep(2)  # the watch's interval: let the last reload land before counting

    failures = []
    _, after = get(a.port, "/metrics")
    after = after.decode()
    reloaded = metric(after, "fraudidx_snapshot_reloads_total", 'result="ok"') - reloads_before
    refused = metric(after, "fraudidx_snapshot_reloads_total", 'result="refused"')
    if reloader.failed or refused or reloaded != reloader.done:
        failures.append("reloads: %d rebuilt, %d rebuild failures, %d taken by the service, "
                        "%d refused" % (reloader.done, reloader.failed, reloaded, refused))
    # An analyst's upload must still answer after every reload (it stays over the snapshot).
    st, body = get(a.port, "/v1/check?q=" + pool_number(0))
    if st != 200 or b'"verdict":"unknown"' in body:
        failures.append("an uploaded value is not listed after the reloads: %.200r" % body)

    total = sum(r["req"] for r in rows)
    errs = stats.errors_total
    warm = 60.0 if a.duration >= 180 else a.duration / 3.0
    after_warm = [r for r in rows if r["t"] > warm] or rows
    base = statistics.median(r["mem"]["VmRSS"] for r in after_warm[:3])
    end = statistics.median(r["mem"]["VmRSS"] for r in after_warm[-3:])
    peak = max(r["mem"]["VmRSS"] for r in after_warm)
    growth = (end - base) / base * 100.0
    anon_base = statistics.median(r["mem"]["RssAnon"] for r in after_warm[:3])
    anon_end = statistics.median(r["mem"]["RssAnon"] for r in after_warm[-3:])

    print()
    print("SUMMARY duration_s=%.0f requests=%d rps=%.0f errors=%d" %
          (a.duration, total, total / a.duration, errs))
    for r in ROUTES:
        p99s = [row["lat"][r][1] for row in rows if row["lat"][r][1] is not None]
        if p99s:
            print("SUMMARY route=%s requests=%d p99_us window_min=%.0f median=%.0f max=%.0f" %
                  (r, sum(row["n"][r] for row in rows), min(p99s), statistics.median(p99s),
                   max(p99s)))
    print("SUMMARY reloads=%d taken=%d refused=%d rebuild_s_median=%.2f" %
          (reloader.done, reloaded, refused,
           statistics.median(reloader.seconds) if reloader.seconds else 0.0))
    print("SUMMARY rss_mb after_warmup(t>%.0fs)=%.1f end=%.1f peak=%.1f growth=%+.1f%% "
          "anon_mb %.1f -> %.1f" % (warm, base / 1024.0, end / 1024.0, peak / 1024.0, growth,
                                    anon_base / 1024.0, anon_end / 1024.0))
    if errs:
        failures.append("%d requests failed; first: %s" % (errs, "; ".join(stats.error_samples)))
    if growth > 10.0:
        failures.append("RSS grew %.1f %% after the warm-up (limit 10 %%)" % growth)
    for f in failures:
        print("FAIL " + f)
    print("RESULT " + ("FAIL" if failures else "PASS"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
