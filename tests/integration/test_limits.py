#!/usr/bin/env python3
"""The service out of file descriptors (issue 12): under a low `ulimit -n` and more clients
than descriptors, it caps its connection limit at start, does not flood its log or stop
answering, recovers by itself once clients leave, and one SIGTERM stops it.

Before the fix, with 400 keep-alive clients against a limit of 256, both workers spun in
libuv's accept loop writing "accept failed: too many open files" without pause (18 GB of
log in 4 minutes), new clients timed out even after the others closed, and SIGTERM had to be
sent twice. Standard library only; the limit is set with util-linux's prlimit.
"""
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fidxsvc  # noqa: E402

NOFILE = 256
CLIENTS = 400


def open_clients(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        socks.append(s)
    return socks


class OutOfDescriptors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("prlimit"):
            raise unittest.SkipTest("prlimit (util-linux) is not installed")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.snap = fidxsvc.build_snapshot(cls.tmp.name, "base", fidxsvc.BASE_CSV)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def start(self, *args):
        svc = fidxsvc.Service(self.snap, "--data-dir", os.path.join(self.tmp.name, "d"), *args,
                              prefix=("prlimit", "--nofile=%d:%d" % (NOFILE, NOFILE), "--"))
        self.addCleanup(svc.kill)
        return svc

    def test_connection_limit_is_capped_to_the_descriptors(self):
        svc = self.start()
        log = svc.wait_log(r"--max-connections lowered from 10000 to \d+")
        capped = int(re.search(r"lowered from 10000 to (\d+)", log).group(1))
        self.assertLess(capped, NOFILE)
        info = svc.get("/v1/info").json()
        self.assertEqual(info["service"]["limits"]["max_connections"], capped)

    def test_more_clients_than_descriptors(self):
        # The connection limit is set above what the descriptors allow, as an operator might
        # with a bigger ulimit in mind: the cap keeps it in bounds.
        svc = self.start("--max-connections", "100000")
        socks = []
        try:
            # Keep-alive clients that each send a request and wait: more than descriptors.
            for _ in range(CLIENTS):
                try:
                    s = socket.create_connection(("127.0.0.1", svc.port), timeout=5)
                except OSError:
                    break  # the kernel's backlog is full: enough pressure
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                socks.append(s)
            time.sleep(1.5)  # let the workers see them all (not an assertion)
            self.assertIsNone(svc.proc.poll(), "the service died:\n" + svc.log())
        finally:
            for s in socks:
                s.close()
        # Once the clients are gone, a new one is answered, without a restart.
        deadline = time.monotonic() + 20
        answered = None
        while time.monotonic() < deadline:
            try:
                answered = svc.get("/healthz")
                if answered.status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        self.assertIsNotNone(answered, svc.log())
        self.assertEqual(answered.status, 200)
        # Repeated failures are logged at most about once a second, with a count.
        log = svc.log()
        lines = [ln for ln in log.splitlines() if "accept" in ln]
        self.assertLess(len(lines), 60, "the log is flooded:\n" + "\n".join(lines[:20]))
        # One SIGTERM is enough.
        self.assertEqual(svc.stop(timeout=fidxsvc.STOP_TIMEOUT), 0, svc.log())

    def test_sigterm_once_while_out_of_descriptors(self):
        svc = self.start("--max-connections", "100000")
        socks = []
        try:
            for _ in range(CLIENTS):
                try:
                    socks.append(socket.create_connection(("127.0.0.1", svc.port), timeout=5))
                except OSError:
                    break
            time.sleep(1)
            self.assertEqual(svc.stop(timeout=fidxsvc.STOP_TIMEOUT), 0, svc.log())
        finally:
            for s in socks:
                s.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
