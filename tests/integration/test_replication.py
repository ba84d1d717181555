"""Readers that follow one writer (docs/OPERATIONS.md, "Replication"; docs/API.md): the real
service as a writer (--tokens) and as readers (--follow) on loopback ports, each with its own
data directory. A reader bootstraps from the writer's snapshot, applies its changes, resumes
after kill -9 without fetching the snapshot again, adopts the writer's compacted snapshots and
starts again from one when the changes it lacks are gone; writes on a reader answer 503
not_writer; the replica routes check their token and their parameters, serve byte ranges,
ETags and long polls; --sync-replicas answers once a reader has the change (or 503
replication_timeout); a reader reports its lag and drains itself from /healthz; a reader is
promoted to writer and another follows it; a reader never follows another history.

Conditions are awaited with a bounded loop (a change reaches a reader one round trip after
it is durable on the writer), never with a fixed sleep or a timing assertion."""

import os
import re
import signal
import threading
import time

import fidxsvc
from test_admin_common import ROLE_TOKENS, TOKEN, AdminTest, phone

WAIT = 20  # seconds any condition may take at most (ASan builds are slow)


class ReplicaTest(AdminTest):
    def setUp(self):
        super().setUp()
        self.rtoken = os.path.join(self.dir, "replica-token")
        with open(self.rtoken, "w", encoding="utf-8") as f:
            f.write(ROLE_TOKENS["replica"] + "\n")  # a reader's token: role replica
        os.chmod(self.rtoken, 0o600)

    def start_writer(self, *args, data=None):
        data = data or self.data
        s = self.start("--data-dir", data, "--tokens", self.tokens, *args)
        s.data = data
        return s

    def start_reader(self, writer_port, name, *args, threads=2):
        data = os.path.join(self.dir, name)
        argv = ["--follow", "http://127.0.0.1:%d/" % writer_port, "--follow-token-file",
                self.rtoken, "--data-dir", data] + list(args)
        s = fidxsvc.Service(self.snapshot, *argv, threads=threads)
        self.services.append(s)
        s.data = data
        return s

    def wait_for(self, what, cond, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            v = cond()
            if v:
                return v
            time.sleep(0.02)
        self.fail("not within %ss: %s" % (timeout, what))

    def durable(self, writer):
        r = self.admin(writer, "GET", "/v1/admin/status")
        self.assertEqual(r.status, 200, r)
        return r.json()["wal"]["durable_seq"]

    def applied(self, reader):
        return reader.metrics()[("fraudidx_replica_applied_seq", frozenset())]

    def caught_up(self, reader, writer):
        want = self.durable(writer)
        self.wait_for("the reader has change %d" % want, lambda: self.applied(reader) >= want)

    def history(self, data):
        with open(os.path.join(data, "history"), encoding="utf-8") as f:
            return f.read().split()


class Following(ReplicaTest):
    def test_bootstrap_changes_kill9_and_resume(self):
        w = self.start_writer()
        self.add_ok(w, [phone(i) for i in range(100)])
        r = self.start_reader(w.port, "r1")
        self.assertIn("holds no snapshot yet", r.log())
        self.caught_up(r, w)
        self.assertEqual(set(self.verdicts(r, [phone(i) for i in range(100)])), {"scam"})
        self.assertEqual(self.verdict(r, fidxsvc.SCAM_PHONE), "scam")  # the base snapshot
        # Changes after the bootstrap: added, delisted, changed.
        self.assertEqual(self.delist(w, "phone", phone(5)).status, 200)
        self.add_ok(w, [phone(7)], status="allowlisted")
        self.add_ok(w, [phone(200)])
        self.caught_up(r, w)
        self.assertEqual(self.verdicts(r, [phone(5), phone(7), phone(200)]),
                         ["unknown", "safe", "scam"])  # merged as the writer merged it
        # kill -9; the writer goes on; the reader resumes from its own log.
        r.proc.send_signal(signal.SIGKILL)
        r.proc.wait(10)
        self.add_ok(w, [phone(300 + i) for i in range(50)])
        r = self.start_reader(w.port, "r1")
        self.assertNotIn("holds no snapshot yet", r.log())
        self.assertRegex(r.log(), r"write-ahead log .* changes replayed")
        self.caught_up(r, w)
        self.assertEqual(set(self.verdicts(r, [phone(300 + i) for i in range(50)])), {"scam"})
        self.assertEqual(self.verdict(r, phone(5)), "unknown")
        # The reader's directory is laid out as a writer's, with the writer's history.
        names = os.listdir(r.data)
        self.assertTrue(any(re.fullmatch(r"snapshot-\d{16}\.fidx", n) for n in names), names)
        self.assertTrue(any(re.fullmatch(r"wal-\d{16}\.log", n) for n in names), names)
        self.assertEqual(self.history(r.data), self.history(w.data))
        m = r.metrics()
        self.assertEqual(m[("fraudidx_replica_lag_seconds", frozenset())], 0)
        self.assertEqual(r.get("/healthz").status, 200)
        st = self.admin(w, "GET", "/v1/admin/status").json()
        readers = st["replicas"]["readers"]
        self.assertEqual(len(readers), 1)
        self.assertEqual(readers[0]["token"], "unit-replica")
        self.assertEqual(r.stop(), 0)
        self.assertEqual(w.stop(), 0)

    def test_new_base_after_a_compaction_and_after_the_log_is_gone(self):
        w = self.start_writer("--keep-log", "0")
        self.add_ok(w, [phone(i) for i in range(20)])
        r = self.start_reader(w.port, "r1")
        self.caught_up(r, w)
        self.assertEqual(self.admin(w, "POST", "/v1/admin/compact").status, 200)
        self.assertEqual(self.delist(w, "phone", phone(3)).status, 200)
        self.add_ok(w, [phone(100)])
        self.caught_up(r, w)
        r.wait_log(r"the writer's new snapshot: now serving", timeout=WAIT)
        self.assertEqual(self.verdicts(r, [phone(2), phone(3), phone(100)]),
                         ["scam", "unknown", "scam"])
        # The reader stops; the writer compacts twice and keeps no folded log: the changes the
        # reader lacks are gone, so it starts again from the writer's snapshot.
        self.assertEqual(r.stop(), 0)
        for n in range(2):
            self.add_ok(w, [phone(200 + n)])
            self.assertEqual(self.admin(w, "POST", "/v1/admin/compact").status, 200)
        self.add_ok(w, [phone(300)])
        r = self.start_reader(w.port, "r1")
        r.wait_log(r"no longer keeps the changes after", timeout=WAIT)
        self.caught_up(r, w)
        self.assertEqual(self.verdicts(r, [phone(3), phone(200), phone(201), phone(300)]),
                         ["unknown", "scam", "scam", "scam"])
        # Restarted again, it serves the snapshot it adopted and replays from there.
        self.assertEqual(r.stop(), 0)
        r = self.start_reader(w.port, "r1")
        self.assertNotIn("holds no snapshot yet", r.log())
        self.assertEqual(self.verdicts(r, [phone(3), phone(201), phone(300)]),
                         ["unknown", "scam", "scam"])
        snaps = [n for n in os.listdir(r.data) if n.startswith("snapshot-")]
        self.assertEqual(len(snaps), 1, snaps)

    def test_a_kept_log_serves_a_reader_behind_a_compaction(self):
        w = self.start_writer()  # --keep-log at its default: 10 minutes
        self.add_ok(w, [phone(1)])
        r = self.start_reader(w.port, "r1")
        self.caught_up(r, w)
        self.assertEqual(r.stop(), 0)
        self.add_ok(w, [phone(2)])
        self.assertEqual(self.admin(w, "POST", "/v1/admin/compact").status, 200)
        self.assertEqual(len([n for n in os.listdir(w.data) if n.startswith("wal-")]), 2)
        r = self.start_reader(w.port, "r1")
        self.caught_up(r, w)
        self.assertNotIn("no longer keeps", r.log())
        self.assertEqual(self.verdict(r, phone(2)), "scam")


class NotWriter(ReplicaTest):
    def test_writes_on_a_reader(self):
        w = self.start_writer()
        r = self.start_reader(w.port, "r1")
        url = "http://127.0.0.1:%d" % w.port
        cases = [
            ("POST", "/v1/admin/indicators", b"kind,value\nphone,0912000111\n"),
            ("DELETE", "/v1/admin/indicators?kind=phone&value=0912345678&reason=x", None),
            ("POST", "/v1/admin/compact", None),
            ("GET", "/v1/admin/status", None),
            ("GET", "/v1/replica/changes?since=0", None),
            ("GET", "/v1/replica/snapshot", None),
        ]
        for method, path, body in cases:
            resp = self.admin(r, method, path, body, "text/csv" if body else None)
            self.assertError(resp, 503, "not_writer")
            self.assertEqual(resp.json()["error"]["writer"], url)
            self.assertIn("retry-after", resp.headers)
        resp = r.post_json("/v1/reports", {"kind": "phone", "value": "0912000222",
                                           "category": "impersonation"})
        self.assertError(resp, 503, "not_writer")
        self.assertEqual(resp.json()["error"]["writer"], url)
        page = r.request("POST", "/report", body=b"kind=phone&value=0912000222",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(page.status, 503, page)
        # Reads are answered.
        self.assertEqual(self.verdict(r, fidxsvc.SCAM_PHONE), "scam")
        self.assertEqual(r.get("/v1/changes?since=0").status, 200)

    def test_flags(self):
        bad = [["--follow", "ftp://x", "--follow-token-file", "t"],
               ["--follow", "http://127.0.0.1:1"],
               ["--follow-token-file", "t"],
               ["--follow", "http://127.0.0.1:1", "--follow-token-file", "t", "--tokens", "x"],
               ["--follow", "http://127.0.0.1:1", "--follow-token-file", "t",
                "--sync-replicas", "1"],
               ["--sync-replicas", "65"], ["--max-lag", "0"], ["--keep-log", "-1"]]
        for args in bad:
            p = __import__("subprocess").run(
                [fidxsvc.SERVICE, "--snapshot", self.snapshot] + args, capture_output=True,
                text=True, timeout=10)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
        # A token file others may read is refused, as the analysts' tokens file is.
        os.chmod(self.rtoken, 0o644)
        err = self.start_fails("--follow", "http://127.0.0.1:1", "--follow-token-file",
                               self.rtoken, "--data-dir", os.path.join(self.dir, "r"))
        self.assertIn("chmod 600", err)


class Routes(ReplicaTest):
    def replica(self, svc, path, token=TOKEN, headers=None, method="GET"):
        h = {"Authorization": "Bearer " + token} if token else {}
        h.update(headers or {})
        return svc.request(method, path, headers=h)

    def records(self, body):
        """(type, body) of each record of a changes answer."""
        out, off = [], 0
        while off < len(body):
            n = int.from_bytes(body[off:off + 4], "little")
            self.assertEqual(body[off + 5:off + 8], b"\0\0\0")
            out.append((body[off + 4], body[off + 8:off + 8 + n]))
            off += 8 + n
        self.assertEqual(off, len(body))
        return out

    def test_snapshot(self):
        w = self.start_writer()
        with open(self.snapshot, "rb") as f:
            raw = f.read()
        self.assertEqual(self.replica(w, "/v1/replica/snapshot", token=None).status, 401)
        self.assertEqual(self.replica(w, "/v1/replica/snapshot", token="x" * 20).status, 401)
        r = self.replica(w, "/v1/replica/snapshot")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, raw)
        self.assertEqual(r.headers["content-type"], "application/vnd.fraudidx.snapshot")
        self.assertRegex(r.headers["etag"], r'^"[0-9a-f]{16}"$')
        self.assertEqual(r.headers["x-fidx-next-seq"], "1")
        self.assertRegex(r.headers["x-fidx-history"], r"^[0-9a-f]{32}$")
        etag = r.headers["etag"]
        r = self.replica(w, "/v1/replica/snapshot", headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body, r.headers["etag"]), (304, b"", etag))
        r = self.replica(w, "/v1/replica/snapshot", headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(r.status, 200)
        r = self.replica(w, "/v1/replica/snapshot", headers={"Range": "bytes=10-19"})
        self.assertEqual((r.status, r.body), (206, raw[10:20]))
        self.assertEqual(r.headers["content-range"], "bytes 10-19/%d" % len(raw))
        r = self.replica(w, "/v1/replica/snapshot", headers={"Range": "bytes=100-"})
        self.assertEqual((r.status, r.body), (206, raw[100:]))
        r = self.replica(w, "/v1/replica/snapshot", headers={"Range": "bytes=-7"})
        self.assertEqual((r.status, r.body), (206, raw[-7:]))
        r = self.replica(w, "/v1/replica/snapshot", headers={"Range": "bytes=%d-" % len(raw)})
        self.assertEqual(r.status, 416)
        self.assertEqual(r.headers["content-range"], "bytes */%d" % len(raw))
        r = self.replica(w, "/v1/replica/snapshot", headers={"Range": "bytes=0-1,5-6"})
        self.assertEqual((r.status, r.body), (200, raw))  # several ranges: the whole file
        r = self.replica(w, "/v1/replica/snapshot", method="HEAD")
        self.assertEqual((r.status, r.body, r.headers["content-length"]), (200, b"",
                                                                          str(len(raw))))
        # Pipelined after a snapshot, a request is answered after it, in order.
        s = w.socket()
        req = ("GET /v1/replica/snapshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
               "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" % TOKEN).encode()
        s.sendall(req)
        rs, _, _ = fidxsvc.read_all(s, until_responses=2)
        s.close()
        self.assertEqual([x.status for x in rs], [200, 200])
        self.assertEqual(rs[0].body, raw)
        self.assertEqual(rs[1].json(), {"status": "ok"})

    def test_roles(self):
        w = self.start_writer()
        for path in ("/v1/replica/snapshot", "/v1/replica/changes?since=0"):
            self.assertEqual(self.replica(w, path, token=ROLE_TOKENS["replica"]).status, 200)
            self.assertEqual(self.replica(w, path, token=TOKEN).status, 200)  # admin
            for role in ("analyst", "reviewer", "feeder", "reader"):
                self.assertError(self.replica(w, path, token=ROLE_TOKENS[role]), 403,
                                 "forbidden")
        # A replica token may do nothing else.
        r = self.admin(w, "GET", "/v1/admin/status", token=ROLE_TOKENS["replica"])
        self.assertError(r, 403, "forbidden")
        r = self.add(w, "kind,value\nphone,%s\n" % phone(1), token=ROLE_TOKENS["replica"])
        self.assertEqual(r.status, 403)

    def test_changes_and_long_polls(self):
        w = self.start_writer()
        self.add_ok(w, [phone(1), phone(2)])
        self.assertEqual(self.delist(w, "phone", phone(2)).status, 200)
        r = self.replica(w, "/v1/replica/changes?since=0")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["content-type"], "application/vnd.fraudidx.changes")
        self.assertEqual((r.headers["x-fidx-first-seq"], r.headers["x-fidx-count"],
                          r.headers["x-fidx-durable-seq"]), ("1", "3", "3"))
        self.assertRegex(r.headers["x-fidx-checksum"], r"^[0-9a-f]{16}$")
        self.assertEqual([t for t, _ in self.records(r.body)], [1, 1, 2])  # put, put, delist
        r = self.replica(w, "/v1/replica/changes?since=2")
        self.assertEqual((r.headers["x-fidx-first-seq"], r.headers["x-fidx-count"]), ("3", "1"))
        r = self.replica(w, "/v1/replica/changes?since=3&wait=50")
        self.assertEqual((r.status, r.headers["x-fidx-count"], r.body), (200, "0", b""))
        for q in ["", "since=", "since=x", "since=-1", "since=1&wait=60001", "since=1&since=2",
                  "since=1&max=10", "since=1&replica=a%20b"]:
            self.assertEqual(self.replica(w, "/v1/replica/changes?" + q).status, 400, q)
        ahead = self.replica(w, "/v1/replica/changes?since=4")
        self.assertError(ahead, 410, "diverged")
        other = self.replica(w, "/v1/replica/changes?since=1&history=" + "0" * 32)
        self.assertError(other, 410, "diverged")
        # A long poll is answered when a change comes.
        got = {}

        def poll():
            got["r"] = self.replica(w, "/v1/replica/changes?since=3&wait=30000&replica=t1")

        t = threading.Thread(target=poll)
        t.start()
        self.wait_for("the poll's ack", lambda: any(
            x["id"] == "t1" for x in
            self.admin(w, "GET", "/v1/admin/status").json()["replicas"]["readers"]))
        self.add_ok(w, [phone(3)])
        t.join(WAIT)
        self.assertFalse(t.is_alive())
        self.assertEqual((got["r"].status, got["r"].headers["x-fidx-first-seq"],
                          got["r"].headers["x-fidx-count"]), (200, "4", "1"))
        # SIGTERM answers parked polls at once.
        t = threading.Thread(target=poll)
        t.start()
        self.wait_for("the poll is parked", lambda: self.applied_reported(w, "t1", 3))
        self.assertEqual(w.stop(), 0)
        t.join(WAIT)
        self.assertFalse(t.is_alive())

    def applied_reported(self, w, rid, seq):
        st = self.admin(w, "GET", "/v1/admin/status").json()
        return any(x["id"] == rid and x["applied_seq"] == seq
                   for x in st["replicas"]["readers"])

    def test_public_changes(self):
        w = self.start_writer()
        self.add_ok(w, [phone(1)])
        self.add_ok(w, [phone(2)], status="reported")
        self.assertEqual(self.delist(w, "phone", phone(1)).status, 200)
        self.add(w, "kind,value,status\ndomain,Good.Example,allowlisted\n")
        r = w.get("/v1/changes?since=0")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["changes"], [
            {"seq": 1, "kind": "phone", "value": phone(1), "verdict": "scam",
             "status": "confirmed"},
            {"seq": 2, "kind": "phone", "value": phone(2), "verdict": "suspicious",
             "status": "reported"},
            {"seq": 3, "kind": "phone", "value": phone(1), "verdict": "unknown", "status": None},
            {"seq": 4, "kind": "domain", "value": "good.example", "verdict": "safe",
             "status": "allowlisted"}])
        self.assertEqual((body["next"], body["last_seq"]), (4, 4))
        r = w.get("/v1/changes?since=1&limit=2").json()
        self.assertEqual([c["seq"] for c in r["changes"]], [2, 3])
        self.assertEqual(r["next"], 3)
        self.assertEqual(w.get("/v1/changes?since=4").json()["changes"], [])
        self.assertError(w.get("/v1/changes?since=5"), 410, "gone")
        self.assertError(w.get("/v1/changes"), 400, "bad_request")
        self.assertError(w.get("/v1/changes?since=0&limit=0"), 400, "bad_request")
        # A reader has the same log, with the same numbers.
        rd = self.start_reader(w.port, "r1")
        self.caught_up(rd, w)
        self.assertEqual(rd.get("/v1/changes?since=0").json()["changes"], body["changes"])


