"""Replication behind HAProxy on one machine (issue 18; docs/DEPLOY.md, "Readers";
docs/OPERATIONS.md, "Replication"): deploy/haproxy/haproxy.cfg, unchanged, in front of a
writer and two readers that follow it (--follow), all on loopback ports. In order:

  1. 100,000 rows loaded through the proxy reach both readers, every one of them;
  2. under a steady stream of lookups through the proxy, kill -9 of a reader fails none;
     the writer takes more rows meanwhile; the reader, restarted, catches up and the proxy
     puts it back;
  3. kill -9 of the writer: the readers keep answering (the proxy falls back to them once
     they lag past --max-lag, on /healthz?stale=ok) and report their lag;
  4. the reader that holds the most is promoted (its directory, --tokens, the writer's
     address): writes go on through the proxy and the other reader follows it;
  and, on its own, with --sync-replicas 1, kill -9 of the writer in the middle of a stream of
  writes: every write the writer acknowledged is on the reader.

Bounded: about a minute. Conditions are awaited with bounded loops, never timed."""

import json
import os
import signal
import tempfile
import threading
import time
import unittest

import deploykit as dk
from test_haproxy import HAProxy

ROWS = 100000
BATCH = 25000       # rows per upload
CHECK = 1000        # values per lookup batch
MORE = 1000         # rows written while a reader is down
WAIT = 30           # seconds any condition may take at most
LOAD_THREADS = 4
# Seconds: the readers drain themselves soon after the writer dies. Not less: a reader killed
# while the other one lags (a loaded machine, a sanitizer build) leaves HAProxy no server to
# redispatch to until the health checks see the dead one (the backup writer is not used while
# a dead reader still counts as up).
MAX_LAG = "5"


def phone(n):
    return "+84987%06d" % n  # not in the sample data (which has +8491…)


def csv_rows(values):
    return ("kind,value,status,categories,source\n" +
            "".join("phone,%s,confirmed,impersonation,police\n" % v for v in values)).encode()


class ReplicationTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        dk.require("haproxy", "openssl")
        cls._tmp = tempfile.TemporaryDirectory(prefix="fidx-replication-")
        d = cls.dir = cls._tmp.name
        cls.snapshot = dk.sample_snapshot(d)
        cls.tokens = dk.tokens_file(d)
        cls.follow_token = os.path.join(d, "follow-token")
        fd = os.open(cls.follow_token, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, dk.SAMPLE_TOKEN.encode() + b"\n")
        os.close(fd)
        cls.cert, _, cls.combined = dk.self_signed_cert(d)
        cls.ctx = dk.tls_context(cls.cert)
        cls.services = []

    @classmethod
    def tearDownClass(cls):
        for s in cls.services:
            s.kill()
            s.check_log_clean()
        cls._tmp.cleanup()

    # -- processes --

    def start(self, *args, threads=1):
        s = dk.fidxsvc.Service(self.snapshot, *args, threads=threads)
        self.services.append(s)
        return s

    def start_writer(self, name, *args, port=0):
        return self.start("--tokens", self.tokens, "--data-dir", os.path.join(self.dir, name),
                          "--report-rate", "0", "--listen", "127.0.0.1:%d" % port, *args,
                          threads=2)

    def start_reader(self, name, writer_port, port=0):
        return self.start("--follow", "http://127.0.0.1:%d" % writer_port, "--follow-token-file",
                          self.follow_token, "--data-dir", os.path.join(self.dir, name),
                          "--listen", "127.0.0.1:%d" % port, "--max-lag", MAX_LAG)

    @staticmethod
    def kill9(svc):
        svc.proc.send_signal(signal.SIGKILL)
        svc.proc.wait(10)
        svc.kill()

    def wait_for(self, what, cond, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            time.sleep(0.05)
        self.fail("not within %ss: %s" % (timeout, what))

    phase = "start"
    haproxy = None

    def haproxy_states(self):
        """The proxy's view of its servers, for a failure's message."""
        try:
            return {"%s/%s" % k: v[0] for k, v in self.haproxy.servers().items()}
        except Exception as e:  # the message is what matters
            return repr(e)

    # -- calls --

    def proxy(self, method, path, body=None, headers=None):
        import http.client
        c = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.ctx,
                                        timeout=60)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return dk.fidxsvc.Response(r.status, {k.lower(): v for k, v in r.getheaders()},
                                       r.read())
        finally:
            c.close()

    def upload(self, via, values):
        headers = {"Authorization": "Bearer " + dk.SAMPLE_TOKEN, "Content-Type": "text/csv"}
        if via == "proxy":
            r = self.proxy("POST", "/v1/admin/indicators", csv_rows(values), headers)
        else:
            r = via.request("POST", "/v1/admin/indicators", body=csv_rows(values),
                            headers=headers)
        return r

    def durable(self, writer):
        r = writer.get("/v1/admin/status",
                       headers={"Authorization": "Bearer " + dk.SAMPLE_TOKEN})
        self.assertEqual(r.status, 200, r)
        return r.json()["wal"]["durable_seq"]

    @staticmethod
    def applied(reader):
        return reader.metrics()[("fraudidx_replica_applied_seq", frozenset())]

    def all_scam(self, svc, values):
        """Every value is a scam on svc (POST /v1/check, CHECK at a time)."""
        bad = []
        for i in range(0, len(values), CHECK):
            r = svc.post_json("/v1/check", {"items": values[i:i + CHECK]})
            self.assertEqual(r.status, 200, r)
            bad += [x["query"] for x in r.json()["results"] if x.get("verdict") != "scam"]
        self.assertEqual(bad[:10], [], "%d values not on %s" % (len(bad), svc.port))

    # -- the scenario --

    def test_1_writer_readers_behind_haproxy(self):
        writer = self.start_writer("writer")
        rports = [dk.free_port(), dk.free_port()]
        readers = [self.start_reader("reader%d" % (i + 1), writer.port, rports[i])
                   for i in range(2)]
        self.https_port, http_port = dk.free_port(), dk.free_port()
        env = {"FRAUDIDX_READER1": "127.0.0.1:%d" % rports[0],
               "FRAUDIDX_READER2": "127.0.0.1:%d" % rports[1],
               "FRAUDIDX_WRITER": "127.0.0.1:%d" % writer.port,
               "FRAUDIDX_HTTPS_BIND": "127.0.0.1:%d" % self.https_port,
               "FRAUDIDX_HTTP_BIND": "127.0.0.1:%d" % http_port,
               "FRAUDIDX_TLS_CERT": self.combined,
               "FRAUDIDX_HAPROXY_SOCKET": os.path.join(self.dir, "admin.sock"),
               "FRAUDIDX_HAPROXY_LOG": "stdout"}
        haproxy = self.haproxy = HAProxy(self.dir, env)
        self.addCleanup(haproxy.stop)
        for server in ("reader1", "reader2"):
            haproxy.wait_status("fraudidx_readers", server, "UP", timeout=WAIT)
        haproxy.wait_status("fraudidx_writer", "writer", "UP", timeout=WAIT)

        # 1. 100,000 rows through the proxy, then on both readers, every one.
        values = [phone(i) for i in range(ROWS)]
        t0 = time.monotonic()
        for i in range(0, ROWS, BATCH):
            r = self.upload("proxy", values[i:i + BATCH])
            self.assertEqual((r.status, r.json()["accepted"]), (200, BATCH), r)
        want = self.durable(writer)
        for rd in readers:
            self.wait_for("reader on %d has %d" % (rd.port, want),
                          lambda rd=rd: self.applied(rd) >= want)
        print("%d rows loaded through HAProxy and on both readers in %.1f s"
              % (ROWS, time.monotonic() - t0))
        for rd in readers:
            self.all_scam(rd, values)

        with Lookups(self, values) as load:
            load.wait_answered(50)
            # 2. kill -9 of reader1 under lookups; more rows meanwhile; it comes back.
            self.phase = "reader1 killed"
            self.kill9(readers[0])
            haproxy.wait_status("fraudidx_readers", "reader1", "DOWN", timeout=WAIT)
            more = [phone(ROWS + i) for i in range(MORE)]
            r = self.upload("proxy", more)
            self.assertEqual(r.status, 200, r)
            load.wait_answered(load.answered() + 50)
            readers[0] = self.start_reader("reader1", writer.port, rports[0])
            self.assertNotIn("holds no snapshot yet", readers[0].log())
            want = self.durable(writer)
            self.wait_for("reader1 caught up", lambda: self.applied(readers[0]) >= want)
            haproxy.wait_status("fraudidx_readers", "reader1", "UP", timeout=WAIT)
            self.all_scam(readers[0], more)
            load.wait_answered(load.answered() + 50)

            # 3. kill -9 of the writer: the readers keep answering and report their lag.
            self.phase = "writer killed"
            self.kill9(writer)
            for name in ("reader1", "reader2"):  # lagging past --max-lag: out of rotation
                haproxy.wait_status("fraudidx_readers", name, "DOWN", timeout=WAIT)
            n = load.answered()
            load.wait_answered(n + 100)  # now through the stale fallback
            for rd in readers:
                lag = rd.metrics()[("fraudidx_replica_lag_seconds", frozenset())]
                self.assertGreater(lag, float(MAX_LAG))
                self.assertEqual(rd.get("/healthz").status, 503)

            # 4. Promote the reader that holds the most, where the writer was; the other one
            # follows it (its --follow names that address) and writes go on.
            self.phase = "promotion"
            applied = [self.applied(rd) for rd in readers]
            keep = applied.index(max(applied))
            other = readers[1 - keep]
            self.assertEqual(readers[keep].stop(), 0)
            promoted = self.start_writer("reader%d" % (keep + 1), port=writer.port)
            self.assertIn("promoted:", promoted.log())
            haproxy.wait_status("fraudidx_writer", "writer", "UP", timeout=WAIT)
            after = [phone(ROWS + MORE + i) for i in range(100)]
            r = self.upload("proxy", after)
            self.assertEqual(r.status, 200, r)
            want = self.durable(promoted)
            self.wait_for("the other reader follows the promoted one",
                          lambda: self.applied(other) >= want)
            self.all_scam(other, after)
            haproxy.wait_status("fraudidx_readers", "reader%d" % (2 - keep), "UP", timeout=WAIT)
            load.wait_answered(load.answered() + 50)
        self.assertEqual(load.failures, [], "lookups failed through the proxy")
        print("%d lookups through HAProxy across a reader's kill -9, the writer's and a "
              "promotion, 0 failed" % load.answered())

    def test_2_sync_replicas_kill9_of_the_writer(self):
        writer = self.start_writer("sync-writer", "--sync-replicas", "1",
                                   "--sync-timeout-ms", "10000")
        reader = self.start_reader("sync-reader", writer.port)
        self.wait_for("reader current", lambda: reader.get("/healthz").status == 200)
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def write(wid):
            conn, n = writer.connection(timeout=15), 0
            while not stop.is_set():
                v = phone(500000 + wid * 100000 + n)
                n += 1
                try:
                    r = writer.request("POST", "/v1/admin/indicators", body=csv_rows([v]),
                                       headers={"Authorization": "Bearer " + dk.SAMPLE_TOKEN,
                                                "Content-Type": "text/csv"}, conn=conn)
                except Exception:  # the writer is gone
                    return
                if r.status == 200:
                    with lock:
                        acked.append(v)
            conn.close()

        ts = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(4)]
        for t in ts:
            t.start()
        self.wait_for("300 acknowledged writes", lambda: len(acked) >= 300)
        self.kill9(writer)  # while the writers still send
        stop.set()
        for t in ts:
            t.join(30)
        with lock:
            done = list(acked)
        self.all_scam(reader, done)  # at once: acknowledged means applied on the reader
        print("%d writes acknowledged with --sync-replicas 1 before kill -9, all on the reader"
              % len(done))


