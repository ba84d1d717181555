"""The files the service reads, made hostile by whoever can write their paths (SECURITY.md,
issue 12): a FIFO where the tokens file or the snapshot should be, a snapshot overwritten in
place while it is served, a huge sparse file at the snapshot path. The service must keep
answering from what it has, refuse what it cannot use with a log line, and still exit on
SIGTERM."""

import os
import shutil
import signal
import subprocess
import time
import urllib.parse

import fidxsvc
import test_admin_common as common
from fidxsvc import SCAM_PHONE

CHECK = "/v1/check?" + urllib.parse.urlencode({"q": SCAM_PHONE})


class Fifos(common.AdminTest):
    def lookup_confirmed(self, svc):
        r = svc.get(CHECK)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["verdict"], "scam", r)

    def test_fifo_at_the_tokens_path_is_refused_and_sigterm_still_ends(self):
        svc = self.start_admin()
        os.unlink(self.tokens)
        os.mkfifo(self.tokens, 0o600)
        svc.signal(signal.SIGHUP)
        # Before the fix the main thread blocked in open(2) on the FIFO: the log line never
        # came, and the SIGTERM below was never handled.
        svc.wait_log(r"tokens file .*: it is not a regular file; the tokens in use are kept")
        self.lookup_confirmed(svc)
        # The tokens in use still open the analysts' routes.
        r = self.admin(svc, "GET", "/v1/admin/status")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(svc.stop(), 0, svc.log())

    def test_fifo_at_the_snapshot_path_is_refused(self):
        live = os.path.join(self.dir, "live.fidx")
        os.link(self.snapshot, live)
        svc = self.start("--watch-interval", "0", snapshot=live)
        os.unlink(live)
        os.mkfifo(live, 0o600)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"snapshot reload \(SIGHUP\) refused: .*not a regular file")
        self.lookup_confirmed(svc)
        self.assertEqual(svc.stop(), 0, svc.log())


class Lookups(fidxsvc.BackgroundLoad):
    """Clients asking for SCAM_PHONE in a loop; every answer must be one of `allowed`."""

    def __init__(self, svc, allowed, threads=3):
        super().__init__(svc, threads)
        self.allowed = allowed

    def request(self, i, conn):
        r = self.svc.get(CHECK, conn=conn)
        if r.status != 200:
            raise AssertionError(r)
        v = r.json()["verdict"]
        if v not in self.allowed:
            raise AssertionError("verdict %r, expected one of %r" % (v, self.allowed))
        return v

    def wait_more(self, n=30, timeout=30):
        """Waits until n more answers came (the service is still up and answering)."""
        want = self.answered() + n
        deadline = time.monotonic() + timeout
        while self.answered() < want and time.monotonic() < deadline:
            if self.failures:
                break
            time.sleep(0.02)
        return self.answered() >= want


def overwrite_in_place(path, data, chunk=None):
    """Writes data over path in place (open with O_TRUNC, no rename), as `cp` does; in chunks
    with a pause between them when chunk is given, so that a half-written file is there a
    while."""
    with open(path, "r+b") as f:
        f.truncate(0)
        for i in range(0, len(data), chunk or max(1, len(data))):
            f.write(data[i:i + (chunk or len(data))])
            f.flush()
            if chunk:
                time.sleep(0.01)


