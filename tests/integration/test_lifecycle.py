"""The process around the server: SIGTERM finishes requests in flight and exits 0, idle
connections are closed, --help and the exit codes (0, 1, 2), the access log, several threads."""

import json
import os
import re
import signal
import subprocess
import threading
import time

import fidxsvc
from fidxsvc import SCAM_PHONE, read_all

HOST = b"Host: test\r\n"


def run(*args):
    return subprocess.run([fidxsvc.SERVICE] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=30)


class Lifecycle(fidxsvc.ServiceTest):
    def test_sigterm_finishes_the_request_in_flight_and_exits_0(self):
        svc = self.start("--drain-timeout", "20")
        body = json.dumps({"items": [SCAM_PHONE]}).encode()
        busy = svc.socket()
        busy.sendall(b"POST /v1/check HTTP/1.1\r\n" + HOST +
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[:5])
        idle = svc.socket()
        idle.sendall(b"GET /healthz HTTP/1.1\r\n" + HOST + b"\r\n")
        self.assertEqual(read_all(idle, until_responses=1)[0][0].status, 200)
        time.sleep(0.2)  # both requests are in the service before the signal
        svc.signal(signal.SIGTERM)
        svc.wait_log("SIGTERM")
        # The idle keep-alive connection is closed without an answer.
        rs, closed, _ = read_all(idle, timeout=10)
        self.assertEqual(rs, [])
        self.assertTrue(closed)
        # The request in flight completes, with Connection: close.
        time.sleep(0.3)
        busy.sendall(body[5:])
        rs, closed, _ = read_all(busy, timeout=10)
        self.assertEqual(len(rs), 1, rs)
        self.assertEqual(rs[0].json()["results"][0]["verdict"], "scam")
        self.assertEqual(rs[0].headers.get("connection"), "close")
        self.assertTrue(closed)
        busy.close()
        idle.close()
        self.assertEqual(svc.wait(), 0)
        self.assertIn("stopped", svc.log())
        with self.assertRaises(OSError):
            svc.socket()

    def test_sigterm_under_load_exits_0(self):
        svc = self.start(threads=3)
        stop = threading.Event()
        statuses = []

        def client():
            while not stop.is_set():
                try:
                    statuses.append(svc.get("/v1/check?q=" + SCAM_PHONE).status)
                except OSError:
                    return  # refused once the listeners are closed
        ts = [threading.Thread(target=client, daemon=True) for _ in range(4)]
        for t in ts:
            t.start()
        time.sleep(0.5)
        code = svc.stop()
        stop.set()
        for t in ts:
            t.join(10)
        self.assertEqual(code, 0)
        self.assertTrue(statuses)
        self.assertEqual(set(statuses), {200}, "every answer given was a full answer")

    def test_sigint_also_drains(self):
        svc = self.start()
        svc.signal(signal.SIGINT)
        self.assertEqual(svc.wait(), 0)

    def test_healthz_while_draining_is_503(self):
        svc = self.start("--drain-timeout", "20", threads=1)
        s = svc.socket()
        s.sendall(b"GET /healthz HTTP/1.1\r\n" + HOST)  # in flight: headers not finished
        time.sleep(0.2)
        svc.signal(signal.SIGTERM)
        svc.wait_log("SIGTERM")
        time.sleep(0.2)
        s.sendall(b"\r\n")
        rs, closed, _ = read_all(s)
        s.close()
        self.assertError(rs[0], 503, "unavailable")
        self.assertTrue(closed)
        self.assertEqual(svc.wait(), 0)

    def test_access_log_without_query_strings(self):
        log = os.path.join(self.dir, "access.log")
        svc = self.start("--access-log", log)
        svc.get("/v1/check?q=" + SCAM_PHONE)
        svc.get("/nope")
        svc.raw(b"GET /healthz HTTP/1.1\n\n")
        self.assertEqual(svc.stop(), 0)
        with open(log, encoding="utf-8") as f:
            lines = sorted(f.read().splitlines(), key=lambda l: l.split('"')[1])
        self.assertEqual(len(lines), 3, lines)  # each worker writes its own lines: sort them
        self.assertRegex(lines[2], r'^\d{4}-\d\d-\d\dT\S+Z 127\.0\.0\.1 "GET /v1/check HTTP/1\.1" '
                                   r'200 \d+ \d+$')
        self.assertIn('"GET /nope HTTP/1.1" 404', lines[1])
        self.assertRegex(lines[0], r' "-" 400 ')
        self.assertNotIn(SCAM_PHONE, "\n".join(lines))

    def test_many_threads_many_connections(self):
        svc = self.start(threads=4)
        results = []

        def client():
            for _ in range(25):
                r = svc.get("/v1/check?q=" + SCAM_PHONE)
                results.append((r.status, r.json()["verdict"]))
        ts = [threading.Thread(target=client) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        self.assertEqual(results, [(200, "scam")] * 200)
        self.assertEqual(svc.get("/v1/info").json()["service"]["threads"], 4)
        self.assertEqual(svc.stop(), 0)


class CommandLine(fidxsvc.ServiceTest):
    def test_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for flag in ["--snapshot", "--listen", "--threads", "--max-header-bytes",
                     "--max-body-bytes", "--max-batch", "--max-connections", "--header-timeout",
                     "--idle-timeout", "--access-log"]:
            self.assertIn(flag, r.stdout)

    def test_usage_errors_exit_2(self):
        for args in [[], ["--snapshot"], ["--bogus"], ["--snapshot", self.snapshot, "extra"],
                     ["--snapshot", self.snapshot, "--threads", "0"],
                     ["--snapshot", self.snapshot, "--max-body-bytes", "lots"],
                     ["--snapshot", self.snapshot, "--header-timeout", "-1"],
                     ["--snapshot", self.snapshot, "--listen", "nowhere"],
                     ["--snapshot", self.snapshot, "--listen", "127.0.0.1:99999"]]:
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 2, r)
                self.assertTrue(r.stderr.strip())

    def test_runtime_failures_exit_1_with_a_reason(self):
        bad = os.path.join(self.dir, "bad.fidx")
        with open(bad, "wb") as f:
            f.write(b"not a snapshot at all")
        for args, reason in [
                (["--snapshot", os.path.join(self.dir, "missing.fidx")], "missing.fidx"),
                (["--snapshot", bad], "bad.fidx"),
                (["--snapshot", self.snapshot, "--listen", "192.0.2.1:1"], "192.0.2.1"),
                (["--snapshot", self.snapshot, "--listen", "127.0.0.1:0", "--access-log",
                  os.path.join(self.dir, "no", "such", "dir.log")], "access log")]:
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 1, r)
                self.assertIn(reason, r.stderr)
                self.assertNotRegex(r.stderr, r"^\s*$")


if __name__ == "__main__":
    fidxsvc.main()
