"""build with bad rows, --strict, inputs with nothing usable, missing inputs, and what a failed
build leaves behind (nothing new, and an existing snapshot untouched)."""

import os
import re

from fidxcli import IndexerTest, data, main

# bad.csv: the line of each bad row and a word its reason must hold. Line 8-9 is a good row
# whose quoted note holds a newline, so line 10 checks that records are counted in lines.
BAD_CSV = [(3, "kind"), (4, "status"), (5, "categor"), (6, "phone"), (7, "first_seen"),
           (10, "mail"), (11, "last_seen")]
# bad.jsonl: line 3 is blank.
BAD_JSONL = [(2, "kind"), (4, "status"), (5, "JSON"), (6, "categor"), (7, "mail"),
             (8, "first_seen"), (9, "last_seen")]


class BadRows(IndexerTest):

    def reported_lines(self, r, path):
        """{line: reason} of every "PATH:LINE: reason" on stderr."""
        found = {}
        for m in re.finditer(r"(?m)^%s:(\d+): (.+)$" % re.escape(path), r.err):
            self.assertNotIn(int(m.group(1)), found, r)
            found[int(m.group(1))] = m.group(2)
        return found

    def check_reports(self, r, path, expected):
        found = self.reported_lines(r, path)
        self.assertEqual(sorted(found), [line for line, _ in expected], r)
        for line, word in expected:
            self.assertIn(word.lower(), found[line].lower(), "line %d: %r" % (line, r))

    def test_bad_csv_rows_reported_and_skipped(self):
        p = data("bad.csv")
        o = self.path("out.fidx")
        r = self.run_ok("build", "-o", o, p)
        self.check_reports(r, p, BAD_CSV)
        self.assertRegex(r.out, r"3 indicators from 10 rows \(7 rejected\)")
        good1, good2, good3, *bad = self.lookup(
            o, "0912000001", "0912 000 006", "ok-after-bad-rows.vn", "0912000002", "0912000003",
            "0912000004", "0912000005", "0912000007")
        self.assertVerdict(good1, "scam", match_value="+84912000001")
        self.assertVerdict(good2, "suspicious", match_value="+84912000006")
        self.assertVerdict(good3, "suspicious", match_value="ok-after-bad-rows.vn")
        for res in bad:  # a bad row is rejected whole: no part of it is indexed
            self.assertVerdict(res, "unknown")

    def test_bad_jsonl_rows_reported_and_skipped(self):
        p = data("bad.jsonl")
        o = self.path("out.fidx")
        r = self.run_ok("build", "-o", o, p)
        self.check_reports(r, p, BAD_JSONL)
        self.assertRegex(r.out, r"2 indicators from 9 rows \(7 rejected\)")
        ok1, ok2, *bad = self.lookup(o, "0912000101", "ok-jsonl-after-bad-rows.vn",
                                     "0912000102", "0912000103", "0912000104", "0912000105",
                                     "dautu-ok.vn")
        self.assertVerdict(ok1, "scam")
        self.assertVerdict(ok2, "suspicious")
        for res in bad:
            self.assertVerdict(res, "unknown")

    def test_line_numbers_count_multiline_fields_and_blank_lines(self):
        p = self.write("ml.csv", 'value,note\n"0912 000 301","one\ntwo\nthree"\n\n'
                                 'not-a-value,\n"0912 000 302","x\r\ny"\r\nfoo bar baz,\n')
        r = self.run_ok("build", "-o", self.path("o.fidx"), p)
        self.assertEqual(sorted(self.reported_lines(r, p)), [6, 9], r)

    def test_strict_fails_on_first_bad_row(self):
        p = data("bad.csv")
        o = self.path("out.fidx")
        r = self.run_fail("build", "--strict", "-o", o, p)
        self.assertEqual(sorted(self.reported_lines(r, p)), [3], r)
        self.assertFalse(os.path.exists(o), r)
        self.assertEqual(os.listdir(self.tmp), [], "a failed build leaves no file behind")

    def test_strict_passes_on_clean_input(self):
        self.build(data("indicators.csv"), data("stix-bundle.json"), flags=["--strict"])

    def test_nothing_usable_fails_without_output(self):
        o = self.path("out.fidx")
        empty = self.write("empty.csv", "")
        header_only = self.write("header.csv", "kind,value,status\n")
        comments = self.write("comments.txt", "# nothing but comments\n\n# here\n")
        for p in (data("allbad.csv"), empty, header_only, comments):
            r = self.run_fail("build", "-o", o, p)
            self.assertFalse(os.path.exists(o), r)
        self.assertEqual(sorted(os.listdir(self.tmp)),
                         ["comments.txt", "empty.csv", "header.csv"])

    def test_missing_input_named(self):
        o = self.path("out.fidx")
        missing = self.path("no-such-feed.csv")
        r = self.run_fail("build", "-o", o, data("indicators.csv"), missing)
        self.assertIn(missing, r.err)
        self.assertFalse(os.path.exists(o), r)
        r = self.run_fail("build", "-o", o, self.tmp)  # a directory is not an input file
        self.assertIn(self.tmp, r.err)
        self.assertFalse(os.path.exists(o), r)

    def test_unreadable_format_fails(self):
        o = self.path("out.fidx")
        for name, text in (("other.json", '{"hello": "world"}\n'),
                           ("bin.dat", "\x01\x02\x03 binary\x00\x04\n" * 4),
                           ("broken-misp.json", '{"Event": {"Attribute": [\n')):
            p = self.write(name, text)
            r = self.run_fail("build", "-o", o, p)
            self.assertIn(p, r.err)
            self.assertFalse(os.path.exists(o), r)

    def test_failed_build_leaves_existing_snapshot_untouched(self):
        o = self.build(data("indicators.csv"))
        with open(o, "rb") as f:
            before = f.read()
        before_stat = os.stat(o)
        for args in (["build", "-o", o, data("allbad.csv")],
                     ["build", "-o", o, data("list.txt"), self.path("missing.txt")],
                     ["build", "--strict", "-o", o, data("bad.csv")]):
            self.run_fail(*args)
            with open(o, "rb") as f:
                self.assertEqual(f.read(), before, args)
            self.assertEqual(os.stat(o).st_ino, before_stat.st_ino, args)
            self.assertEqual(os.listdir(self.tmp), ["out.fidx"], "stray files after %r" % args)
        self.assertVerdict(self.lookup1(o, "0912345678"), "scam")


if __name__ == "__main__":
    main()
