"""deploy/haproxy/haproxy.cfg, unchanged, run by Debian's HAProxy in the foreground on free
loopback ports, in front of two fraudidx-service readers on the sample snapshot and a writer
(--tokens, its own data directory). Only the environment variables the file reads are set
(addresses, the test's self-signed certificate, the stats socket). Clients are Python's
http.client over TLS.

Checks: lookups, scans and the page answer through the proxy and are spread over both readers;
the analysts' API and reports reach the writer only; plain HTTP is redirected; /metrics is not
public; reports are limited per client; and kill -9 of a reader under a steady stream of
lookups fails none of them, the health checks take the reader out and, once it is restarted,
put it back."""

import csv
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import deploykit as dk

LOAD_THREADS = 4
LOAD_MAX_SECONDS = 40  # the stream of lookups stops by itself after this, whatever happens
REPORT = {"kind": "phone", "value": "0912345678", "category": "impersonation",
          "description": "deploy test"}


class HAProxy:
    """HAProxy on deploy/haproxy/haproxy.cfg with the environment given."""

    def unusual_lines(self):
        """HAProxy's log lines of requests not answered 200 (to tell why a client failed)."""
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(ln for ln in lines if " 200 " not in ln)[-4000:]

    def __init__(self, directory, env):
        cfg = os.path.join(dk.DEPLOY, "haproxy", "haproxy.cfg")
        if os.geteuid() != 0:  # chroot and the switch to user haproxy need root
            with open(cfg) as f:
                text = f.read()
            for line in ("    chroot /var/lib/haproxy\n", "    user haproxy\n",
                         "    group haproxy\n"):
                text = text.replace(line, "")
            cfg = os.path.join(directory, "haproxy.cfg")
            with open(cfg, "w") as f:
                f.write(text)
        self.socket_path = env["FRAUDIDX_HAPROXY_SOCKET"]
        self.log_path = os.path.join(directory, "haproxy.log")
        self.log = open(self.log_path, "wb")
        dk.run(["haproxy", "-c", "-f", cfg], env=dict(os.environ, **env))
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", cfg], env=dict(os.environ, **env),
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def command(self, line):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.socket_path)
            s.sendall(line.encode() + b"\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data.decode()
                data += chunk

    def servers(self):
        """{(backend, server): (status, last check)} from `show stat`."""
        text = self.command("show stat").lstrip("# ")
        out = {}
        for row in csv.DictReader(io.StringIO(text)):
            if row["svname"] not in ("FRONTEND", "BACKEND"):
                out[(row["pxname"], row["svname"])] = (row["status"], row["check_status"])
        return out

    def wait_status(self, backend, server, status, timeout=15):
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("haproxy exited:\n" + self.output())
            try:
                seen = self.servers().get((backend, server))
            except OSError:
                seen = None  # the socket is not there yet
            # UP counts once a health check has passed, not from HAProxy's start.
            if seen and seen[0] == status and (status != "UP" or seen[1] == "L7OK"):
                return
            time.sleep(0.1)
        raise AssertionError("%s/%s not %s within %ss (last: %s)" % (backend, server, status,
                                                                   timeout, seen))

    def output(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)  # soft stop
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def lookups(svc, kind="phone", verdict="scam"):
    """The service's count of lookups of that kind and verdict (its own /metrics)."""
    key = ("fraudidx_lookups_total", frozenset({("kind", kind), ("verdict", verdict)}))
    return svc.metrics().get(key, 0)


def route_count(svc, route):
    return sum(v for (name, labels), v in svc.metrics().items()
               if name == "fraudidx_http_requests_total" and ("route", route) in labels)


class HAProxyTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        dk.require("haproxy", "openssl")
        cls._tmp = tempfile.TemporaryDirectory(prefix="fidx-haproxy-")
        d = cls.dir = cls._tmp.name
        cls.snapshot = dk.sample_snapshot(d)
        cls.cert, _, combined = dk.self_signed_cert(d)
        cls.services = []
        cls.writer = cls.start(["--tokens", dk.tokens_file(d), "--data-dir",
                                os.path.join(d, "writer"), "--report-rate", "0"])
        cls.reader_ports = [dk.free_port(), dk.free_port()]
        cls.readers = [cls.start_reader(i) for i in range(2)]
        cls.https_port, cls.http_port = dk.free_port(), dk.free_port()
        env = {"FRAUDIDX_READER1": "127.0.0.1:%d" % cls.reader_ports[0],
               "FRAUDIDX_READER2": "127.0.0.1:%d" % cls.reader_ports[1],
               "FRAUDIDX_WRITER": "127.0.0.1:%d" % cls.writer.port,
               "FRAUDIDX_HTTPS_BIND": "127.0.0.1:%d" % cls.https_port,
               "FRAUDIDX_HTTP_BIND": "127.0.0.1:%d" % cls.http_port,
               "FRAUDIDX_TLS_CERT": combined,
               "FRAUDIDX_HAPROXY_SOCKET": os.path.join(d, "admin.sock"),
               "FRAUDIDX_HAPROXY_LOG": "stdout"}
        cls.haproxy = HAProxy(d, env)
        for server in ("reader1", "reader2", "writer"):
            cls.haproxy.wait_status("fraudidx_readers", server, "UP")
        cls.haproxy.wait_status("fraudidx_writer", "writer", "UP")
        cls.ctx = dk.tls_context(cls.cert)

    @classmethod
    def tearDownClass(cls):
        cls.haproxy.stop()
        for s in cls.services:
            s.kill()
            s.check_log_clean()
        cls._tmp.cleanup()

    @classmethod
    def start(cls, args):
        s = dk.fidxsvc.Service(cls.snapshot, *args, threads=1)
        cls.services.append(s)
        return s

    @classmethod
    def start_reader(cls, i):
        return cls.start(["--listen", "127.0.0.1:%d" % cls.reader_ports[i], "--data-dir",
                          os.path.join(cls.dir, "reader%d" % (i + 1))])

    def connection(self):
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.ctx,
                                           timeout=dk.fidxsvc.IO_TIMEOUT)

    def request(self, method, path, body=None, headers=None, conn=None):
        c = conn or self.connection()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return dk.fidxsvc.Response(r.status, {k.lower(): v for k, v in r.getheaders()},
                                       r.read())
        finally:
            if conn is None:
                c.close()

    def test_reads_go_to_every_reader(self):
        before = [lookups(r) for r in self.readers]
        conn = self.connection()
        for _ in range(10):
            r = self.request("GET", "/v1/check?q=" + dk.SAMPLE_SCAM_PHONE, conn=conn)
            self.assertEqual((r.status, r.json()["verdict"]), (200, "scam"), r)
        body = json.dumps({"items": [dk.SAMPLE_SCAM_PHONE]}).encode()
        r = self.request("POST", "/v1/check", body, {"Content-Type": "application/json"}, conn)
        self.assertEqual(r.json()["results"][0]["verdict"], "scam", r)
        body = json.dumps({"text": "Goi ngay " + dk.SAMPLE_SCAM_PHONE}).encode()
        r = self.request("POST", "/v1/scan", body, {"Content-Type": "application/json"}, conn)
        self.assertEqual(r.json()["verdict"], "block", r)
        for path in ("/", "/static/page.css", "/healthz", "/v1/info"):
            self.assertEqual(self.request("GET", path, conn=conn).status, 200, path)
        conn.close()
        after = [lookups(r) for r in self.readers]
        for i in range(2):  # round-robin: each reader answered some of the ten
            self.assertGreater(after[i], before[i], "reader%d got no lookup" % (i + 1))
        self.assertEqual(lookups(self.writer), 0, "the writer is a backup for reads")

    def test_writes_go_to_the_writer(self):
        auth = {"Authorization": "Bearer " + dk.SAMPLE_TOKEN}
        r = self.request("GET", "/v1/admin/status", headers=auth)
        # Only the writer has tokens: a reader would answer 401.
        self.assertEqual(r.status, 200, r)
        self.assertIn("wal", r.json())
        self.assertEqual(self.request("GET", "/report").status, 200)
        for reader in self.readers:
            self.assertEqual(route_count(reader, "/v1/admin"), 0)
        self.assertGreater(route_count(self.writer, "/v1/admin"), 0)

    def test_plain_http_redirects(self):
        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        c.request("POST", "/v1/check?q=1", body=b"{}")
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"), "https://127.0.0.1:%d/v1/check?q=1"
                         % self.http_port)

    def test_metrics_are_not_public(self):
        self.assertEqual(self.request("GET", "/metrics").status, 403)

    def test_reports_limited_per_client(self):
        before = route_count(self.writer, "/v1/reports")
        body = json.dumps(REPORT).encode()
        headers = {"Content-Type": "application/json"}
        for i in range(10):
            r = self.request("POST", "/v1/reports", body, headers)
            self.assertEqual(r.status, 202, "report %d: %r" % (i + 1, r))
        # A made-up X-Forwarded-For changes nothing: the proxy counts the connection's address.
        r = self.request("POST", "/v1/reports", body, dict(headers,
                                                            **{"X-Forwarded-For": "192.0.2.7"}))
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.json()["error"]["code"], "rate_limited")
        self.assertTrue(r.headers.get("retry-after"), r)
        self.assertEqual(route_count(self.writer, "/v1/reports") - before, 10)

    def test_kill_reader_under_load(self):
        load = LookupStream(self)
        with load:
            load.wait_answered(50)
            victim = self.readers[0]
            victim.proc.kill()  # SIGKILL: no drain, connections reset
            victim.kill()
            self.haproxy.wait_status("fraudidx_readers", "reader1", "DOWN")
            load.wait_answered(load.answered() + 50)
            self.readers[0] = self.start_reader(0)
            self.haproxy.wait_status("fraudidx_readers", "reader1", "UP")
            deadline = time.monotonic() + 15
            while lookups(self.readers[0]) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
        self.assertEqual(load.failures, [], "lookups failed through the proxy; HAProxy's log of "
                         "answers other than 200:\n" + self.haproxy.unusual_lines())
        self.assertGreater(lookups(self.readers[0]), 0, "the restarted reader got no lookup")
        print("%d lookups through HAProxy while reader1 was killed and restarted, 0 failed"
              % load.answered())


