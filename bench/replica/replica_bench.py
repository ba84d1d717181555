#!/usr/bin/env python3
"""Client side of the replication benchmark (bench/replica/run.sh drives it; standard library
only). Each subcommand prints one line `RESULT key=value ...` that run.sh collects.

  replica_bench.py lag WRITER_PORT READER_PORT TOKEN [--rate R] [--seconds S] [--batch B]
      A writer process posts batches of B new rows on a fixed schedule (R rows a second) and
      notes when each is acknowledged (durable on the writer); a prober process looks up the
      last row of the newest acknowledged batch on the reader until it answers with it. The
      lag of a batch: from its acknowledgement to its first answer on the reader. The prober
      always takes the newest batch, so a probe that falls behind measures no backlog of its
      own. Percentiles of the lag, and the rows/s the writer reached.
  replica_bench.py catchup READER_PORT TARGET_SEQ
      Polls the reader's fraudidx_replica_applied_seq (every 5 ms) until it reaches
      TARGET_SEQ: seconds from the call and changes a second (run.sh starts the reader just
      before).
  replica_bench.py single PORT TOKEN [--n N] [--first K]
      N single-row POSTs on one keep-alive connection: latency percentiles of the 200.
"""

import argparse
import http.client
import multiprocessing
import queue
import re
import time

HEADER = "kind,value,status,categories,source\n"


def phone(n):
    return "+8498%07d" % n


def rows(first, n):
    return HEADER + "".join("phone,%s,confirmed,investment,police\n" % phone(first + i)
                            for i in range(n))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def post(conn, token, body):
    conn.request("POST", "/v1/admin/indicators", body=body.encode(),
                 headers={"Authorization": "Bearer " + token, "Content-Type": "text/csv"})
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit("HTTP %d: %s" % (r.status, data[:300]))


def writer_proc(port, token, rate, seconds, batch, first, out, done):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.monotonic()
    n, late = 0, 0
    while True:
        due = start + n * batch / rate
        now = time.monotonic()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        elif now - due > 0.01:
            late += 1
        post(conn, token, rows(first + n * batch, batch))
        out.put((n, phone(first + n * batch + batch - 1), time.monotonic()))
        n += 1
    done.put((n * batch, time.monotonic() - start, late))
    out.put(None)


def visible(conn, value):
    conn.request("GET", "/v1/check?q=" + value.replace("+", "%2B"))
    r = conn.getresponse()
    body = r.read()
    return r.status == 200 and b'"verdict":"scam"' in body


def prober_proc(port, inq, results):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    lags, end = [], False
    while not end:
        item = inq.get()
        if item is None:
            break
        while True:  # the newest acknowledged batch
            try:
                nxt = inq.get_nowait()
            except queue.Empty:
                break
            if nxt is None:
                end = True
                break
            item = nxt
        _, value, acked = item
        while not visible(conn, value):
            pass
        lags.append(time.monotonic() - acked)
    results.put(lags)


def cmd_lag(a):
    ctx = multiprocessing.get_context("fork")
    acks, done, results = ctx.Queue(), ctx.Queue(), ctx.Queue()
    w = ctx.Process(target=writer_proc, args=(a.writer, a.token, a.rate, a.seconds, a.batch,
                                              a.first, acks, done))
    p = ctx.Process(target=prober_proc, args=(a.reader, acks, results))
    p.start()
    w.start()
    written, secs, late = done.get()
    lags = results.get()
    w.join()
    p.join()
    ms = [x * 1000 for x in lags]
    print("RESULT rows=%d rows_per_s=%.0f late_batches=%d samples=%d p50_ms=%.2f p90_ms=%.2f "
          "p99_ms=%.2f max_ms=%.2f" % (written, written / secs, late, len(ms), pct(ms, 50),
                                        pct(ms, 90), pct(ms, 99), max(ms)))


def applied(conn):
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    m = re.search(rb"^fraudidx_replica_applied_seq (\d+)$", r.read(), re.M)
    return int(m.group(1)) if m else -1


def cmd_catchup(a):
    t0 = time.monotonic()
    conn, first = None, None
    while True:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", a.reader, timeout=10)
            seq = applied(conn)
        except OSError:
            conn = None
            seq = -1
        if seq >= 0 and first is None:
            first = seq
        if seq >= a.target:
            break
        if time.monotonic() - t0 > 300:
            raise SystemExit("the reader did not catch up in 300 s (at %d)" % seq)
        time.sleep(0.005)
    secs = time.monotonic() - t0
    print("RESULT seconds=%.3f changes=%d from=%d per_s=%.0f" % (
        secs, a.target - first, first, (a.target - first) / secs))


def cmd_single(a):
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    lat = []
    for i in range(a.n):
        t = time.monotonic()
        post(conn, a.token, rows(a.first + i, 1))
        lat.append((time.monotonic() - t) * 1000)
    print("RESULT n=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f" % (
        a.n, pct(lat, 50), pct(lat, 90), pct(lat, 99)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("lag")
    s.add_argument("writer", type=int)
    s.add_argument("reader", type=int)
    s.add_argument("token")
    s.add_argument("--rate", type=float, default=10000)
    s.add_argument("--seconds", type=float, default=10)
    s.add_argument("--batch", type=int, default=100)
    s.add_argument("--first", type=int, default=5000000)
    s = sub.add_parser("catchup")
    s.add_argument("reader", type=int)
    s.add_argument("target", type=int)
    s = sub.add_parser("single")
    s.add_argument("port", type=int)
    s.add_argument("token")
    s.add_argument("--n", type=int, default=1000)
    s.add_argument("--first", type=int, default=8000000)
    a = ap.parse_args()
    {"lag": cmd_lag, "catchup": cmd_catchup, "single": cmd_single}[a.cmd](a)


if __name__ == "__main__":
    main()