class SyncReplicas(ReplicaTest):
    def test_acknowledged_only_once_a_reader_has_it(self):
        w = self.start_writer("--sync-replicas", "1", "--sync-timeout-ms", "300")
        r = self.add(w, "kind,value,status\nphone,%s,confirmed\n" % phone(1))
        self.assertError(r, 503, "replication_timeout")
        self.assertIn("retry-after", r.headers)
        self.assertEqual(self.verdict(w, phone(1)), "scam")  # kept on the writer
        # Again with a timeout no loaded machine reaches, and a reader.
        self.assertEqual(w.stop(), 0)
        w = self.start_writer("--sync-replicas", "1", "--sync-timeout-ms", "60000", "--listen",
                              "127.0.0.1:%d" % w.port)
        rd = self.start_reader(w.port, "r1")
        self.caught_up(rd, w)
        for i in range(2, 12):
            self.add_ok(w, [phone(i)])
            # Acknowledged: the reader has applied it durably, so it answers with it now.
            self.assertEqual(self.verdict(rd, phone(i)), "scam")
        self.assertEqual(self.delist(w, "phone", phone(2)).status, 200)
        self.assertEqual(self.verdict(rd, phone(2)), "unknown")


class Lag(ReplicaTest):
    def test_a_reader_without_its_writer(self):
        w = self.start_writer()
        self.add_ok(w, [phone(1)])
        rd = self.start_reader(w.port, "r1", "--max-lag", "0.5")
        self.caught_up(rd, w)
        self.wait_for("healthz 200", lambda: rd.get("/healthz").status == 200)
        w.proc.send_signal(signal.SIGKILL)
        w.proc.wait(10)
        h = self.wait_for("healthz 503", lambda: (lambda x: x if x.status == 503 else None)(
            rd.get("/healthz")))
        self.assertError(h, 503, "lagging")
        self.assertIn("retry-after", h.headers)
        self.assertEqual(rd.get("/healthz?stale=ok").status, 200)
        self.assertGreater(rd.metrics()[("fraudidx_replica_lag_seconds", frozenset())], 0.5)
        self.assertEqual(self.verdict(rd, phone(1)), "scam")  # it still answers
        # The writer comes back on its port: the reader catches up and is healthy again.
        w2 = fidxsvc.Service(self.snapshot, "--data-dir", self.data, "--tokens", self.tokens,
                             "--listen", "127.0.0.1:%d" % w.port)
        self.services.append(w2)
        self.add_ok(w2, [phone(2)])
        self.wait_for("healthz 200 again", lambda: rd.get("/healthz").status == 200)
        self.assertEqual(self.verdict(rd, phone(2)), "scam")


