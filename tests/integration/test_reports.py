"""Citizens' reports and the web page, through a real HTTP client against the real service:
POST /v1/reports (202, validation, 429 with Retry-After, 503 when the queue is full), the
durable store under --data-dir (one JSON line per report, fsynced before the 202, kept across
kill -9, a torn last line cut at start), the plain HTML form (POST /report), and the page's
routes (GET /, /check, /report, /static/*) with their headers."""

import json
import os
import re
import stat
import subprocess
import urllib.parse

import fidxsvc
from fidxsvc import CANON_SCAM_PHONE, SCAM_PHONE

ID_RE = re.compile(r"^r[0-9a-f]{28}$")


def other_phone(i):
    """A distinct number per i: the same value twice from one network is one report."""
    return "0912%06d" % (100000 + i)


class ReportTest(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.dir, "data")

    def start_reports(self, *args):
        return self.start("--data-dir", self.data, *args)

    def lines(self):
        path = os.path.join(self.data, "reports.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            raw = f.read()
        self.assertTrue(raw == b"" or raw.endswith(b"\n"), raw[-100:])
        return [json.loads(line) for line in raw.decode("utf-8").splitlines()]

    def report(self, svc, body, **kw):
        return svc.post_json("/v1/reports", body, **kw)


class PostReports(ReportTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_reports("--report-burst", "100")

    def test_report_is_accepted_and_stored(self):
        r = self.report(self.svc, {"kind": "phone", "value": "0912 345 678",
                                   "category": "impersonation",
                                   "description": "Gọi tự xưng công an, đòi chuyển tiền"})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.headers["content-type"], "application/json; charset=utf-8")
        body = r.json()
        self.assertEqual(set(body), {"id", "status"})
        self.assertEqual(body["status"], "pending")
        self.assertRegex(body["id"], ID_RE)
        # Durable before the answer: the line is in the file now.
        [line] = self.lines()
        self.assertEqual(line["type"], "report")
        self.assertEqual(line["id"], body["id"])
        self.assertEqual(line["kind"], "phone")
        self.assertEqual(line["value"], CANON_SCAM_PHONE)
        self.assertEqual(line["query"], "0912 345 678")
        self.assertEqual(line["category"], "impersonation")
        self.assertEqual(line["description"], "Gọi tự xưng công an, đòi chuyển tiền")
        self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(stat.S_IMODE(os.stat(self.data).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.data, "reports.jsonl")).st_mode),
                         0o600)

    def test_kind_is_detected_and_bank_chosen(self):
        cases = [({"value": "VCB 0123456789"}, "bank_account", "970436:0123456789"),
                 ({"bank": "970436", "value": "0123 456 789"}, "bank_account",
                  "970436:0123456789"),
                 ({"kind": "url", "value": "HTTPS://Evil.Example/a"}, "url",
                  "https://evil.example/a"),
                 ({"value": "@scam_bot", "kind": "social_account", "platform": "telegram"},
                  "social_account", "telegram:scam_bot")]
        for body, kind, canon in cases:
            with self.subTest(body=body):
                r = self.report(self.svc, body)
                self.assertEqual(r.status, 202, r)
                line = self.lines()[-1]
                self.assertEqual((line["kind"], line["value"]), (kind, canon))
                self.assertIsNone(line["category"])
                self.assertEqual(line["description"], "")

    def test_invalid_reports_are_refused_and_not_stored(self):
        cases = [
            ({"kind": "phone"}, "invalid_value"),
            ({"value": ""}, "invalid_value"),
            ({"value": "hello there"}, "invalid_value"),
            ({"kind": "phone", "value": "12"}, "invalid_value"),
            ({"value": "x" * 3000}, "invalid_value"),
            ({"kind": "fax", "value": SCAM_PHONE}, "bad_request"),
            ({"value": SCAM_PHONE, "category": "spam"}, "bad_request"),
            ({"value": SCAM_PHONE, "bank": "Nowhere Bank"}, "bad_request"),
            ({"value": SCAM_PHONE, "description": "a" * 1001}, "bad_request"),
            ({"value": SCAM_PHONE, "description": "bell\u0007"}, "bad_request"),
            ({"value": 912345678}, "bad_request"),
            (["0912345678"], "bad_request"),
        ]
        for body, code in cases:
            with self.subTest(body=str(body)[:60]):
                self.assertError(self.report(self.svc, body), 400, code)
        self.assertEqual(self.lines(), [])
        # 1000 characters of Vietnamese (up to 3 bytes each) are fine.
        r = self.report(self.svc, {"value": SCAM_PHONE, "description": "ư" * 1000})
        self.assertEqual(r.status, 202, r)

    def test_body_errors(self):
        raw = self.svc.request
        self.assertError(raw("POST", "/v1/reports", body=b"{not json",
                             headers={"Content-Type": "application/json"}), 400, "invalid_json")
        self.assertError(raw("POST", "/v1/reports", body=b'{"value":"1","value":"2"}',
                             headers={"Content-Type": "application/json"}), 400, "invalid_json")
        self.assertError(raw("POST", "/v1/reports", body=b'{"value":"0912345678"}',
                             headers={"Content-Type": "text/plain"}), 400, "bad_request")
        big = json.dumps({"value": SCAM_PHONE, "description": "a" * 20000}).encode()
        self.assertError(raw("POST", "/v1/reports", body=big,
                             headers={"Content-Type": "application/json"}), 413, "too_large")
        # curl -d sends form-urlencoded; the body is still read as JSON, as for /v1/check.
        r = raw("POST", "/v1/reports", body=b'{"value":"0912345678"}',
                headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 202, r)

    def test_only_post(self):
        r = self.svc.get("/v1/reports")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.headers["allow"], "POST")

    def test_ids_are_unique(self):
        ids = {self.report(self.svc, {"value": other_phone(i)}).json()["id"] for i in range(50)}
        self.assertEqual(len(ids), 50)
        self.assertEqual(sorted(line["id"] for line in self.lines()), sorted(ids))


