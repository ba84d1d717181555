"""info (version, build time, size, counts matching the input) and verify (sound snapshots pass;
a flipped byte anywhere, a truncated file or a file that is not a snapshot fail, and lookup
refuses them too)."""

import datetime
import os
import re
import shutil

from fidxcli import IndexerTest, data, main, run

KINDS = ["phone", "bank_account", "url", "domain", "social_account", "email"]
STATUSES = ["reported", "confirmed", "allowlisted"]
CATEGORIES = ["impersonation", "task_job", "investment", "loan", "romance", "shopping",
              "account_takeover", "phishing", "malware_app", "recovery", "gambling", "other"]


def parse_info(text):
    """info's output as {"kind": {...}, "status": {...}, "category": {...}, "source": {...}}
    plus the "key: value" lines."""
    out = {"kind": {}, "status": {}, "category": {}, "source": {}, "fields": {}}
    for line in text.splitlines():
        m = re.match(r"^\s+(kind|status|category|source)\s+(\S+)\s+(\d+)$", line)
        if m:
            out[m.group(1)][m.group(2)] = int(m.group(3))
            continue
        m = re.match(r"^([a-z ]+):\s*(.*)$", line)
        if m:
            out["fields"][m.group(1)] = m.group(2)
    return out


class Info(IndexerTest):

    def test_counts_match_the_input(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        snap = self.build(data("indicators.csv"), data("indicators.jsonl"))
        after = datetime.datetime.now(datetime.timezone.utc)
        r = self.run_ok("info", snap)
        info = parse_info(r.out)
        f = info["fields"]
        self.assertEqual(f.get("indicators"), "12", r)
        self.assertRegex(f.get("format version", ""), r"^\d+$", r)
        self.assertGreaterEqual(int(f["format version"]), 1, r)
        built = datetime.datetime.strptime(f.get("build time", ""), "%Y-%m-%dT%H:%M:%SZ")
        built = built.replace(tzinfo=datetime.timezone.utc)
        self.assertTrue(before - datetime.timedelta(seconds=1) <= built <= after, r)
        self.assertIn(str(os.path.getsize(snap)), f.get("size", ""), r)
        self.assertIn("ok", f.get("checksums", ""), r)
        self.assertEqual(info["kind"], {"phone": 4, "bank_account": 2, "url": 1, "domain": 2,
                                        "social_account": 2, "email": 1}, r)
        self.assertEqual(info["status"], {"reported": 5, "confirmed": 6, "allowlisted": 1}, r)
        expected_cats = dict.fromkeys(CATEGORIES, 0)
        expected_cats.update(impersonation=2, task_job=2, investment=2, loan=2, romance=1,
                             shopping=1, phishing=1, recovery=1, other=1)
        self.assertEqual(info["category"], expected_cats, r)
        self.assertEqual(info["source"], {"police": 3, "community": 5, "bank": 3, "telco": 1}, r)

    def test_sources_from_defaults_and_merges_counted_once_per_indicator(self):
        snap = self.build(data("merge-a.csv"), data("merge-b.jsonl"), data("list.txt"),
                          flags=["--source", "feed-x"])
        info = parse_info(self.run_ok("info", snap).out)
        self.assertEqual(info["fields"].get("indicators"), "6")
        self.assertEqual(info["kind"]["phone"], 2)
        self.assertEqual(info["kind"]["domain"], 3)
        self.assertEqual(info["kind"]["url"], 1)
        self.assertEqual(info["source"], {"bank": 2, "community": 2, "police": 2, "feed-x": 5})
        self.assertEqual(info["status"], {"reported": 4, "confirmed": 1, "allowlisted": 1})


class Verify(IndexerTest):

    def setUp(self):
        super().setUp()
        self.good = self.build(data("indicators.csv"), data("indicators.jsonl"),
                               data("misp-event.json"), out="good.fidx")
        with open(self.good, "rb") as f:
            self.bytes = f.read()

    def damaged(self, name, content):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(content)
        return p

    def assertRefused(self, p, why):
        r = self.run_fail("verify", p)
        self.assertIn(p, r.err, why)
        self.assertNotIn("ok", r.out, why)
        r = self.run_fail("lookup", p, "0912345678")
        self.assertEqual(r.out, "", "lookup answered from a damaged file (%s): %r" % (why, r))
        r = self.run_fail("info", p)

    def test_good_snapshot_verifies(self):
        r = self.run_ok("verify", self.good)
        self.assertIn("ok", r.out)
        self.assertIn("17 indicators", r.out)

    def test_flipped_byte_anywhere_is_caught(self):
        size = len(self.bytes)
        positions = {"magic": 0, "version": 8, "build time": 17, "file size": 25,
                     "header checksum": 33, "section table": 50, "middle": size // 2,
                     "two thirds": size * 2 // 3, "last byte": size - 1}
        positions.update({"1/%d" % k: size * k // 16 for k in range(1, 16, 2)})
        for what, pos in positions.items():
            for mask in (0x01, 0xFF):
                b = bytearray(self.bytes)
                b[pos] ^= mask
                with self.subTest(what=what, pos=pos, mask=mask):
                    self.assertRefused(self.damaged("flip-%d-%d.fidx" % (pos, mask), bytes(b)),
                                       "byte %d (%s) ^ 0x%02x" % (pos, what, mask))

    def test_truncated_and_extended_files_fail(self):
        size = len(self.bytes)
        for n in (0, 7, 39, 64, size // 2, size - 1):
            with self.subTest(length=n):
                self.assertRefused(self.damaged("cut-%d.fidx" % n, self.bytes[:n]),
                                   "cut to %d bytes" % n)
        self.assertRefused(self.damaged("long.fidx", self.bytes + b"\0" * 64), "64 bytes added")

    def test_not_a_snapshot_fails(self):
        self.assertRefused(data("indicators.csv"), "a CSV file")
        self.assertRefused(self.damaged("zeros.fidx", b"\0" * 4096), "zeros")
        self.assertRefused(self.damaged("text.fidx", b"FIDXSNAP but not really\n" * 20),
                           "magic then text")
        missing = self.path("missing.fidx")
        r = self.run_fail("verify", missing)
        self.assertIn(missing, r.err)
        r = self.run_fail("lookup", missing, "0912345678")
        self.assertIn(missing, r.err)

    def test_copy_verifies_and_answers_the_same(self):
        copy = self.path("copy.fidx")
        shutil.copyfile(self.good, copy)
        self.run_ok("verify", copy)
        a = run("lookup", self.good, "0912345678", "MB 0868123456789").out
        b = run("lookup", copy, "0912345678", "MB 0868123456789").out
        self.assertEqual(a, b)


if __name__ == "__main__":
    main()