class Promotion(ReplicaTest):
    def test_a_reader_promoted_and_another_following_it(self):
        w = self.start_writer()
        self.add_ok(w, [phone(i) for i in range(10)])
        r1 = self.start_reader(w.port, "r1")
        r2 = self.start_reader(w.port, "r2")
        self.caught_up(r1, w)
        self.caught_up(r2, w)
        w.proc.send_signal(signal.SIGKILL)
        w.proc.wait(10)
        # Promote r1: stop it, start its directory with --tokens and without --follow.
        self.assertEqual(r1.stop(), 0)
        p = fidxsvc.Service(self.snapshot, "--data-dir", r1.data, "--tokens", self.tokens)
        self.services.append(p)
        self.assertIn("promoted:", p.log())
        new, parent, fork = self.history(r1.data)
        self.assertEqual(parent, self.history(self.data)[0])
        self.assertEqual(int(fork), 10)
        self.add_ok(p, [phone(100)])
        self.assertEqual(self.verdicts(p, [phone(0), phone(100)]), ["scam", "scam"])
        # r2 re-points to it and takes its history.
        self.assertEqual(r2.stop(), 0)
        r2 = self.start_reader(p.port, "r2")
        self.caught_up(r2, p)
        self.assertEqual(self.verdicts(r2, [phone(0), phone(100)]), ["scam", "scam"])
        self.assertEqual(self.history(r2.data)[0], new)

    def test_a_reader_never_follows_another_history(self):
        w = self.start_writer()
        self.add_ok(w, [phone(1)])
        rd = self.start_reader(w.port, "r1", "--max-lag", "0.5")
        self.caught_up(rd, w)
        self.assertEqual(rd.stop(), 0)
        self.assertEqual(w.stop(), 0)
        other = self.start_writer(data=os.path.join(self.dir, "other"))
        self.add_ok(other, [phone(2), phone(3)])
        rd = self.start_reader(other.port, "r1", "--max-lag", "0.5")
        rd.wait_log(r"is not its own", timeout=WAIT)
        self.assertEqual(self.verdicts(rd, [phone(1), phone(2)]), ["scam", "unknown"])
        self.wait_for("healthz 503", lambda: rd.get("/healthz").status == 503)


if __name__ == "__main__":
    fidxsvc.main()
