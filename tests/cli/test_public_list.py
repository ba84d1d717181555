"""The real public list: Chống Lừa Đảo's blocklist (shared/data/chongluadao-urls.txt, ~34k
lines: bare domains, some IDN, ~100 entries with a path). Built with --status/--source
defaults, then: a listed domain's subdomains are found, an entry with a path matches its own
page and the pages under it but not the whole host, an unlisted domain is unknown."""

import os
import re
import shutil
import sys
import tempfile
import unittest

from fidxcli import SOURCE_DIR, IndexerTest, main, run

LIST = os.path.join(SOURCE_DIR, "..", "shared", "data", "chongluadao-urls.txt")
SIMPLE = re.compile(r"^[a-z0-9.-]+$")
SIMPLE_PATH = re.compile(r"^([a-z0-9.-]+)(/[A-Za-z0-9._-]+)+$")


def read_list():
    with open(LIST, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def parents(host):
    """host and each parent domain of two labels or more."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


@unittest.skipUnless(os.path.isfile(LIST),
                     "public list not found at %s (the shared folder sits next to the source "
                     "tree); skipping the real-data test" % os.path.normpath(LIST))
class PublicList(IndexerTest):

    @classmethod
    def setUpClass(cls):
        cls.lines = read_list()
        cls.listed = set(cls.lines)
        # Domains that some entry sits under (its host or a parent of it, the entry itself
        # excepted), and every proper prefix of an entry's path at a '/'.
        cls.above, cls.path_prefixes = set(), set()
        for line in cls.lines:
            host, slash, path = line.partition("/")
            cls.above.update(parents(host)[0 if slash else 1:])
            for i in range(len(host), len(line)):
                if line[i] == "/":
                    cls.path_prefixes.add(line[:i])
        # One build for the whole class: the list is large.
        cls.class_tmp = tempfile.mkdtemp(prefix="fidx-cli-public-")
        cls.snap = os.path.join(cls.class_tmp, "chongluadao.fidx")
        cls.build_run = run("build", "-o", cls.snap, "--status", "confirmed", "--source",
                            "chongluadao", "--category", "phishing", LIST)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.assertEqual(self.build_run.code, 0, self.build_run)

    def test_build_reads_nearly_every_line(self):
        r = self.build_run
        m = re.search(r"(\d+) indicators from (\d+) rows \((\d+) rejected\)", r.out)
        self.assertTrue(m, r)
        indicators, rows, rejected = map(int, m.groups())
        self.assertEqual(rows, len(self.lines), r)
        # Nearly every line is usable; the few rejected are each reported with their line.
        self.assertLess(rejected, rows // 100, r)
        self.assertEqual(len(re.findall(r"(?m)^%s:\d+: " % re.escape(LIST), r.err)), rejected, r)
        self.assertGreater(indicators, rows * 9 // 10, r)

    def bare_domain(self):
        """A listed bare ASCII domain of two labels with no other entry under it."""
        for d in self.lines:
            if SIMPLE.match(d) and d.count(".") == 1 and d not in self.above:
                return d
        self.fail("no bare domain found in the list")

    def path_entry(self):
        """A listed host/path entry whose host (and its parents) is not listed by itself, and
        that is not a prefix of another entry."""
        for e in self.lines:
            m = SIMPLE_PATH.match(e)
            if not m:
                continue
            host = m.group(1)
            if any(p in self.listed or "www." + p in self.listed for p in parents(host)):
                continue
            if e in self.path_prefixes:
                continue
            return e, host
        self.fail("no entry with a path found in the list")

    def check_decided(self, res, value, kind):
        self.assertVerdict(res, "scam", match_value=value, match_kind=kind)
        self.assertMatch(res, sources=["chongluadao"], categories=["phishing"])

    def test_subdomain_of_listed_domain(self):
        d = self.bare_domain()
        exact, sub, deep = self.lookup(self.snap, d, "https://dang-nhap.%s/tai-khoan?x=1" % d,
                                       "a.b.%s" % d.upper())
        for res in (exact, sub, deep):
            self.check_decided(res, d, "domain")
        # A name that merely ends with the same letters is another domain.
        self.assertVerdict(self.lookup1(self.snap, "khac" + d), "unknown")

    def test_path_entry_matches_its_pages_not_the_host(self):
        entry, host = self.path_entry()
        page, with_query, below, other, longer, root = self.lookup(
            self.snap, "https://" + entry, "http://%s?utm_source=zalo#top" % entry,
            "https://%s/dang-ky/buoc-2" % entry, "https://%s/trang-khac-hoan-toan" % host,
            "https://%sx" % entry, "https://%s/" % host)
        self.check_decided(page, entry, "url")
        self.check_decided(with_query, entry, "url")
        # The shared list's own note: an entry with a path matches by path prefix (whole
        # segments), and does not block the whole host.
        self.check_decided(below, entry, "url")
        self.assertVerdict(longer, "unknown")
        self.assertVerdict(other, "unknown")
        self.assertVerdict(root, "unknown")
        self.assertVerdict(self.lookup1(self.snap, host), "unknown")

    def test_idn_entry(self):
        idn = [line for line in self.lines if not line.isascii() and "/" not in line
               and not line.startswith("www.") and line.count(".") == 1]
        if not idn:
            self.skipTest("no IDN entry in this copy of the list")
        name = idn[0]
        res = self.lookup1(self.snap, "https://dang-nhap.%s/" % name)
        self.check_decided(res, None, "domain")
        self.assertTrue(res["match"]["value"].startswith("xn--"), res)
        self.assertEqual(res["match"]["value"].encode("ascii").decode("idna"), name, res)

    def test_unlisted_domain_unknown(self):
        for host, v in (("khong-co-trong-danh-sach-nay.vn", "khong-co-trong-danh-sach-nay.vn"),
                        ("vietcombank.com.vn", "https://vietcombank.com.vn/"),
                        ("www.google.com", "https://www.google.com/search?q=lua+dao")):
            with self.subTest(value=v):
                self.assertFalse([p for p in parents(host) if p in self.listed])
                self.assertVerdict(self.lookup1(self.snap, v), "unknown")

    def test_snapshot_verifies(self):
        r = self.run_ok("verify", self.snap)
        self.assertIn("ok", r.out)


if __name__ == "__main__":
    if not os.path.isfile(LIST):
        print("SKIPPED: public list not found at %s (in CI the shared folder sits next to the "
              "source tree)" % os.path.normpath(LIST), file=sys.stderr)
        sys.exit(77)  # ctest: SKIP_RETURN_CODE
    main()
