"""Usage errors exit 2 with a message on stderr and leave nothing behind; --help exits 0 with the
usage on stdout; lookup answers every value, an invalid one with a JSON error object."""

import os

from fidxcli import IndexerTest, data, main, run


class Usage(IndexerTest):

    def usage_error(self, *args, mentions=()):
        r = run(*args)
        self.assertEqual(r.code, 2, r)
        self.assertTrue(r.err.strip(), "no message on stderr: %r" % r)
        self.assertEqual(r.out, "", "a usage error printed on stdout: %r" % r)
        for word in mentions:
            self.assertIn(word, r.err, r)
        return r

    def test_help(self):
        for flag in ("--help", "-h"):
            r = run(flag)
            self.assertEqual(r.code, 0, r)
            self.assertIn("usage", r.out.lower(), r)
            for cmd in ("build", "info", "lookup", "verify"):
                self.assertIn(cmd, r.out, r)
            self.assertEqual(r.err, "", r)

    def test_no_command(self):
        self.usage_error()

    def test_unknown_command(self):
        self.usage_error("frobnicate", mentions=["frobnicate"])
        self.usage_error("BUILD", "-o", self.path("o.fidx"), data("list.txt"))

    def test_build_usage_errors(self):
        o = self.path("out.fidx")
        inp = data("indicators.csv")
        cases = [
            (["build", inp], ["-o"]),                                    # no output
            (["build", "-o", o], ["INPUT"]),                             # no input
            (["build", "-o", o, "--status", "scam", inp], ["scam"]),     # bad --status
            (["build", "-o", o, "--status", "CONFIRMED", inp], ["CONFIRMED"]),
            (["build", "-o", o, "--category", "lottery", inp], ["lottery"]),
            (["build", "-o", o, "--category", "loan;lottery", inp], ["lottery"]),
            (["build", "-o", o, "--no-such-flag", inp], ["no-such-flag"]),
            (["build", "-o"], []),                                       # -o without a value
        ]
        for args, mentions in cases:
            with self.subTest(args=args):
                self.usage_error(*args, mentions=mentions)
                self.assertFalse(os.path.exists(o))
        self.assertEqual(os.listdir(self.tmp), [])

    def test_lookup_usage_errors(self):
        snap = self.build(data("list.txt"))
        self.usage_error("lookup")
        self.usage_error("lookup", snap)  # no value
        self.usage_error("lookup", "--kind", "phone", snap)
        self.usage_error("lookup", "--kind", "fax", snap, "0912345678", mentions=["fax"])
        self.usage_error("lookup", "--kind", "PHONE", snap, "0912345678")

    def test_info_verify_without_file(self):
        snap = self.build(data("list.txt"))
        for cmd in ("info", "verify"):
            with self.subTest(cmd=cmd):
                self.usage_error(cmd)
                self.usage_error(cmd, snap, snap)


class Lookup(IndexerTest):

    def test_invalid_value_reported_others_answered(self):
        snap = self.build(data("indicators.csv"))
        values = ["0912 345 678", "???", "https://m.shopee-khuyenmai.vn/", "1900545413"]
        r = run("lookup", snap, *values)
        self.assertEqual(r.code, 1, r)
        res = r.json_lines()
        self.assertEqual([x["query"] for x in res], values, r)
        self.assertVerdict(res[0], "scam", "+84912345678")
        self.assertNotIn("verdict", res[1], r)
        self.assertEqual(res[1]["error"]["code"], "invalid_value", r)
        self.assertTrue(res[1]["error"]["message"], r)
        self.assertVerdict(res[2], "suspicious", match_value="shopee-khuyenmai.vn")
        self.assertVerdict(res[3], "safe")

    def test_invalid_for_the_kind_asked(self):
        snap = self.build(data("indicators.csv"))
        r = run("lookup", "--kind", "phone", snap, "0912345678", "shopee-khuyenmai.vn")
        self.assertEqual(r.code, 1, r)
        ok, bad = r.json_lines()
        self.assertVerdict(ok, "scam", "+84912345678", kind="phone")
        self.assertEqual(bad["query"], "shopee-khuyenmai.vn")
        self.assertEqual(bad["error"]["code"], "invalid_value", r)
        r = run("lookup", "--kind", "email", snap, "not an e-mail")
        self.assertEqual(r.code, 1, r)
        self.assertEqual(r.json_lines()[0]["error"]["code"], "invalid_value", r)

    def test_kind_and_platform(self):
        snap = self.build(data("indicators.jsonl"))
        res = self.lookup1(snap, "@scam_bot", kind="social_account", platform="telegram")
        self.assertVerdict(res, "suspicious", "telegram:scam_bot", "telegram:scam_bot",
                           kind="social_account")
        res = self.lookup1(snap, "19036512345678", kind="bank_account")
        self.assertVerdict(res, "scam", "*:19036512345678", "970407:19036512345678",
                           kind="bank_account")
        res = self.lookup1(snap, "Vietcombank 19036512345678")  # another bank: no match
        self.assertVerdict(res, "unknown", "970436:19036512345678")

    def test_unknown_value_has_no_match(self):
        snap = self.build(data("indicators.csv"))
        phone, dom, mail = self.lookup(snap, "0999 999 999", "khong-co-trong-danh-sach.vn",
                                       "ai.do@example.org")
        self.assertVerdict(phone, "unknown", "+84999999999", kind="phone")
        self.assertVerdict(dom, "unknown", "khong-co-trong-danh-sach.vn", kind="domain")
        self.assertVerdict(mail, "unknown", "ai.do@example.org", kind="email")

    def test_output_is_one_json_object_a_line(self):
        snap = self.build(data("indicators.csv"))
        values = ["0912345678", 'a "quoted"\tvalue\\', "xn--ngnhng-ltan.vn", "Lừa Đảo"]
        r = run("lookup", snap, *values)
        lines = r.out.split("\n")
        self.assertEqual(lines[-1], "", r)
        self.assertEqual(len(lines) - 1, len(values), r)
        self.assertEqual([x["query"] for x in r.json_lines()], values, r)


if __name__ == "__main__":
    main()
