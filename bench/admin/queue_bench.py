#!/usr/bin/env python3
"""Client side of the review-queue and history benchmark (bench/admin/queue.sh drives it;
standard library only). Each subcommand prints `RESULT key=value ...` lines.

  queue_bench.py reports FILE N [--values V] [--disputes D]
      Writes N citizens' reports as reports.jsonl lines (the store's format, WEB.md) over V
      distinct phone numbers, one in D of them a dispute against a listed number: the store
      replays them at start, so the queue is full without 100,000 fsynced POSTs.
  queue_bench.py load PORT TOKEN --rows N [--batch B] [--first K]
      Loads N new phone numbers through POST /v1/admin/indicators in batches of B.
  queue_bench.py time PORT TOKEN --n N
      One keep-alive client, requests one after the other, N of each kind, interleaved: the
      grouped listing (first page, and pages deep in the queue), the plain listing, a history
      lookup of a changed value, and the baseline GET /v1/check. Prints the median, p90 and
      p99 latency of each, in milliseconds (time to the whole answer).
"""

import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

PREFIX_LOADED = 9000000   # phone(i) = +849 then 8 digits; loaded values from here
PREFIX_REPORTED = 1000000  # reported values


def phone(i):
    return "+849%08d" % i


def cmd_reports(a):
    rnd = random.Random(7)
    t0 = 1764000000
    with open(a.file, "w", encoding="utf-8") as f:
        for i in range(a.n):
            v = rnd.randrange(a.values)
            dispute = i % a.disputes == 0
            value = phone(PREFIX_LOADED + v) if dispute else phone(PREFIX_REPORTED + v)
            line = {"type": "report", "id": "r%08x%04x%016x" % (t0 + i, i & 0xffff, rnd.getrandbits(64)),
                    "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0 + i)),
                    "kind": "phone", "value": value, "query": value, "category": "investment",
                    "description": "Mời đầu tư tiền ảo lãi 30%/tháng, đã chuyển 5 triệu",
                    "channel": "zalo", "amount_vnd": 5000000}
            if dispute:
                line["report_type"] = "dispute"
                line["category"] = None
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    print("RESULT reports n=%d values=%d disputes_one_in=%d" % (a.n, a.values, a.disputes))


def client(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=600)


def get(conn, path, token):
    conn.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit("GET %s: HTTP %d %s" % (path, r.status, body[:300]))
    return body


def cmd_load(a):
    conn = client(a.port)
    t0 = time.monotonic()
    for start in range(0, a.rows, a.batch):
        n = min(a.batch, a.rows - start)
        body = "kind,value,status,categories,source\n" + "".join(
            "phone,%s,confirmed,investment,police\n" % phone(a.first + start + i) for i in range(n))
        conn.request("POST", "/v1/admin/indicators", body=body.encode(),
                     headers={"Authorization": "Bearer " + a.token, "Content-Type": "text/csv"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200 or json.loads(data)["accepted"] != n:
            raise SystemExit("load: HTTP %d %s" % (r.status, data[:300]))
    dt = time.monotonic() - t0
    print("RESULT load rows=%d seconds=%.1f rows_per_s=%.0f" % (a.rows, dt, a.rows / dt))


def cursors(conn, token, pages):
    """Cursors spread through the grouped queue (walked once, 1,000 groups a page)."""
    out, after = [], None
    while True:
        q = "/v1/admin/reports?group=value&limit=1000" + ("&after=" + after if after else "")
        page = json.loads(get(conn, q, token))
        after = page["next"]
        if not after:
            break
        out.append(after)
    step = max(1, len(out) // pages)
    return out[::step][:pages], len(out)


def cmd_time(a):
    conn = client(a.port)
    rnd = random.Random(11)
    deep, n_pages = cursors(conn, a.token, 20)
    kinds = {
        "group_first_page": lambda: "/v1/admin/reports?group=value",
        "group_deep_page": lambda: "/v1/admin/reports?group=value&after=" + rnd.choice(deep),
        "plain_first_page": lambda: "/v1/admin/reports",
        "plain_value": lambda: "/v1/admin/reports?value=" + urllib.parse.quote(
            phone(PREFIX_REPORTED + rnd.randrange(a.values))),
        "history": lambda: "/v1/admin/indicators?q=" + urllib.parse.quote(
            phone(PREFIX_LOADED + rnd.randrange(a.loaded))),
        "check": lambda: "/v1/check?q=" + urllib.parse.quote(
            phone(PREFIX_LOADED + rnd.randrange(a.loaded))),
    }
    times = {k: [] for k in kinds}
    sizes = {k: 0 for k in kinds}
    for _ in range(a.n):
        for k, path in kinds.items():
            p = path()
            t0 = time.perf_counter()
            body = get(conn, p, None if k == "check" else a.token)
            times[k].append((time.perf_counter() - t0) * 1000)
            sizes[k] = len(body)
    for k, xs in times.items():
        xs.sort()
        print("RESULT %s n=%d median_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f bytes=%d" % (
            k, len(xs), statistics.median(xs), xs[int(0.9 * len(xs))], xs[int(0.99 * len(xs))],
            xs[-1], sizes[k]))
    print("RESULT queue group_pages_of_1000=%d" % n_pages)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("reports")
    p.add_argument("file")
    p.add_argument("n", type=int)
    p.add_argument("--values", type=int, default=40000)
    p.add_argument("--disputes", type=int, default=100)
    p = sub.add_parser("load")
    for x in ("port", "token"):
        p.add_argument(x)
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--batch", type=int, default=100000)
    p.add_argument("--first", type=int, default=PREFIX_LOADED)
    p = sub.add_parser("time")
    for x in ("port", "token"):
        p.add_argument(x)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--values", type=int, default=40000)
    p.add_argument("--loaded", type=int, required=True)
    a = ap.parse_args()
    {"reports": cmd_reports, "load": cmd_load, "time": cmd_time}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