class OverwrittenInPlace(fidxsvc.ServiceTest):
    """The served path written over in place: before the fix the service mapped the file, so a
    truncation was a SIGBUS at the next lookup and bytes written over it a SIGSEGV or wrong
    answers. Now it serves a private copy checked whole, and picks up a change only once a
    complete valid file is there."""

    def setUp(self):
        super().setUp()
        self.flipped = fidxsvc.build_snapshot(self.dir, "flipped", fidxsvc.FLIPPED_CSV)
        # A big snapshot: writing it over the path takes many chunks.
        rows = "".join("phone,+8490%07d,reported,task_job,community,1,,\n" % i
                       for i in range(20000))
        self.big = fidxsvc.build_snapshot(self.dir, "big", fidxsvc.BASE_CSV + rows)
        self.live = os.path.join(self.dir, "live.fidx")
        shutil.copyfile(self.snapshot, self.live)

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def test_truncate_cp_over_and_garbage_never_crash_and_a_valid_file_is_picked_up(self):
        svc = self.start("--watch-interval", "0.1", snapshot=self.live)
        with Lookups(svc, {"scam"}) as load:
            self.assertTrue(load.wait_more())
            # truncate -s 100: a mapping would fault at the next lookup.
            os.truncate(self.live, 100)
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"reload \(SIGHUP\) refused: .*live\.fidx")
            self.assertTrue(load.wait_more(), svc.log())
            # Garbage of the same size, then the big snapshot's first half.
            overwrite_in_place(self.live, os.urandom(len(self.read(self.snapshot))))
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"reload \(SIGHUP\) refused", count=2)
            self.assertTrue(load.wait_more(), svc.log())
            half = self.read(self.big)[:len(self.read(self.big)) // 2]
            overwrite_in_place(self.live, half)
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"reload \(SIGHUP\) refused", count=3)
            self.assertTrue(load.wait_more(), svc.log())
            self.assertEqual(load.failures, [], svc.log())
            self.assertNotIn("reloaded", svc.log())
        # cp over the path while clients ask, written slowly: never a half-written answer;
        # the complete file is picked up (by the watch, or the SIGHUP after it).
        with Lookups(svc, {"scam"}) as load:
            overwrite_in_place(self.live, self.read(self.big), chunk=16 << 10)
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"snapshot reloaded .*live\.fidx: 20006 indicators")
            self.assertTrue(load.wait_more(), svc.log())
        self.assertEqual(load.failures, [], svc.log())
        # Then cp of another valid file over it, in place: its verdict is served.
        with Lookups(svc, {"scam", "safe"}) as load:
            subprocess.run(["cp", self.flipped, self.live], check=True)
            svc.signal(signal.SIGHUP)
            svc.wait_log(r"snapshot reloaded .*live\.fidx: 1 indicators")
            self.assertTrue(load.wait_more(), svc.log())
        self.assertEqual(load.failures, [], svc.log())
        self.assertEqual(svc.get(CHECK).json()["verdict"], "safe")
        self.assertEqual(svc.stop(), 0, svc.log())


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


GiB = 1 << 30


class Sparse(fidxsvc.ServiceTest):
    """A 20 GB sparse file at the snapshot path: before the fix it was mapped and faulted in
    (or copied) whole before its size was checked: 7.7 GB of RSS and a main thread deaf to
    SIGTERM. Now its header is read first and it is refused at once."""

    def setUp(self):
        super().setUp()
        self.live = os.path.join(self.dir, "live.fidx")
        shutil.copyfile(self.snapshot, self.live)

    def check_refused_small_and_stoppable(self, load):
        svc = self.start("--watch-interval", "0", "--load", load, snapshot=self.live)
        base_rss = vm_rss_kib(svc.proc.pid)
        # A sparse file of zeros renamed over the path.
        sparse = os.path.join(self.dir, "sparse.fidx")
        with open(sparse, "wb") as f:
            f.truncate(20 * GiB)
        os.rename(sparse, self.live)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"reload \(SIGHUP\) refused: .*live\.fidx: not a fraudidx snapshot")
        # The valid snapshot extended in place to 20 GB: its header no longer matches.
        shutil.copyfile(self.snapshot, self.live)
        os.truncate(self.live, 20 * GiB)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"reload \(SIGHUP\) refused: .*live\.fidx: file size differs")
        r = svc.get(CHECK)
        self.assertEqual(r.json()["verdict"], "scam", r)
        rss = vm_rss_kib(svc.proc.pid)
        self.assertLess(rss, base_rss + 256 * 1024, "VmRSS %d KiB after a 20 GB file" % rss)
        self.assertEqual(svc.stop(), 0, svc.log())

    def test_sparse_file_refused_on_reload(self):
        self.check_refused_small_and_stoppable("populate")

    def test_sparse_file_refused_on_reload_resident(self):
        self.check_refused_small_and_stoppable("resident")

    def test_sparse_file_refused_at_start(self):
        os.truncate(self.live, 20 * GiB)
        p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.live, "--listen",
                            "127.0.0.1:0", "--data-dir", os.path.join(self.dir, "data")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, r"cannot load snapshot .*live\.fidx: file size differs")


class Modes(common.AdminTest):
    def test_compacted_snapshots_are_private_and_the_indexer_output_is_not(self):
        # The indexer's output is a feed build to ship (docs/SNAPSHOT.md): readable by all.
        self.assertEqual(os.stat(self.snapshot).st_mode & 0o777, 0o644)
        old = os.umask(0)  # the mode must not depend on the umask it happens to run under
        try:
            svc = self.start_admin()
        finally:
            os.umask(old)
        self.add_ok(svc, [common.phone(i) for i in range(3)])
        r = self.admin(svc, "POST", "/v1/admin/compact")
        self.assertEqual(r.status, 200, r)
        path = r.json()["snapshot"]
        self.assertTrue(os.path.basename(path).startswith("snapshot-"), path)
        # It holds the analysts' notes: 0600 like everything in the data directory.
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(svc.stop(), 0, svc.log())


if __name__ == "__main__":
    fidxsvc.main()
