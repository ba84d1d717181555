"""Shared helpers for the deployment-kit tests (tests/deploy/test_*.py, ctest label deploy).

They drive the real tools a deployment uses (cpack, dpkg, systemd-analyze, HAProxy, nginx,
promtool) against the real programs, on loopback only, and reuse the service helpers of
tests/integration/fidxsvc.py. Standard library only.
"""

import os
import re
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(
                                os.path.abspath(__file__)))))
BUILD_DIR = os.environ.get("FIDX_BUILD_DIR")
DEPLOY = os.path.join(SOURCE_DIR, "deploy")

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
import fidxsvc  # noqa: E402  (the integration tests' helpers)

SERVICE = fidxsvc.SERVICE
INDEXER = fidxsvc.INDEXER

# A value of the sample data (data/sample/) and its verdict.
SAMPLE_SCAM_PHONE = "0910001001"
SAMPLE_TOKEN = "deploy-test-token-0123456789abcdef"


def require(*programs):
    """Fails (never skips) when a tool is missing: `make deps` installs every one."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        raise AssertionError("not installed: %s (run `make deps`)" % " ".join(missing))


def run(argv, check=True, timeout=120, **kw):
    """Runs argv, capturing output as text; with check, a non-zero exit fails with it."""
    proc = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                          timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise AssertionError("%s exited %d:\n%s%s" % (" ".join(map(str, argv)), proc.returncode,
                                                     proc.stdout, proc.stderr))
    return proc


def free_port():
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


def wait_port(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on 127.0.0.1:%d after %ss" % (port, timeout))


def sample_inputs():
    sample = os.path.join(SOURCE_DIR, "data", "sample")
    return sorted(os.path.join(sample, f) for f in os.listdir(sample)) + [
        os.path.join(SOURCE_DIR, "data", "allowlist.csv")]


def sample_snapshot(directory, indexer=None):
    """Indexes data/sample/ and data/allowlist.csv into DIR/sample.fidx; returns its path."""
    out = os.path.join(directory, "sample.fidx")
    run([indexer or INDEXER, "build", "-o", out] + sample_inputs())
    return out


def tokens_file(directory):
    """A tokens file (mode 0600) with SAMPLE_TOKEN for the analyst `deploy`."""
    path = os.path.join(directory, "tokens")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("deploy %s\n" % SAMPLE_TOKEN)
    return path


def self_signed_cert(directory):
    """A self-signed certificate for localhost and 127.0.0.1. Returns (cert, key, combined):
    nginx takes the first two, HAProxy the combined file."""
    require("openssl")
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
         cert, "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
    combined = os.path.join(directory, "combined.pem")
    with open(combined, "w") as out:
        for p in (cert, key):
            with open(p) as f:
                out.write(f.read())
    return cert, key, combined


def tls_context(cafile):
    """A client context that trusts only the test's certificate and checks the name."""
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = True
    return ctx


class Program(fidxsvc.Service):
    """fraudidx-service started with a whole argv of our choosing (an installed binary, the
    unit's command line), listening on 127.0.0.1; otherwise as fidxsvc.Service. popen: more
    subprocess.Popen arguments (user=, group=)."""

    def __init__(self, argv, **popen):  # pylint: disable=super-init-not-called
        self.argv = [str(a) for a in argv]
        self.lines = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, **popen)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self.port = self._wait_port()
        self.host = "127.0.0.1"


def exported_metrics(svc):
    """The metric families of a running service's /metrics: {name: (type, {label: {values}})},
    with a histogram's _bucket, _sum and _count listed under their own names too."""
    r = svc.get("/metrics")
    assert r.status == 200, r
    types, families = {}, {}
    for line in r.body.decode("utf-8").splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)$", line)
        if m:
            types[m.group(1)] = m.group(2)
            continue
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? \S+$", line)
        assert m, "not Prometheus text exposition: %r" % line
        labels = families.setdefault(m.group(1), {})
        for name, value in re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""):
            labels.setdefault(name, set()).add(value)
    out = {}
    for name, labels in families.items():
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        out[name] = (types.get(name, types.get(base, "untyped")), labels)
    for name, kind in types.items():  # families with no sample yet still exist
        out.setdefault(name, (kind, {}))
    return out


def main():
    fidxsvc.require_binaries()
    unittest.main(verbosity=2)
