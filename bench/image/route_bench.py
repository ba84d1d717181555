"""POST /v1/image clients for bench/image/route.sh (standard library only).

  route_bench.py seq PORT FILE N       N images one after the other (2 warm-ups first):
                                       prints "p50_ms p99_ms"
  route_bench.py load PORT FILE SECS C C clients posting FILE back to back for SECS seconds:
                                       prints "images_per_s ok refused_503"
"""
import http.client
import sys
import threading
import time


def post(conn, data):
    conn.request("POST", "/v1/image", body=data, headers={"Content-Type": "image/png"})
    r = conn.getresponse()
    r.read()
    return r.status


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, (len(v) * p + 99) // 100 - 1)]


def seq(port, data, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(2):
        assert post(conn, data) == 200
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        status = post(conn, data)
        times.append((time.perf_counter() - t0) * 1000)
        assert status == 200, status
    print("%.1f %.1f" % (pct(times, 50), pct(times, 99)))


def load(port, data, secs, clients):
    counts = {"ok": 0, "busy": 0, "other": 0}
    lock = threading.Lock()
    end = time.monotonic() + secs

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < end:
            s = post(conn, data)
            key = "ok" if s == 200 else "busy" if s == 503 else "other"
            with lock:
                counts[key] += 1
            if s == 503:
                time.sleep(0.05)  # as a client honouring a short Retry-After would
    t0 = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    assert counts["other"] == 0, counts
    print("%.2f %d %d" % (counts["ok"] / elapsed, counts["ok"], counts["busy"]))


if __name__ == "__main__":
    mode, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as f:
        data = f.read()
    if mode == "seq":
        seq(port, data, int(sys.argv[4]))
    else:
        load(port, data, float(sys.argv[4]), int(sys.argv[5]))
