"""Nothing analysts were told is saved may be lost (docs/OPERATIONS.md, "The durability
promise"): the real service is killed with SIGKILL in the middle of a stream of writes and
restarted, and every row that was answered 200 must be there; a torn write at the tail of the
log is dropped with a log line; damage in the middle stops the start with the file, the offset
and the repair, and --repair-wal repairs it; delistings and report decisions survive; a second
writer on the same data directory is refused; a process without tokens replays read-only."""

import os
import signal
import threading
import time
import urllib.parse

import fidxsvc
from test_admin_common import (TOKEN, AdminTest, csv_rows, groups, phone, segments)

KILL_AFTER_ROWS = 2000  # acknowledged rows before the kill
KILL_DEADLINE = 20     # seconds at most to get there


class KillNine(AdminTest):
    def writer(self, svc, wid, acked, unknown, lock, stop):
        """Posts batches of 1 to 40 new rows until the service dies; records which were
        acknowledged (200, all accepted) and which got no answer."""
        conn, n = svc.connection(timeout=15), 0
        while not stop.is_set():
            size = (1, 5, 40)[n % 3]
            values = [phone(wid * 1000000 + n * 100 + k) for k in range(size)]
            n += 1
            try:
                r = self.add(svc, csv_rows(values), conn=conn)
            except Exception:  # the process is gone (or going): no answer
                with lock:
                    unknown.append(values)
                return
            with lock:
                if r.status == 200 and (r.json()["accepted"], r.json()["rejected"]) == (size, []):
                    acked.extend(values)
                else:
                    unknown.append(values)
        conn.close()

    def test_kill9_during_writes_keeps_every_acknowledged_row(self):
        svc = self.start_admin(threads=2)
        acked, unknown, lock, stop = [], [], threading.Lock(), threading.Event()
        ts = [threading.Thread(target=self.writer, args=(svc, w, acked, unknown, lock, stop),
                               daemon=True) for w in range(1, 5)]
        for t in ts:
            t.start()
        deadline = time.monotonic() + KILL_DEADLINE
        while time.monotonic() < deadline:
            with lock:
                if len(acked) >= KILL_AFTER_ROWS:
                    break
            time.sleep(0.01)
        svc.proc.send_signal(signal.SIGKILL)  # while the writers are still sending
        svc.proc.wait(10)
        stop.set()
        for t in ts:
            t.join(30)
        self.assertGreaterEqual(len(acked), KILL_AFTER_ROWS)
        svc = self.start_admin()
        svc.wait_log(r"write-ahead log .* changes replayed")
        got = dict(zip(acked, self.verdicts(svc, acked)))
        lost = [v for v, verdict in got.items() if verdict != "scam"]
        self.assertEqual(lost, [], "acknowledged rows lost after kill -9")
        # A request's rows go to the log together: one that got no answer is all there or
        # not there at all.
        for values in unknown:
            self.assertEqual(len(set(self.verdicts(svc, values))), 1, values)
        # The audit log is complete too: every acknowledged row is in a whole line, with its
        # token, role and state after; and the history index read back at start finds them.
        audited = {}
        for line in self.audit():  # whole lines only: a torn tail was cut at start
            for v in line.get("values", []):
                audited[v["value"]] = line
        missing = [v for v in acked if v not in audited]
        self.assertEqual(missing, [], "acknowledged rows missing from the audit log")
        for v in acked[:: max(1, len(acked) // 20)]:
            line = audited[v]
            self.assertEqual((line["token"], line["role"], line["action"]),
                             ("alice", "admin", "add"))
            r = self.admin(svc, "GET", "/v1/admin/indicators?q=" + urllib.parse.quote(v))
            [entry] = r.json()["entries"]
            self.assertEqual([h["action"] for h in entry["history"]], ["add"], v)
            self.assertEqual(entry["history"][0]["after"]["status"], "confirmed")
            self.assertEqual(entry["origin"], "load")
        # And the service writes on.
        self.add_ok(svc, [phone(9000000)])
        self.assertEqual(self.verdict(svc, phone(9000000)), "scam")

    def test_delisting_and_changes_survive_kill9(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(1), phone(2)])
        self.assertEqual(self.delist(svc, "phone", fidxsvc.SCAM_PHONE).status, 200)
        self.assertEqual(self.delist(svc, "phone", phone(2)).status, 200)
        self.assertEqual(self.delist(svc, "domain", "evil.example").status, 200)
        svc.kill()
        svc = self.start_admin()
        self.assertEqual(self.verdicts(svc, [fidxsvc.SCAM_PHONE, phone(1), phone(2),
                                             "https://evil.example/"]),
                         ["unknown", "scam", "unknown", "unknown"])
        # Again, after a clean stop and a second restart.
        self.assertEqual(svc.stop(), 0)
        svc = self.start_admin()
        self.assertEqual(self.verdict(svc, fidxsvc.SCAM_PHONE), "unknown")


class Damage(AdminTest):
    def three_groups(self):
        """Three requests, three groups in the last segment; the service then stopped."""
        svc = self.start_admin()
        for i in range(3):
            self.add_ok(svc, [phone(10 * i + k) for k in range(3)])
        svc.kill()
        seg = segments(self.data)[-1]
        self.assertEqual(len(groups(seg)), 3)
        return seg

    def test_torn_tail_is_dropped_with_a_log_line(self):
        seg = self.three_groups()
        size = os.path.getsize(seg)
        off, length = groups(seg)[-1]
        with open(seg, "rb") as f:
            raw = f.read()
        for torn in (raw[off:off + length // 2],   # a group cut in its payload
                     raw[off:off + 20],             # a group header cut short
                     b"\x00" * 4096,                # zeros, as after a power cut
                     raw[off:off + length - 1]):    # all but its last byte
            with open(seg, "ab") as f:
                f.write(torn)
            svc = self.start_admin()
            log = svc.wait_log(r"dropped a torn write")
            self.assertIn(os.path.basename(seg), log)
            self.assertEqual(os.path.getsize(seg), size)  # cut back to the last whole group
            self.assertEqual(set(self.verdicts(svc, [phone(i) for i in (0, 11, 22)])), {"scam"})
            svc.kill()
            seg = segments(self.data)[-1]
            size = os.path.getsize(seg)

    def test_torn_tail_in_read_only_mode_is_left_alone(self):
        seg = self.three_groups()
        with open(seg, "ab") as f:
            f.write(b"FWG1\x01\x00")
        size = os.path.getsize(seg)
        svc = self.start_admin(tokens=False)
        svc.wait_log(r"ignoring .* torn write")
        self.assertEqual(os.path.getsize(seg), size)
        self.assertEqual(self.verdict(svc, phone(21)), "scam")

    def test_damage_in_the_middle_stops_the_start_and_repair_fixes_it(self):
        seg = self.three_groups()
        off, length = groups(seg)[1]
        with open(seg, "r+b") as f:
            f.seek(off + length - 3)
            b = f.read(1)
            f.seek(off + length - 3)
            f.write(bytes([b[0] ^ 0x40]))
        err = self.start_fails("--data-dir", self.data, "--tokens", self.tokens)
        self.assertIn(seg, err)
        self.assertIn("byte %d" % off, err)
        self.assertIn("--repair-wal", err)
        # Read-only (no tokens) refuses just the same: intact changes follow the damage.
        self.start_fails("--data-dir", self.data)
        p = self.repair()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(seg + ".damaged"))
        svc = self.start_admin()
        self.assertEqual(self.verdicts(svc, [phone(0), phone(12), phone(22)]),
                         ["scam", "unknown", "unknown"])

    def test_damage_in_an_earlier_segment(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(1)])
        svc.kill()
        svc = self.start_admin()  # a new segment for the next writes
        self.add_ok(svc, [phone(2)])
        svc.kill()
        first = segments(self.data)[0]
        off, length = groups(first)[0]
        with open(first, "r+b") as f:
            f.seek(off + length - 1)
            f.write(b"\xff")
        err = self.start_fails("--data-dir", self.data, "--tokens", self.tokens)
        self.assertIn(first, err)
        p = self.repair()
        self.assertEqual(p.returncode, 0, p.stderr)
        svc = self.start_admin()
        self.assertEqual(self.verdicts(svc, [phone(1), phone(2)]), ["unknown", "unknown"])
        self.assertTrue(any(f.endswith(".damaged") for f in os.listdir(self.data)))

    def test_folded_segments_left_by_a_crash_are_ignored(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(1)])
        self.assertEqual(self.delist(svc, "phone", phone(1)).status, 200)
        saved = {}
        for path in segments(self.data):
            with open(path, "rb") as f:
                saved[path] = f.read()
        r = self.admin(svc, "POST", "/v1/admin/compact")
        self.assertEqual(r.status, 200, r)
        self.add_ok(svc, [phone(1)], status="reported")
        svc.kill()
        # As if the crash came after the new snapshot was durable, before the old segments
        # were deleted.
        for path, raw in saved.items():
            with open(path, "wb") as f:
                f.write(raw)
        svc = self.start_admin()
        self.assertEqual(self.verdict(svc, phone(1)), "suspicious")
        for path in saved:
            self.assertFalse(os.path.exists(path), path)


