"""Snapshot reloads while clients keep asking: a replaced file (rename over the path) and SIGHUP
swap the snapshot in without a failed request; a bad file is refused with a log line and the
old snapshot keeps answering."""

import os
import shutil
import signal
import time
import urllib.parse

import fidxsvc
from fidxsvc import SCAM_PHONE

CHECK = "/v1/check?" + urllib.parse.urlencode({"q": SCAM_PHONE})


class Load(fidxsvc.BackgroundLoad):
    """Client threads asking for SCAM_PHONE over keep-alive connections, new connections and
    batches, recording every verdict and every failure."""

    def __init__(self, svc, threads=4):
        super().__init__(svc, threads)

    def request(self, i, conn):
        if i % 4 == 3:
            r = self.svc.post_json("/v1/check", {"items": [SCAM_PHONE] * 20}, conn=conn)
            if r.status != 200:
                raise AssertionError(r)
            vs = {x["verdict"] for x in r.json()["results"]}
            if len(vs) != 1:
                raise AssertionError("one batch answered from two snapshots: %r" % vs)
            return vs.pop()
        r = self.svc.get(CHECK, conn=None if i % 4 == 2 else conn)
        if r.status != 200:
            raise AssertionError(r)
        return r.json()["verdict"]

    @property
    def verdicts(self):
        return self.results

    def count(self):
        return self.answered()


def replace(src, dst):
    """Publishes src at dst the way the indexer does: a temporary file, then rename."""
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.rename(tmp, dst)


def write_replace(data, dst):
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, dst)


class Reload(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.flipped = fidxsvc.build_snapshot(self.dir, "flipped", fidxsvc.FLIPPED_CSV)
        self.live = os.path.join(self.dir, "live.fidx")
        shutil.copyfile(self.snapshot, self.live)
        with open(self.snapshot, "rb") as f:
            self.good_bytes = f.read()

    def bad_files(self):
        b = self.good_bytes
        flipped = bytearray(b)
        flipped[len(b) // 2] ^= 0xFF
        return {"truncated": b[:len(b) // 2], "empty": b"", "garbage": os.urandom(len(b)),
                "one byte flipped": bytes(flipped), "extended": b + b"\0" * 64}

    def verdict(self, svc):
        r = svc.get(CHECK)
        self.assertEqual(r.status, 200, r)
        return r.json()["verdict"]

    def wait_verdict(self, svc, want, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.verdict(svc) == want:
                return
            time.sleep(0.05)
        self.fail("verdict never became %s:\n%s" % (want, svc.log()))

    def test_replaced_file_reloads_under_load_and_bad_files_are_refused(self):
        svc = self.start("--watch-interval", "0.2", snapshot=self.live)
        self.assertEqual(self.verdict(svc), "scam")
        with Load(svc) as load:
            time.sleep(0.3)
            replace(self.flipped, self.live)
            svc.wait_log(r"reloaded \(file changed\) .*live\.fidx: 1 indicators")
            self.wait_verdict(svc, "safe")
            refused = 0
            for name, data in self.bad_files().items():
                with self.subTest(bad=name):
                    write_replace(data, self.live)
                    refused += 1
                    svc.wait_log(r"refused", count=refused)
                    self.assertEqual(self.verdict(svc), "safe")
            replace(self.snapshot, self.live)
            svc.wait_log(r"reloaded \(file changed\) .*live\.fidx: 6 indicators")
            self.wait_verdict(svc, "scam")
            before = load.count()
            time.sleep(0.3)
            self.assertGreater(load.count(), before, "the clients stalled")
        self.assertEqual(load.failures, [], "requests failed during reloads")
        self.assertGreater(load.count(), 100)
        self.assertEqual(set(load.verdicts), {"scam", "safe"})
        self.assertRegex(svc.log(), r"refused: .*live\.fidx: \S")
        m = svc.metrics()
        self.assertEqual(m[("fraudidx_snapshot_reloads_total", frozenset({("result", "ok")}))], 2)
        self.assertEqual(
            m[("fraudidx_snapshot_reloads_total", frozenset({("result", "refused")}))],
            len(self.bad_files()))
        self.assertEqual(svc.stop(), 0)

    def test_sighup_reloads_and_refuses_bad_files(self):
        svc = self.start("--watch-interval", "0", snapshot=self.live)
        with Load(svc) as load:
            replace(self.flipped, self.live)
            time.sleep(0.5)
            self.assertEqual(self.verdict(svc), "scam", "no watch: nothing changes without HUP")
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"reloaded \(SIGHUP\)")
            self.wait_verdict(svc, "safe")
            write_replace(self.bad_files()["truncated"], self.live)
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"refused")
            self.assertEqual(self.verdict(svc), "safe")
            os.unlink(self.live)  # a missing file is refused the same way
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"refused", count=2)
            self.assertEqual(self.verdict(svc), "safe")
            replace(self.snapshot, self.live)
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"reloaded \(SIGHUP\)", count=2)
            self.wait_verdict(svc, "scam")
        self.assertEqual(load.failures, [])
        self.assertEqual(set(load.verdicts), {"scam", "safe"})
        info = svc.get("/v1/info").json()
        self.assertEqual(info["snapshot"]["total"], 6)
        self.assertEqual(svc.stop(), 0)

    def test_many_reloads_in_a_row(self):
        svc = self.start("--watch-interval", "0", snapshot=self.live)
        with Load(svc, threads=3) as load:
            for i in range(20):
                replace(self.flipped if i % 2 == 0 else self.snapshot, self.live)
                svc.signal(signal.SIGHUP)
                svc.wait_log(r"reloaded \(SIGHUP\)", count=i + 1)
        self.assertEqual(load.failures, [])
        self.assertEqual(self.verdict(svc), "scam")
        self.assertEqual(svc.stop(), 0)


if __name__ == "__main__":
    fidxsvc.main()
