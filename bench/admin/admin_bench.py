#!/usr/bin/env python3
"""Client side of the analysts' API benchmark (bench/admin/run.sh drives it; standard library
only). Each subcommand prints one line `RESULT key=value ...` that run.sh collects.

  admin_bench.py load    PORT TOKEN FILE.csv [--batch N] [--conns C]
      POSTs the CSV's rows in batches of N over C keep-alive connections: rows/s.
  admin_bench.py single  PORT TOKEN [--n N] [--conns C] [--first K]
      N single-row POSTs (new phone numbers from K on) over C connections: latency
      percentiles of the 200 (which comes only once the row is fsynced) and rows/s.
  admin_bench.py writer  PORT TOKEN --seconds S [--first K]
      Writes for S seconds, alternating single rows and batches of 1,000: what the lookups
      of the "lookups while writing" run compete with.
"""

import argparse
import http.client
import sys
import threading
import time

HEADER = "kind,value,status,categories,source\n"


def phone(n):
    return "+8498%07d" % n


def rows(first, n):
    return HEADER + "".join("phone,%s,confirmed,investment,police\n" % phone(first + i)
                            for i in range(n))


class Client:
    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "text/csv"}

    def post(self, body):
        self.conn.request("POST", "/v1/admin/indicators", body=body.encode(),
                          headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit("HTTP %d: %s" % (r.status, data[:300]))
        return data


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def cmd_load(a):
    with open(a.file, encoding="utf-8") as f:
        header = f.readline()
        lines = f.readlines()
    batches = [header + "".join(lines[i:i + a.batch]) for i in range(0, len(lines), a.batch)]
    lock, nexti, errors = threading.Lock(), [0], []

    def run():
        c = Client(a.port, a.token)
        while True:
            with lock:
                i = nexti[0]
                nexti[0] += 1
            if i >= len(batches):
                return
            try:
                c.post(batches[i])
            except BaseException as e:  # reported below
                errors.append(repr(e))
                return

    t0 = time.monotonic()
    ts = [threading.Thread(target=run) for _ in range(a.conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    if errors:
        raise SystemExit("errors: %s" % errors[:3])
    print("RESULT rows=%d batch=%d conns=%d seconds=%.2f rows_per_s=%.0f" %
          (len(lines), a.batch, a.conns, dt, len(lines) / dt))


def cmd_single(a):
    lat, lock = [], threading.Lock()
    per = a.n // a.conns

    def run(k):
        c = Client(a.port, a.token)
        mine = []
        for i in range(per):
            body = rows(a.first + k * per + i, 1)
            t = time.monotonic()
            c.post(body)
            mine.append(time.monotonic() - t)
        with lock:
            lat.extend(mine)

    t0 = time.monotonic()
    ts = [threading.Thread(target=run, args=(k,)) for k in range(a.conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    ms = [x * 1000 for x in lat]
    print("RESULT requests=%d conns=%d rows_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f "
          "max_ms=%.2f" % (len(ms), a.conns, len(ms) / dt, pct(ms, 50), pct(ms, 90),
                           pct(ms, 99), max(ms)))


def cmd_writer(a):
    c = Client(a.port, a.token)
    n, reqs, k = 0, 0, a.first
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        size = 1 if reqs % 2 == 0 else 1000
        c.post(rows(k, size))
        k += size
        n += size
        reqs += 1
    print("RESULT writer_rows=%d writer_requests=%d seconds=%.1f" % (n, reqs, a.seconds))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("load", "single", "writer"):
        s = sub.add_parser(name)
        s.add_argument("port", type=int)
        s.add_argument("token")
        if name == "load":
            s.add_argument("file")
            s.add_argument("--batch", type=int, default=10000)
        if name == "single":
            s.add_argument("--n", type=int, default=1000)
        if name == "writer":
            s.add_argument("--seconds", type=float, required=True)
        s.add_argument("--conns", type=int, default=1)
        s.add_argument("--first", type=int, default=0)
    a = p.parse_args()
    {"load": cmd_load, "single": cmd_single, "writer": cmd_writer}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