class Process(AdminTest):
    def test_one_writer_per_data_directory(self):
        self.start_admin()
        err = self.start_fails("--data-dir", self.data, "--tokens", self.tokens)
        self.assertIn("in use", err)

    def test_without_tokens_the_log_is_replayed_read_only(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(1)])
        self.assertEqual(svc.stop(), 0)
        before = sorted(os.listdir(self.data))
        svc = self.start_admin(tokens=False)
        svc.wait_log(r"read-only")
        self.assertEqual(self.verdict(svc, phone(1)), "scam")
        self.assertError(self.add(svc, csv_rows([phone(2)]), token=TOKEN), 401, "unauthorized")
        self.assertEqual(sorted(os.listdir(self.data)), before)

    def test_sigterm_with_writes_in_flight_answers_them(self):
        svc = self.start_admin()
        out = []

        def post(i):
            try:
                out.append(self.add(svc, csv_rows([phone(100 * i + k) for k in range(50)]))
                           .status)
            except OSError:  # refused once the listener closed: never acknowledged
                pass

        ts = [threading.Thread(target=post, args=(i,)) for i in range(4)]
        for t in ts:
            t.start()
        time.sleep(0.05)
        svc.signal(signal.SIGTERM)
        for t in ts:
            t.join(30)
        self.assertEqual(svc.wait(), 0)
        svc = self.start_admin()
        for status in out:
            self.assertIn(status, (200, 503))
        acked = sum(1 for s in out if s == 200)
        present = sum(1 for i in range(4)
                      if self.verdict(svc, phone(100 * i)) == "scam")
        self.assertGreaterEqual(present, acked)


if __name__ == "__main__":
    fidxsvc.main()
