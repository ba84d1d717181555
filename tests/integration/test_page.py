"""The citizens' page, round 2 (issue 15), over HTTP against the real service: a whole message
checked (GET /check with a text: the same scan as POST /v1/scan), a message too long for the
page, the operator's name and contact (--operator-name, --operator-url, refused when they are
not safe to show), and "data updated at", which follows the analysts' live changes. The page
in a browser is tests/browser/run.js."""

import re
import subprocess
import unittest
import urllib.parse

import fidxsvc
from test_admin_common import CSV, AdminTest

SMS = ("Cán bộ công an gọi 0912.345.678, chuyển tiền vào STK Vietcombank 0123 456 789 "
       "để xác minh.\nHạn chót hôm nay.")


class Page(AdminTest):
    def page(self, svc, query, status=200):
        r = svc.get("/check?" + urllib.parse.urlencode(query))
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers["content-type"].startswith("text/html"), r)
        return r.body.decode("utf-8")

    def test_a_whole_message_is_scanned(self):
        svc = self.start_admin()
        html = self.page(svc, {"q": SMS, "part": "result"})
        self.assertTrue(html.startswith('<section class="verdict v-scam"'), html[:120])
        self.assertIn('data-kind="message"', html)
        self.assertEqual(re.findall(r'<li class="found v-(\w+)"', html), ["scam", "scam"])
        self.assertIn('<mark class="m-scam">0912.345.678</mark>', html)
        self.assertIn('<mark class="m-scam">0123 456 789</mark>', html)
        # The same values and verdicts as POST /v1/scan.
        scan = svc.post_json("/v1/scan", {"text": SMS}).json()
        self.assertEqual(scan["verdict"], "block")
        self.assertEqual([m["text"] for m in scan["matches"]], ["0912.345.678", "0123 456 789"])
        # One value in a sentence is a message too; a line of words with nothing in it is not.
        html = self.page(svc, {"q": "gọi ngay 0987654321 nhé", "part": "result"})
        self.assertIn('data-verdict="suspicious" data-kind="message"', html)
        html = self.page(svc, {"q": "chào buổi sáng", "part": "result"}, status=400)
        self.assertIn('data-verdict="invalid"', html)
        # Lines with nothing in them: a message, in which nothing was found (not called safe).
        html = self.page(svc, {"q": "chào\nbuổi sáng", "part": "result"})
        self.assertIn('data-verdict="unknown" data-kind="message"', html)
        # A kind chosen by hand says it is one value: no scan.
        html = self.page(svc, {"q": SMS, "kind": "phone", "part": "result"}, status=400)
        self.assertIn('data-verdict="invalid"', html)
        # Too long for the page: said in the page's words.
        html = self.page(svc, {"q": "0912 345 678 " * 400, "part": "result"}, status=400)
        self.assertIn("Tin nhắn quá dài", html)
        html = self.page(svc, {"q": "0912 345 678 " * 400, "lang": "en"}, status=400)
        self.assertIn("The message is too long", html)

    def test_operator_and_data_time(self):
        svc = self.start_admin("--operator-name", "Đội thử <nghiệm>",
                               "--operator-url", "mailto:lienhe@example.org")
        html = self.page(svc, {"q": fidxsvc.SCAM_PHONE})
        self.assertIn('Trang này do <a href="mailto:lienhe@example.org" rel="noopener">'
                      'Đội thử &lt;nghiệm&gt;</a> vận hành.', html)
        self.assertIn("Dữ liệu cập nhật lúc", html)
        self.assertNotIn("thay đổi gần nhất", html)  # no live change yet
        # An analyst's change is the newest data: both times are said.
        up = "kind,value,status,source\nphone,0911 222 333,confirmed,police\n"
        self.assertEqual(self.add(svc, up, CSV).status, 200)
        html = self.page(svc, {"q": "0911 222 333"})
        self.assertIn('data-verdict="scam"', html)
        self.assertIn("thay đổi gần nhất lúc", html)
        # And after a restart, from the log.
        self.assertEqual(svc.stop(), 0)
        svc = self.start_admin()
        self.assertIn("thay đổi gần nhất lúc", self.page(svc, {"q": "0911 222 333"}))
        self.assertNotIn("vận hành", self.page(svc, {"q": "0911 222 333"}))

    def test_operator_flags_are_checked(self):
        for args in (["--operator-url", "javascript:alert(1)"],
                     ["--operator-url", "https://a b.example/"],
                     ["--operator-url", "https://"],
                     ["--operator-url", "https://x.example/" + "a" * 600],
                     ["--operator-name", ""],
                     ["--operator-name", "two\nlines"],
                     ["--operator-name", "x" * 201]):
            with self.subTest(args=args):
                p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot] + args,
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("--operator-", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
