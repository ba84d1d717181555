#!/usr/bin/env python3
"""Client side of the console benchmark (bench/console/console.sh drives it; standard library
only): signs in as the console does (POST /admin/session), then, on one keep-alive connection
with the session cookie, times N requests of each call a console screen makes, interleaved,
beside the baseline GET /v1/check. Prints `RESULT name median= p90= p99= bytes=` (ms).

  console_bench.py PORT TOKEN --n N --value V
"""

import argparse
import http.client
import json
import statistics
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("token")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--value", required=True, help="a value with a history (search)")
    a = ap.parse_args()
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=600)
    conn.request("POST", "/admin/session", body=json.dumps({"token": a.token}).encode(),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        raise SystemExit("sign-in: HTTP %d" % r.status)
    cookie = r.getheader("Set-Cookie").split(";")[0]
    q = urllib.parse.quote(a.value)
    calls = [
        ("page GET /admin/", "/admin/"),
        ("script GET /admin/static/queue.js", "/admin/static/queue.js"),
        ("session GET /admin/session", "/admin/session"),
        ("queue GET /v1/admin/reports?group=value&limit=100", "/v1/admin/reports?group=value&limit=100"),
        ("search GET /v1/admin/indicators?q=", "/v1/admin/indicators?q=" + q),
        ("dashboard GET /v1/admin/stats?days=90", "/v1/admin/stats?days=90"),
        ("audit GET /v1/admin/audit?limit=50&brief=1", "/v1/admin/audit?limit=50&brief=1"),
        ("audit filtered GET /v1/admin/audit?action=approve&limit=50",
         "/v1/admin/audit?action=approve&limit=50"),
        ("baseline GET /v1/check?q=", "/v1/check?q=" + q),
    ]
    times = {name: [] for name, _ in calls}
    sizes = {}
    for _ in range(a.n):
        for name, path in calls:
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            r = conn.getresponse()
            body = r.read()
            times[name].append((time.perf_counter() - t0) * 1000)
            if r.status != 200:
                raise SystemExit("%s: HTTP %d %s" % (path, r.status, body[:200]))
            sizes[name] = len(body)
    for name, _ in calls:
        t = sorted(times[name])
        print("RESULT %s median=%.2f p90=%.2f p99=%.2f bytes=%d" % (
            name.replace(" ", "_"), statistics.median(t), t[int(0.9 * (len(t) - 1))],
            t[int(0.99 * (len(t) - 1))], sizes[name]))


if __name__ == "__main__":
    main()
