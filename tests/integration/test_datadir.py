#!/usr/bin/env python3
"""The data directory under careless operators (issue 12): two processes on one directory,
a directory whose parents do not exist, a log that cannot be written any more.

- Two processes on one directory: only the one holding its lock writes into it; the other
  answers reports 503 `read_only` with Retry-After, and takes the directory over once the
  first has stopped. Before, both appended to reports.jsonl and each cut the file back to the
  size it remembered when a write failed: acknowledged reports of the other vanished.
- --data-dir a/b/c with a/b missing: created (0700), not refused.
- The write-ahead log failed (here: a file size limit, ulimit -f): /healthz answers 503, the
  status says writable false, /metrics has fraudidx_wal_failed 1. Before, all three said
  everything was fine.
Standard library only; the size limit is set with util-linux's prlimit.
"""
import os
import shutil
import stat
import threading
import time

import fidxsvc
from test_admin_common import AdminTest, csv_rows, phone


def report(svc, n):
    return svc.post_json("/v1/reports", {"kind": "phone", "value": phone(n),
                                         "category": "impersonation"})


def report_lines(data):
    path = os.path.join(data, "reports.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        raw = f.read()
    assert raw == b"" or raw.endswith(b"\n"), raw[-80:]
    return raw.decode("utf-8").splitlines()


class TwoProcesses(fidxsvc.ServiceTest):
    def test_only_the_lock_holder_writes_and_the_other_takes_over(self):
        data = os.path.join(self.dir, "data")
        first = self.start("--data-dir", data, "--report-burst", "1000")
        second = self.start("--data-dir", data, "--report-burst", "1000")
        second.wait_log(r"in use by another fraudidx-service")

        # The second refuses reports, saying when to come back; the first takes them.
        r = report(second, 1)
        self.assertError(r, 503, "read_only")
        self.assertIn("retry-after", r.headers)
        accepted = []
        lock = threading.Lock()

        def send(svc, base):
            for i in range(40):
                r = report(svc, base + i)
                if r.status == 202:
                    with lock:
                        accepted.append(r.json()["id"])

        threads = [threading.Thread(target=send, args=(s, b))
                   for s, b in ((first, 100), (second, 200), (first, 300))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(accepted), 80)
        ids = {line.split('"id":"')[1][:29] for line in report_lines(data)}
        self.assertEqual(ids, set(accepted))

        # The first stops: the second takes the directory over and accepts reports again.
        self.assertEqual(first.stop(), 0)
        second.wait_log(r"took the data directory .* over", timeout=15)
        r = report(second, 999)
        self.assertEqual(r.status, 202, r)
        accepted.append(r.json()["id"])
        ids = {line.split('"id":"')[1][:29] for line in report_lines(data)}
        self.assertEqual(ids, set(accepted))

    def test_the_second_stops_cleanly_while_waiting_for_the_directory(self):
        # Its takeover timer is closed on the way out (under the sanitizers, a handle left
        # open leaked the main loop).
        data = os.path.join(self.dir, "data")
        self.start("--data-dir", data)
        second = self.start("--data-dir", data)
        second.wait_log(r"in use by another fraudidx-service")
        self.assertEqual(second.stop(), 0, second.log())
        second.check_log_clean()

    def test_a_second_writer_with_tokens_is_refused(self):
        data = os.path.join(self.dir, "data")
        tokens = os.path.join(self.dir, "tokens")
        with open(tokens, "w") as f:
            f.write("lan 0123456789abcdef0123\n")
        os.chmod(tokens, 0o600)
        self.start("--data-dir", data)  # holds the lock, without tokens
        proc = fidxsvc.subprocess.run(
            [fidxsvc.SERVICE, "--snapshot", self.snapshot, "--listen", "127.0.0.1:0",
             "--data-dir", data, "--tokens", tokens], capture_output=True, text=True,
            timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("in use by another fraudidx-service", proc.stderr)


class MissingParents(AdminTest):
    def test_data_dir_parents_are_created(self):
        data = os.path.join(self.dir, "a", "b", "c")
        svc = self.start("--data-dir", data, "--tokens", self.tokens)
        self.assertEqual(report(svc, 1).status, 202)
        self.assertEqual(self.add(svc, csv_rows([phone(1)])).status, 200)
        for d in (os.path.join(self.dir, "a"), os.path.join(self.dir, "a", "b"), data):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700, d)


class FailedLog(AdminTest):
    def test_a_failed_log_shows_in_healthz_status_and_metrics(self):
        if not shutil.which("prlimit"):
            self.skipTest("prlimit (util-linux) is not installed")
        svc = self.start_admin(prefix=("prlimit", "--fsize=200000", "--"))
        self.assertEqual(svc.get("/healthz").status, 200)
        self.assertEqual(svc.metrics()[("fraudidx_wal_failed", frozenset())], 0)
        # Upload until the log can grow no more (about 45 bytes a row).
        refused = None
        for batch in range(60):
            r = self.add(svc, csv_rows([phone(batch * 500 + i) for i in range(500)]))
            if r.status != 200:
                refused = r
                break
        self.assertIsNotNone(refused, "the log never filled up")
        self.assertError(refused, 503, "unavailable")
        self.assertIn("retry-after", refused.headers)
        h = svc.get("/healthz")
        self.assertError(h, 503, "unavailable")
        self.assertIn("retry-after", h.headers)
        status = self.admin(svc, "GET", "/v1/admin/status").json()
        self.assertIs(status["writable"], False)
        self.assertEqual(svc.metrics()[("fraudidx_wal_failed", frozenset())], 1)
        # Lookups still answer.
        self.assertEqual(svc.get("/v1/check?q=0912345678").status, 200)


if __name__ == "__main__":
    fidxsvc.unittest.main(verbosity=2)
