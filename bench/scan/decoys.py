#!/usr/bin/env python3
"""POST /v1/scan latency for the worst posts the 64 KiB limit allows (issue 12: every indicator
in a post is looked up, not only the 256 listed), beside the 2 KB post of post.lua as the
baseline, in the same run. One keep-alive connection, requests one after the other, shapes
interleaved round by round; prints per shape the indicators it holds, and the median over
rounds of each round's p50 and p99 (bench/scan/worst.sh starts the service).

  decoys.py PORT [ROUNDS] [REQUESTS_PER_ROUND]
"""
import http.client
import json
import os
import re
import statistics
import sys
import time

LIMIT = 64 * 1024


def fill(unit):
    """unit(i) repeated for i = 0, 1, … while the text stays within 64 KiB."""
    parts, size, i = [], 0, 0
    while True:
        p = unit(i)
        if size + len(p.encode()) > LIMIT:
            return "".join(parts)
        parts.append(p)
        size += len(p.encode())
        i += 1


def baseline_post():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "post.lua"), encoding="utf-8") as f:
        return re.search(r"\[\[(.*)\]\]", f.read(), re.S).group(1)


SHAPES = [
    ("2 KB post (baseline)", baseline_post()),
    ("64 KiB: one number repeated", fill(lambda i: "0911111111 ")),
    ("64 KiB: distinct phone numbers", fill(lambda i: "09%08d " % i)),
    ("64 KiB: distinct domains", fill(lambda i: "d%x.vn " % i)),
    ("64 KiB: distinct URLs, 4 path segments", fill(lambda i: "d%x.vn/a/b/c/d " % i)),
    ("64 KiB: distinct e-mail addresses", fill(lambda i: "a%x@b.cd " % i)),
    ("64 KiB: distinct bank accounts", fill(lambda i: "STK %010d " % i)),
]


def main():
    port = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    per_round = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    bodies = [json.dumps({"text": t}).encode() for _, t in SHAPES]
    p50s = [[] for _ in SHAPES]
    p99s = [[] for _ in SHAPES]
    found = [None] * len(SHAPES)
    for _ in range(rounds):
        for k, body in enumerate(bodies):
            times = []
            for _ in range(per_round):
                t0 = time.perf_counter()
                conn.request("POST", "/v1/scan", body=body,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
                times.append(time.perf_counter() - t0)
                if r.status != 200:
                    sys.exit("%s: status %d %.200r" % (SHAPES[k][0], r.status, data))
            ans = json.loads(data)
            found[k] = (len(ans["matches"]), ans["truncated"], ans["verdict"])
            times.sort()
            p50s[k].append(times[len(times) // 2])
            p99s[k].append(times[min(len(times) - 1, int(len(times) * 0.99))])
    print("| post | bytes | listed | truncated | verdict | p50 | p99 |")
    print("| --- | ---: | ---: | --- | --- | ---: | ---: |")
    for k, (name, text) in enumerate(SHAPES):
        listed, trunc, verdict = found[k]
        print("| %s | %d | %d | %s | %s | %.2f ms | %.2f ms |" % (
            name, len(text.encode()), listed, "yes" if trunc else "no", verdict,
            statistics.median(p50s[k]) * 1e3, statistics.median(p99s[k]) * 1e3))


if __name__ == "__main__":
    main()