class Lookups(dk.fidxsvc.BackgroundLoad):
    """LOAD_THREADS clients on keep-alive TLS connections to HAProxy, each looking up one of
    the loaded values in turn (GET /v1/check); anything but 200 "scam" is a failure."""

    def __init__(self, test, values):
        super().__init__(None, LOAD_THREADS)
        self.test, self.values = test, values
        self.svc = self
        self.started = time.monotonic()

    def connection(self):
        import http.client
        return http.client.HTTPSConnection("127.0.0.1", self.test.https_port,
                                           context=self.test.ctx, timeout=10)

    def request(self, i, conn):
        v = self.values[(len(self.results) * 7919 + i) % len(self.values)]
        conn.request("GET", "/v1/check?q=" + v.replace("+", "%2B"))
        r = conn.getresponse()
        body = r.read()
        if r.status != 200 or json.loads(body)["verdict"] != "scam":
            raise AssertionError("%s at %.1f s: %d %r; servers: %s" % (
                self.test.phase, time.monotonic() - self.started, r.status, body[:120],
                self.test.haproxy_states()))
        return r.status

    def wait_answered(self, n, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while self.answered() < n:
            if time.monotonic() > deadline:
                raise AssertionError("only %d lookups answered (%d wanted); failures: %s"
                                     % (self.answered(), n, self.failures[:5]))
            time.sleep(0.05)


if __name__ == "__main__":
    dk.main()