class LookupStream(dk.fidxsvc.BackgroundLoad):
    """LOAD_THREADS clients, each on its own keep-alive TLS connection to HAProxy, sending
    GET and POST /v1/check in turn; an answer that is not 200 with the right verdict is a
    failure. Stops by itself after LOAD_MAX_SECONDS."""

    def __init__(self, test):
        super().__init__(None, LOAD_THREADS)
        self.test = test
        self.started = time.monotonic()
        self.svc = self  # BackgroundLoad asks self.svc for connections

    def connection(self):
        return self.test.connection()

    def request(self, i, conn):
        if time.monotonic() - self.started > LOAD_MAX_SECONDS:
            self.stop.set()
        try:
            return self.lookup(conn)
        except http.client.RemoteDisconnected:
            # A kept-alive connection closed without any answer: HAProxy does this on purpose
            # when the server connection it reused died before answering (the client then
            # knows nothing was done), and every HTTP client retries an idempotent request
            # once on a fresh connection then, as the project's own clients do. A lookup
            # that fails again is a failure.
            conn.close()
            return self.lookup(conn)

    def lookup(self, conn):
        n = len(self.results)
        if n % 2:
            r = self.test.request("GET", "/v1/check?q=" + dk.SAMPLE_SCAM_PHONE, conn=conn)
            verdict = r.json()["verdict"] if r.status == 200 else None
        else:
            body = json.dumps({"items": [dk.SAMPLE_SCAM_PHONE]}).encode()
            r = self.test.request("POST", "/v1/check", body,
                                  {"Content-Type": "application/json"}, conn)
            verdict = r.json()["results"][0]["verdict"] if r.status == 200 else None
        if verdict != "scam":
            raise AssertionError("%d %r" % (r.status, r.body[:200]))
        return r.status

    def wait_answered(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while self.answered() < n:
            if time.monotonic() > deadline or self.stop.is_set():
                raise AssertionError("only %d lookups answered (%d wanted); failures: %s"
                                     % (self.answered(), n, self.failures[:5]))
            time.sleep(0.05)


if __name__ == "__main__":
    dk.main()
