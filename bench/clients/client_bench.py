#!/usr/bin/env python3
"""What the Python client costs per call, against what a bot would otherwise write: N
sequential GET /v1/check of the sample's values, one service thread, modes interleaved REPS
times, median requests per second of each (bench/clients/run.sh).

  client_bench.py PORT N REPS

  http.client   one kept-alive connection, bare (the floor: no client at all)
  fraudidx      fraudidx.Client.check: the same connection, plus typed results and the
                stale-connection check
  urllib        urllib.request.urlopen per call: a new connection each time (what
                examples/moderation_bot.py did before the client)
"""
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
import fraudidx  # noqa: E402

VALUES = ["0910 001 001", "0911 111 111", "https://vietcombank.com.vn/", "VCB 0000111122",
          "scam@example.com", "0700.001.003"]


def bare(port, n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for i in range(n):
        c.request("GET", "/v1/check?" + urllib.parse.urlencode({"q": VALUES[i % len(VALUES)]}))
        r = c.getresponse()
        json.loads(r.read())
        assert r.status == 200
    c.close()


def client(port, n):
    with fraudidx.Client("http://127.0.0.1:%d" % port, retries=0) as fx:
        for i in range(n):
            fx.check(VALUES[i % len(VALUES)])


def per_call(port, n):
    for i in range(n):
        q = urllib.parse.urlencode({"q": VALUES[i % len(VALUES)]})
        with urllib.request.urlopen("http://127.0.0.1:%d/v1/check?%s" % (port, q),
                                    timeout=10) as r:
            json.load(r)


def main():
    port, n, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    modes = {"http.client": bare, "fraudidx": client, "urllib": per_call}
    rates = {m: [] for m in modes}
    for _ in range(reps):
        for name, fn in modes.items():
            t0 = time.perf_counter()
            fn(port, n)
            rates[name].append(n / (time.perf_counter() - t0))
    base = statistics.median(rates["http.client"])
    print("| mode | calls/s (median of %d) | µs per call | vs http.client |" % reps)
    print("| --- | --- | --- | --- |")
    for name, r in rates.items():
        med = statistics.median(r)
        print("| %s | %.0f | %.0f | %.2f |" % (name, med, 1e6 / med, med / base))


if __name__ == "__main__":
    main()