class RateLimit(ReportTest):
    def test_burst_then_429_with_retry_after(self):
        svc = self.start_reports("--report-rate", "1/h", "--report-burst", "2")
        # Invalid reports do not use up the allowance.
        for _ in range(5):
            self.assertError(self.report(svc, {"value": "nope"}), 400, "invalid_value")
        for i in range(2):
            self.assertEqual(self.report(svc, {"value": other_phone(i)}).status, 202)
        r = self.report(svc, {"value": other_phone(2)})
        self.assertError(r, 429, "rate_limited")
        retry = int(r.headers["retry-after"])
        self.assertTrue(1 <= retry <= 3600, retry)
        # The HTML form shares the client's allowance.
        form = urllib.parse.urlencode({"value": SCAM_PHONE, "lang": "en"}).encode()
        r = svc.request("POST", "/report", body=form,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 429)
        self.assertIn("retry-after", r.headers)
        self.assertIn("You have sent many reports", r.body.decode())
        self.assertEqual(len(self.lines()), 2)

    def test_full_queue_is_503(self):
        svc = self.start_reports("--max-pending-reports", "1")
        self.assertEqual(self.report(svc, {"value": SCAM_PHONE}).status, 202)
        r = self.report(svc, {"value": other_phone(1)})
        self.assertError(r, 503, "unavailable")
        self.assertIn("retry-after", r.headers)
        self.assertEqual(len(self.lines()), 1)

    def test_bad_flags_are_usage_errors(self):
        for args in (["--report-rate", "x"], ["--report-rate", "1/week"],
                     ["--report-burst", "0"], ["--max-pending-reports", "0"],
                     ["--data-dir", ""]):
            with self.subTest(args=args):
                p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot] + args,
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("fraudidx-service:", p.stderr)


class Durability(ReportTest):
    def test_reports_survive_kill_9_and_a_torn_line(self):
        svc = self.start_reports()
        ids = [self.report(svc, {"value": other_phone(i), "description": str(i)}).json()["id"]
               for i in range(3)]
        svc.kill()  # SIGKILL: nothing is flushed at exit
        self.assertEqual([line["id"] for line in self.lines()], ids)
        # A crash in the middle of a write leaves half a line; the next start cuts it.
        path = os.path.join(self.data, "reports.jsonl")
        size = os.path.getsize(path)
        with open(path, "ab") as f:
            f.write(b'{"type":"report","id":"r0000')
        svc = self.start_reports()
        self.assertEqual(os.path.getsize(path), size)
        ids.append(self.report(svc, {"value": other_phone(3)}).json()["id"])
        self.assertEqual([line["id"] for line in self.lines()], ids)
        self.assertEqual(svc.stop(), 0)

    def test_unusable_data_dir_stops_the_start(self):
        blocker = os.path.join(self.dir, "file")
        open(blocker, "w").close()
        p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot, "--listen",
                            "127.0.0.1:0", "--data-dir", blocker], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn(blocker, p.stderr)
        self.assertIn("data directory", p.stderr)


