"""build from each input format (CSV, JSON Lines, plain list, MISP event, STIX 2.1 bundle),
from several inputs at once, and with misleading file names; then lookup answers for the values
each file holds."""

import re
import shutil

from fidxcli import IndexerTest, data, main


def built_count(r):
    """The indicator and rejected counts from build's "wrote …" line."""
    m = re.search(r"(\d+) indicators from (\d+) rows \((\d+) rejected\)", r.out)
    if not m:
        raise AssertionError("no summary line in build output: %r" % r)
    return int(m.group(1)), int(m.group(3))


class Formats(IndexerTest):

    def build_counted(self, *inputs, expect, flags=()):
        o = self.path("out.fidx")
        r = self.run_ok("build", "-o", o, *flags, *inputs)
        self.assertEqual(built_count(r), (expect, 0), r)
        self.assertEqual(r.err, "", r)
        return o

    # ---- one file per format ----------------------------------------------------------------

    def check_csv(self, snap):
        phone, bank, url, sub, url_other, email, fb, fb_canon, hotline = self.lookup(
            snap, "0912.345.678", "VCB 0123 456 789", "vietcombank-xacthuc.com/dang-nhap?ref=sms",
            "https://m.shopee-khuyenmai.vn/flash-sale", "https://vietcombank-xacthuc.com/khac",
            "LUA.DAO@example.com", "https://m.facebook.com/nguyen.van.a",
            "facebook:nguyen.van.a", "1900545413")
        self.assertVerdict(phone, "scam", "+84912345678", "+84912345678", "phone", kind="phone")
        self.assertMatch(phone, categories=["impersonation"], reports=12,
                         first_seen="2024-03-01", last_seen="2024-04-02", sources=["police"])
        self.assertVerdict(bank, "suspicious", "970436:0123456789", "970436:0123456789",
                           "bank_account", kind="bank_account")
        self.assertMatch(bank, categories=["task_job", "investment"], reports=3,
                         sources=["community"])
        # A URL entry matches the same page with a query (Safe Browsing path expression)...
        self.assertVerdict(url, "scam", match_value="vietcombank-xacthuc.com/dang-nhap",
                           match_kind="url", kind="url")
        self.assertMatch(url, categories=["impersonation", "phishing"], reports=5,
                         first_seen="2024-06-01", last_seen=None, sources=["bank"])
        # ...but does not block the rest of its host.
        self.assertVerdict(url_other, "unknown")
        # A domain entry covers its subdomains and every path on them.
        self.assertVerdict(sub, "suspicious", match_value="shopee-khuyenmai.vn",
                           match_kind="domain")
        self.assertMatch(sub, categories=["shopping"], reports=1, sources=["community"])
        # The row without a kind was detected as an e-mail address.
        self.assertVerdict(email, "suspicious", "lua.dao@example.com", "lua.dao@example.com",
                           "email", kind="email")
        self.assertMatch(email, categories=["romance"], reports=2)
        self.assertVerdict(fb, "scam", match_value="facebook:nguyen.van.a",
                           match_kind="social_account")
        self.assertVerdict(fb_canon, "scam", "facebook:nguyen.van.a", "facebook:nguyen.van.a",
                           "social_account", kind="social_account")
        self.assertMatch(fb_canon, categories=["recovery"], first_seen="2024-01-15",
                         last_seen="2024-02-20", sources=["police"])
        self.assertVerdict(hotline, "safe", "1900545413", "1900545413", "phone", kind="phone")
        self.assertMatch(hotline, categories=[], sources=["bank"])

    def test_csv(self):
        self.check_csv(self.build_counted(data("indicators.csv"), expect=7))

    def check_jsonl(self, snap):
        phone, tg, tg_handle, bank, dom, kindless = self.lookup(
            snap, "0987 654 321", "https://t.me/scam_bot", "telegram:scam_bot",
            "Techcombank 1903 6512 345 678", "http://www.vaytien-nhanh.com/dang-ky",
            "+84866777888")
        self.assertVerdict(phone, "scam", "+84987654321", "+84987654321", "phone")
        self.assertMatch(phone, categories=["loan", "other"], reports=7, sources=["telco"],
                         first_seen="2024-02-01", last_seen="2024-02-28")
        self.assertVerdict(tg, "suspicious", match_value="telegram:scam_bot",
                           match_kind="social_account")
        self.assertVerdict(tg_handle, "suspicious", "telegram:scam_bot", "telegram:scam_bot")
        self.assertMatch(tg_handle, categories=["investment"], sources=["community"])
        # "reports" given as a string in JSON Lines is read like a number.
        self.assertVerdict(bank, "scam", "970407:19036512345678", "970407:19036512345678",
                           "bank_account")
        self.assertMatch(bank, reports=4, categories=["task_job"], sources=["bank"])
        # A defanged domain ("vaytien-nhanh[.]com") is stored as the real one.
        self.assertVerdict(dom, "scam", match_value="vaytien-nhanh.com", match_kind="domain")
        self.assertMatch(dom, categories=["loan"], sources=["police"])
        # No kind, no status, an empty categories array: detected phone, reported, none.
        self.assertVerdict(kindless, "suspicious", "+84866777888", "+84866777888", "phone")
        self.assertMatch(kindless, categories=[], reports=1, first_seen="2024-04-01",
                         sources=["community"])

    def test_jsonl(self):
        self.check_jsonl(self.build_counted(data("indicators.jsonl"), expect=5))

    def check_list(self, snap):
        dom, url_deeper, url_other, phone, last, comment = self.lookup(
            snap, "https://www.dautu-sinhloi.com/",
            "https://nhantien-online.net/qua-tang/nhan.html",
            "https://nhantien-online.net/", "+84 832 111 222", "hotro-vcb.com",
            "da-go-bo.vn")
        self.assertVerdict(dom, "suspicious", match_value="dautu-sinhloi.com",
                           match_kind="domain")
        # Plain lists say nothing but the value: reported, no categories, no source.
        self.assertMatch(dom, categories=[], reports=1, sources=[])
        # "http://nhantien-online.net/qua-tang/" is a directory entry: pages below it match.
        self.assertVerdict(url_deeper, "suspicious", match_value="nhantien-online.net/qua-tang/",
                           match_kind="url")
        self.assertVerdict(url_other, "unknown")
        self.assertVerdict(phone, "suspicious", "+84832111222", "+84832111222", "phone")
        self.assertVerdict(last, "suspicious", match_value="hotro-vcb.com")
        self.assertVerdict(comment, "unknown")

    def test_list(self):
        self.check_list(self.build_counted(data("list.txt"), expect=4))

    def check_misp(self, snap):
        url, phone, dom, email, bank, victim = self.lookup(
            snap, "https://vcb-digibank-xacminh.com/otp", "0886 123 456",
            "https://login.digibank-vcb.net/", "cskh.vietcombank@gmail-support.com",
            "MBBank 0868 123 456 789", "0903000111")
        self.assertVerdict(url, "suspicious", match_value="vcb-digibank-xacminh.com/otp",
                           match_kind="url")
        # Attributes without their own dates take the event's date as first_seen.
        self.assertMatch(url, first_seen="2024-07-15", last_seen=None, reports=1)
        self.assertVerdict(phone, "suspicious", "+84886123456", "+84886123456", "phone")
        self.assertMatch(phone, first_seen="2024-07-10", last_seen="2024-07-20")
        self.assertVerdict(dom, "suspicious", match_value="digibank-vcb.net", match_kind="domain")
        self.assertVerdict(email, "suspicious", "cskh.vietcombank@gmail-support.com",
                           "cskh.vietcombank@gmail-support.com", "email")
        # The bank account comes from a MISP object's attribute list.
        self.assertVerdict(bank, "suspicious", "970422:0868123456789", "970422:0868123456789",
                           "bank_account")
        # to_ids: false (the victim's number) is context, not an indicator.
        self.assertVerdict(victim, "unknown", "+84903000111")

    def test_misp(self):
        # url, phone, domain, email, bank account; ip-dst, to_ids:false and text are skipped.
        self.check_misp(self.build_counted(data("misp-event.json"), expect=5))

    def check_stix(self, snap):
        url, dom, email, revoked = self.lookup(
            snap, "http://lazada-trungthuong.vn/nhan-qua", "https://www.lazada-quatang.com/abc",
            "Hoantien.Thue@tongcucthue-gov.com", "revoked-example.vn")
        self.assertVerdict(url, "suspicious", match_value="lazada-trungthuong.vn/nhan-qua",
                           match_kind="url")
        # labels in the vocabulary become categories; valid_from gives first_seen.
        self.assertMatch(url, categories=["shopping", "phishing"], first_seen="2024-08-02")
        self.assertVerdict(dom, "suspicious", match_value="lazada-quatang.com",
                           match_kind="domain")
        self.assertMatch(dom, categories=["shopping", "phishing"])
        self.assertVerdict(email, "suspicious", "hoantien.thue@tongcucthue-gov.com",
                           "hoantien.thue@tongcucthue-gov.com", "email")
        self.assertMatch(email, first_seen="2024-08-03", categories=[])
        # A revoked indicator is not read.
        self.assertVerdict(revoked, "unknown")

    def test_stix(self):
        # url and domain from one pattern, the e-mail from another (its ipv4 comparison is
        # skipped); the revoked indicator and the snort pattern give nothing.
        self.check_stix(self.build_counted(data("stix-bundle.json"), expect=3))

    # ---- several inputs, misleading names ---------------------------------------------------

    ALL = ["indicators.csv", "indicators.jsonl", "list.txt", "misp-event.json",
           "stix-bundle.json"]

    def test_several_inputs_at_once(self):
        snap = self.build_counted(*[data(n) for n in self.ALL], expect=7 + 5 + 4 + 5 + 3)
        self.check_csv(snap)
        self.check_jsonl(snap)
        self.check_list(snap)
        self.check_misp(snap)
        self.check_stix(snap)
        self.run_ok("verify", snap)

    def test_zero_reports_are_kept(self):
        # An allowlist exported with zero counts for official hotlines (issue 13): 0 is a
        # count, kept as 0 in CSV and JSON Lines alike, and adds up with later rows.
        csv = self.write("allow.csv", "kind,value,status,source,reports\n"
                                      "phone,1900 54 54 13,allowlisted,bank,0\n"
                                      "domain,vietcombank.com.vn,allowlisted,bank,0\n"
                                      "domain,vietcombank.com.vn,allowlisted,official,00\n")
        jsonl = self.write("allow.jsonl", '{"value":"18001234","status":"allowlisted",'
                                          '"source":"telco","reports":0}\n'
                                          '{"value":"help@bank.vn","status":"allowlisted",'
                                          '"reports":"0"}\n')
        snap = self.build_counted(csv, jsonl, expect=4)
        hotline, site, free, mail = self.lookup(snap, "1900545413", "https://vietcombank.com.vn/",
                                                "1800 1234", "help@bank.vn")
        for res in (hotline, site, free, mail):
            self.assertEqual(res["verdict"], "safe", res)
            self.assertMatch(res, reports=0)
        self.run_ok("verify", snap)

    def test_format_detected_from_content_not_name(self):
        # Each file under a name that suggests another format (or none at all).
        names = {"indicators.csv": "feed.json", "indicators.jsonl": "feed.csv",
                 "list.txt": "list.jsonl", "misp-event.json": "event.txt",
                 "stix-bundle.json": "bundle"}
        copies = []
        for src, dst in names.items():
            copies.append(self.path(dst))
            shutil.copyfile(data(src), copies[-1])
        snap = self.build_counted(*copies, expect=24)
        self.check_csv(snap)
        self.check_jsonl(snap)
        self.check_list(snap)
        self.check_misp(snap)
        self.check_stix(snap)

    def test_crlf_and_bom(self):
        # A CSV saved by a spreadsheet on Windows: UTF-8 BOM and CRLF line ends.
        with open(data("indicators.csv"), encoding="utf-8") as f:
            text = f.read()
        p = self.path("excel.csv")
        with open(p, "wb") as f:
            f.write(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
        self.check_csv(self.build_counted(p, expect=7))


class ProfileLinks(IndexerTest):
    """Feeds list scam profiles as links (the public list has www.facebook.com/… and
    oa.zalo.me/… entries). A listed profile must be found however a citizen writes it: as
    the canonical account, from the mobile or short link, or (Zalo) as the phone number. The
    contract: these links normalise to the social_account, and a link is checked as that
    account."""

    def test_profile_links_without_kind_block_the_account(self):
        p = self.write("profiles.txt", "https://www.facebook.com/Nguyen.Van.B\n"
                                       "t.me/lua_dao_bot\n"
                                       "zalo.me/0912345111\n"
                                       "https://www.tiktok.com/@shop_gia_re\n")
        snap = self.build(p)
        queries = [("https://www.facebook.com/Nguyen.Van.B", None, None),
                   ("facebook:nguyen.van.b", None, None),
                   ("https://m.facebook.com/nguyen.van.b?mibextid=abc", None, None),
                   ("fb.com/Nguyen.Van.B", None, None),
                   ("https://t.me/lua_dao_bot", None, None),
                   ("telegram:lua_dao_bot", None, None),
                   ("@lua_dao_bot", "social_account", "telegram"),
                   ("zalo:0912345111", None, None),
                   ("0912 345 111", None, None),
                   ("tiktok.com/@shop_gia_re", None, None),
                   ("tiktok:shop_gia_re", None, None)]
        for q, kind, platform in queries:
            with self.subTest(query=q):
                res = self.lookup1(snap, q, kind=kind, platform=platform)
                self.assertEqual(res["verdict"], "suspicious", res)

    def test_profile_links_given_as_social_accounts(self):
        # With the kind given, every way of writing the profile finds it.
        p = self.write("profiles.csv", "kind,value\n"
                                       "social_account,https://www.facebook.com/Nguyen.Van.B\n"
                                       "social_account,zalo.me/0912345111\n")
        snap = self.build(p)
        for q in ("facebook:nguyen.van.b", "https://m.facebook.com/nguyen.van.b",
                  "fb.com/Nguyen.Van.B", "https://zalo.me/0912345111", "zalo:+84912345111"):
            with self.subTest(query=q):
                res = self.lookup1(snap, q)
                self.assertEqual(res["verdict"], "suspicious", res)
                self.assertIn(res["match"]["value"],
                              ("facebook:nguyen.van.b", "zalo:+84912345111"), res)


if __name__ == "__main__":
    main()
