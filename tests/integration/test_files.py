"""The files the service reads, made hostile by whoever can write their paths (SECURITY.md,
issue 12): a FIFO where the tokens file or the snapshot should be, a snapshot overwritten in
place while it is served, a huge sparse file at the snapshot path. The service must keep
answering from what it has, refuse what it cannot use with a log line, and still exit on
SIGTERM."""

import os
import signal
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
