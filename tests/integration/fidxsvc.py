"""Shared helpers for the fraudidx-service integration tests (tests/integration/test_*.py).

Each test starts the real binary ($FIDX_SERVICE) on 127.0.0.1 with --listen 127.0.0.1:0 and
reads the port from its "listening on 127.0.0.1:PORT" log line; snapshots are built at test time
with the real indexer ($FIDX_INDEXER) from CSV written by the test. Clients are Python's own
(http.client, socket): no mock anywhere. Standard library only.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SERVICE = os.environ.get("FIDX_SERVICE")
INDEXER = os.environ.get("FIDX_INDEXER")
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))

START_TIMEOUT = 15  # seconds for the service to print its listening line
STOP_TIMEOUT = 20  # seconds for SIGTERM to end it
IO_TIMEOUT = 10  # any single read from the service

# Known indicators; tests assert verdicts against these.
BASE_CSV = """kind,value,status,categories,source,reports,first_seen,last_seen
phone,0912345678,confirmed,impersonation,police,12,2024-03-01,2024-04-02
phone,0987654321,reported,task_job,community,3,2024-05-01,2024-05-02
domain,evil.example,confirmed,phishing,police,5,2024-01-01,2024-02-01
url,https://bad.example/login,reported,phishing,community,2,2024-01-01,2024-01-02
email,scam@example.com,reported,romance,community,1,2024-01-01,2024-01-01
bank_account,Vietcombank 0123456789,confirmed,investment,bank,4,2024-01-01,2024-01-01
"""
BASE_COUNTS = {"phone": 2, "domain": 1, "url": 1, "email": 1, "bank_account": 1,
               "social_account": 0}

# The same phone, allowlisted: a reload to this snapshot flips its verdict to "safe".
FLIPPED_CSV = """kind,value,status,categories,source,reports
phone,0912345678,allowlisted,,official,1
"""

SCAM_PHONE = "0912345678"
CANON_SCAM_PHONE = "+84912345678"


def require_binaries():
    if not SERVICE or not INDEXER:
        sys.exit("FIDX_SERVICE and FIDX_INDEXER are not set: run these tests through ctest "
                 "(label integration)")


def build_snapshot(directory, name, csv_text):
    """Builds DIR/NAME.fidx from csv_text with the real indexer; returns its path."""
    require_binaries()
    src = os.path.join(directory, name + ".csv")
    out = os.path.join(directory, name + ".fidx")
    with open(src, "w", encoding="utf-8") as f:
        f.write(csv_text)
    proc = subprocess.run([INDEXER, "build", "-o", out, src], capture_output=True, text=True,
                          timeout=60)
    if proc.returncode != 0:
        raise AssertionError("indexer build failed: %s" % proc.stderr)
    return out


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value (last one wins)
        self.body = body

    def json(self):
        # Strict: the body must be UTF-8 and valid JSON.
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "Response(%d, %r, %r)" % (self.status, self.headers, self.body[:300])


def parse_responses(data, head_flags=None):
    """Splits raw bytes into HTTP/1.1 responses (Content-Length framed; 1xx have no body).
    head_flags[i] tells that the i-th final response answers a HEAD request (no body).
    Returns (responses, rest)."""
    out = []
    final_index = 0
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return out, data
        head = data[:end].decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3}) ", head[0] + " ")
        if not m:
            raise AssertionError("not an HTTP response: %r" % data[:200])
        status = int(m.group(1))
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if status < 200:
            length = 0
        elif head_flags and final_index < len(head_flags) and head_flags[final_index]:
            length = 0
        if len(data) < end + 4 + length:
            return out, data
        out.append(Response(status, headers, data[end + 4:end + 4 + length]))
        if status >= 200:
            final_index += 1
        data = data[end + 4 + length:]


def read_all(sock, timeout=IO_TIMEOUT, until_responses=None, head_flags=None):
    """Reads until EOF, timeout, or until_responses final responses are in.
    Returns (responses, closed_by_server, leftover_bytes)."""
    sock.settimeout(timeout)
    data = b""
    closed = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
        if until_responses is not None:
            rs, _ = parse_responses(data, head_flags)
            if len([r for r in rs if r.status >= 200]) >= until_responses:
                break
    rs, rest = parse_responses(data, head_flags)
    return rs, closed, rest


class Service:
    """One running fraudidx-service process."""

    def __init__(self, snapshot, *args, threads=2, prefix=()):
        """prefix: a command the service runs under, e.g. ("prlimit", "--nofile=256", "--")."""
        require_binaries()
        args = [str(a) for a in args]
        if "--data-dir" not in args and "--repair-wal" not in args:
            # Its own data directory: tests run side by side, and only one process may hold
            # a directory (the default, ./fraudidx-data, would be shared).
            self._data = tempfile.TemporaryDirectory(prefix="fidx-data-")
            args += ["--data-dir", self._data.name]
        self.argv = list(prefix) + [SERVICE, "--snapshot", snapshot, "--listen", "127.0.0.1:0",
                                    "--threads", str(threads)] + args
        self.lines = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self.port = self._wait_port()
        self.host = "127.0.0.1"

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _wait_port(self):
        deadline = time.monotonic() + START_TIMEOUT
        with self._cond:
            while time.monotonic() < deadline:
                for line in self.lines:
                    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                    if m:
                        return int(m.group(1))
                if self.proc.poll() is not None and not self._reader.is_alive():
                    break
                self._cond.wait(0.2)
        self.kill()
        raise AssertionError("the service did not start: %s" % "".join(self.lines))

    def log(self):
        with self._cond:
            return "".join(self.lines)

    def wait_log(self, pattern, timeout=10, count=1):
        """Waits until pattern (regex) occurs count times in the log; returns the log."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while time.monotonic() < deadline:
                text = "".join(self.lines)
                if len(re.findall(pattern, text)) >= count:
                    return text
                self._cond.wait(0.1)
        raise AssertionError("no %r in the log within %ss:\n%s" % (pattern, timeout, self.log()))

    # -- clients --

    def connection(self, timeout=IO_TIMEOUT):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        own = conn is None
        c = conn or self.connection()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            if own:
                c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path, obj, **kw):
        headers = {"Content-Type": "application/json"}
        headers.update(kw.pop("headers", {}) or {})
        return self.request("POST", path, body=json.dumps(obj).encode(), headers=headers, **kw)

    def socket(self):
        return socket.create_connection((self.host, self.port), timeout=IO_TIMEOUT)

    def raw(self, data, timeout=IO_TIMEOUT, until_responses=None, head_flags=None):
        """Sends data on a new connection and reads the answers."""
        s = self.socket()
        try:
            s.sendall(data)
            return read_all(s, timeout, until_responses, head_flags)
        finally:
            s.close()

    # -- lifecycle --

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for the process to end (a signal was sent already); returns the exit code."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the service did not exit within %ss" % timeout)
        self._reader.join(5)
        self.proc.stderr.close()
        self.check_log_clean()
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(5)
        self.proc.stderr.close()

    def check_log_clean(self):
        text = self.log()
        if "Sanitizer" in text or "runtime error:" in text:
            raise AssertionError("a sanitizer fired in the service:\n" + text)

    def metrics(self):
        """GET /metrics parsed into {(name, frozenset(labels)): value}."""
        r = self.get("/metrics")
        assert r.status == 200, r
        out = {}
        for line in r.body.decode("utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$', line)
            assert m, "not Prometheus text exposition: %r" % line
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
            out[(m.group(1), labels)] = float(m.group(4))
        return out


class ServiceTest(unittest.TestCase):
    """A test case with its own temporary directory and the base snapshot built in it."""

    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="fidx-it-")
        self.dir = self._tmp.name
        self.snapshot = build_snapshot(self.dir, "base", BASE_CSV)
        self.services = []

    def tearDown(self):
        for s in self.services:
            s.kill()
            s.check_log_clean()
        self._tmp.cleanup()

    def start(self, *args, snapshot=None, threads=2, prefix=()):
        s = Service(snapshot or self.snapshot, *args, threads=threads, prefix=prefix)
        self.services.append(s)
        return s

    def assertError(self, r, status, code):
        """An error response as the contract has it: status, JSON, {"error":{code,message}}."""
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"), r)
        body = r.json()
        self.assertEqual(set(body), {"error"}, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"], body)
        return body["error"]["message"]


class BackgroundLoad:
    """Client threads for tests that change the service under load: each keeps a keep-alive
    connection and calls self.request(i, conn) until stopped; each answer is kept in
    self.results, each failure in self.failures (and the connection replaced). Subclasses say
    what a request is. Use as a context manager: the threads run inside the `with`."""

    def __init__(self, svc, threads):
        self.svc = svc
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.failures, self.results = [], []
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(threads)]

    def request(self, i, conn):
        raise NotImplementedError

    def _run(self, i):
        conn = self.svc.connection()
        while not self.stop.is_set():
            try:
                v = self.request(i, conn)
                with self.lock:
                    self.results.append(v)
            except Exception as e:  # every failure is a test failure, reported by the test
                with self.lock:
                    self.failures.append(repr(e))
                conn.close()
                conn = self.svc.connection()
        conn.close()

    def answered(self):
        with self.lock:
            return len(self.results)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(30)


def main():
    require_binaries()
    unittest.main(verbosity=2)
