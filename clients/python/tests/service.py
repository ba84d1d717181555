"""The real fraudidx-service for the client's tests: tests/integration/fidxsvc.py (the same
starter the integration tests use) with the sample snapshot (data/sample and the allowlist,
built once with the real indexer) and a data directory. Needs FIDX_SERVICE and FIDX_INDEXER
(ctest sets them)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
sys.path.insert(0, os.path.dirname(HERE))  # the package, uninstalled

import fidxsvc  # noqa: E402

SCAM_PHONE = "0910001001"  # confirmed, police (data/sample/indicators.csv)
REPORTED_PHONE = "0700.001.003"  # reported, community
ANALYST_TOKEN = "client-tests-analyst-0123456789"

_sample: str | None = None
_tmp = tempfile.TemporaryDirectory(prefix="fidx-client-")


def sample_snapshot() -> str:
    """The sample snapshot, built on first use."""
    global _sample
    if _sample is None:
        fidxsvc.require_binaries()
        sample = os.path.join(SOURCE_DIR, "data", "sample")
        inputs = [os.path.join(sample, f) for f in sorted(os.listdir(sample))]
        inputs.append(os.path.join(SOURCE_DIR, "data", "allowlist.csv"))
        out = os.path.join(_tmp.name, "sample.fidx")
        p = subprocess.run([fidxsvc.INDEXER, "build", "-o", out] + inputs, capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("indexer build failed: " + p.stderr)
        _sample = out
    return _sample


def free_port() -> int:
    """A loopback port nobody listens on now, below the kernel's range for ephemeral ports:
    services started with port 0 (as every other test starts them) take their ports from that
    range, and since fraudidx-service binds with SO_REUSEPORT, a service given a port another
    one had picked would join it and share its connections instead of failing."""
    low = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below %d" % low)


def freeze(pid: int, timeout: float = 10.0) -> None:
    """Stops the process (SIGSTOP) and waits until each of its threads has stopped: kill(2)
    returns before they do, and on a busy machine a worker thread still answered a request
    sent just after it."""
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = []
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    states.append(f.read().rsplit(")", 1)[1].split()[0])
            except OSError:
                pass  # a thread that ended meanwhile
        if states and all(s in "tT" for s in states):
            return
        time.sleep(0.01)
    raise AssertionError("process %d did not stop within %.0f s" % (pid, timeout))


class ServiceCase(unittest.TestCase):
    """A test with its own temporary directory; start() runs the service on the sample
    snapshot with a data directory there (and the analysts' tokens file with tokens=True)."""

    def setUp(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="fidx-client-")
        self.dir = self._dir.name
        self.services: list[fidxsvc.Service] = []

    def tearDown(self) -> None:
        for s in self.services:
            s.kill()
            s.check_log_clean()
        self._dir.cleanup()

    def start(self, *args: object, tokens: bool = False, threads: int = 2) -> fidxsvc.Service:
        extra: list[object] = ["--data-dir", os.path.join(self.dir, "data")]
        if tokens:
            path = os.path.join(self.dir, "tokens")
            with open(path, "w", encoding="utf-8") as f:
                f.write("bot %s\n" % ANALYST_TOKEN)
            os.chmod(path, 0o600)
            extra += ["--tokens", path]
        s = fidxsvc.Service(sample_snapshot(), *(extra + list(args)), threads=threads)
        self.services.append(s)
        return s

    @staticmethod
    def url(svc: fidxsvc.Service) -> str:
        return "http://127.0.0.1:%d" % svc.port

    def stored_reports(self) -> list[str]:
        path = os.path.join(self.dir, "data", "reports.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