class HtmlForm(ReportTest):
    def post_form(self, svc, fields):
        return svc.request("POST", "/report", body=urllib.parse.urlencode(fields).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})

    def test_form_report_is_stored_and_thanked(self):
        svc = self.start_reports()
        r = self.post_form(svc, {"lang": "en", "kind": "", "bank": "970436",
                                 "value": "0123 456 789", "category": "investment",
                                 "description": "line one\r\nline two"})
        self.assertEqual(r.status, 200, r)
        html = r.body.decode()
        [line] = self.lines()
        self.assertIn("Thank you!", html)
        # The reference is the link to the report's status page (GET /report/ID).
        self.assertIn('(reference <a class="report-code" href="/report/%s?lang=en">'
                      '<bdi>%s</bdi></a>)' % (line["id"], line["id"]), html)
        self.assertEqual(line["value"], "970436:0123456789")
        self.assertEqual(line["category"], "investment")
        self.assertEqual(line["description"], "line one\r\nline two")

    def test_form_errors_keep_what_was_typed(self):
        svc = self.start_reports()
        r = self.post_form(svc, {"lang": "vi", "value": "không phải số <b>", "description": "x"})
        self.assertEqual(r.status, 400)
        html = r.body.decode()
        self.assertIn('aria-invalid="true"', html)
        self.assertIn("value=\"không phải số &lt;b&gt;\"", html)
        self.assertIn("Chưa gửi được", html)
        self.assertEqual(self.lines(), [])
        r = svc.request("POST", "/report", body=b"value=1", headers={"Content-Type": "text/plain"})
        self.assertError(r, 400, "bad_request")


class Pages(ReportTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_reports()

    def page(self, path, status=200):
        r = self.svc.get(path)
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers["content-type"], "text/html; charset=utf-8")
        csp = r.headers["content-security-policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.headers["x-content-type-options"], "nosniff")
        self.assertEqual(r.headers["cache-control"], "no-store")
        return r.body.decode("utf-8")

    def test_home_in_both_languages(self):
        html = self.page("/")
        self.assertIn('<html lang="vi">', html)
        self.assertIn("Kiểm tra lừa đảo", html)
        self.assertNotIn("{{", html)
        html = self.page("/?lang=en")
        self.assertIn('<html lang="en" data-lang-given>', html)
        self.assertIn("Is this number, account or link a scam?", html)
        # Nothing is loaded from another host.
        for src in re.findall(r'(?:src|href)="([^"#]*)"', html):
            self.assertTrue(src.startswith("/") or src == "", src)

    def test_check_pages(self):
        html = self.page("/check?q=" + urllib.parse.quote("0912 345 678"))
        self.assertIn('data-verdict="scam"', html)
        self.assertIn("12 lần", html)
        html = self.page("/check?q=0911111111")
        self.assertIn('data-verdict="unknown"', html)
        self.assertIn("KHÔNG có nghĩa là an toàn", html)
        html = self.page("/check?q=nonsense+words", status=400)
        self.assertIn('data-verdict="invalid"', html)
        html = self.page("/check?q=0123456789&bank=970436&lang=en")
        self.assertIn('data-verdict="scam"', html)  # Vietcombank 0123456789 in the base CSV
        html = self.page("/check?q=0912345678&part=result")
        self.assertTrue(html.startswith('<section class="verdict v-scam"'), html[:80])
        self.assertNotIn("<html", html)
        # What was checked is escaped wherever it is shown.
        html = self.page("/check?q=" + urllib.parse.quote('"><script>alert(1)</script>'),
                         status=400)
        self.assertNotIn("<script>alert", html)

    def test_report_page_is_prefilled(self):
        html = self.page("/report?kind=phone&value=0912%20345%20678&lang=en")
        self.assertIn('<option value="phone" selected>', html)
        self.assertIn('value="0912 345 678"', html)

    def test_static_files(self):
        home = self.page("/")
        for name, ctype in [("page.css", "text/css"), ("page.js", "text/javascript"),
                            ("icon.svg", "image/svg+xml")]:
            with self.subTest(name=name):
                m = re.search(r'/static/%s\?v=([0-9a-f]{16})' % re.escape(name), home)
                self.assertIsNotNone(m)
                r = self.svc.get("/static/%s?v=%s" % (name, m.group(1)))
                self.assertEqual(r.status, 200)
                self.assertTrue(r.headers["content-type"].startswith(ctype), r.headers)
                self.assertIn("immutable", r.headers["cache-control"])
                self.assertEqual(r.headers["etag"], '"%s"' % m.group(1))
                self.assertGreater(len(r.body), 100)
                r = self.svc.get("/static/" + name)
                self.assertEqual(r.headers["cache-control"], "public, max-age=300")
        self.assertError(self.svc.get("/static/nope.js"), 404, "not_found")
        r = self.svc.request("HEAD", "/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")


if __name__ == "__main__":
    fidxsvc.main()
