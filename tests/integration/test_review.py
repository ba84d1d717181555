"""Safe review of citizens' reports (issue 13, point 2; docs/OPERATIONS.md, "The analysts'
API"): a decision needs an explicit outcome and a reason; approving as `reported` lists the
value as the community's word, and only `confirmed` (with the analyst's unit among the
sources) is described to citizens as verified — the page's words are checked as citizens see
them."""

import json
import urllib.parse

import fidxsvc
from test_admin_common import (ROLE_TOKENS, TOKEN, AdminTest, csv_rows)

# The page's words for a verified scam (service/src/web/page/strings/), and for one only the
# community vouches for.
VERIFIED = {"vi": ["Đã được xác nhận là lừa đảo", "đã xác minh rằng"],
            "en": ["Confirmed as a scam", "have verified that"]}
COMMUNITY = {"vi": "chưa được công an xác minh", "en": "not verified by the police"}


class ReviewTest(AdminTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_admin("--report-burst", "1000")

    def report(self, value, category="investment", kind="phone", **extra):
        body = {"kind": kind, "value": value, "category": category,
                "description": "họ bảo tôi chuyển tiền"}
        body.update(extra)
        r = self.svc.post_json("/v1/reports", body)
        self.assertEqual(r.status, 202, r)
        return r.json()["id"]

    def decide(self, rid, body, token=TOKEN):
        return self.admin(self.svc, "POST", "/v1/admin/reports/" + rid, json.dumps(body),
                          "application/json", token=token)

    def state(self, rid):
        r = self.admin(self.svc, "GET", "/v1/admin/reports/" + rid)
        self.assertEqual(r.status, 200, r)
        return r.json()["state"]

    def page(self, value, lang):
        r = self.svc.get("/check?" + urllib.parse.urlencode({"q": value, "lang": lang}))
        self.assertEqual(r.status, 200, r)
        return r.body.decode("utf-8")

    def assertNotVerified(self, value):
        for lang in ("vi", "en"):
            html = self.page(value, lang)
            for words in VERIFIED[lang]:
                self.assertNotIn(words, html, (value, lang))
        return html


class Decisions(ReviewTest):
    def test_a_bare_approve_is_refused(self):
        a = self.report("0934000001")
        bad = [{"action": "approve"},
               {"action": "approve", "reason": "checked"},               # no status
               {"action": "approve", "status": "confirmed"},             # no reason
               {"action": "approve", "status": "confirmed", "reason": ""},
               {"action": "approve", "status": "allowlisted", "reason": "x"},
               {"action": "reject"},                                      # no reason
               {"action": "reject", "reason": "x", "status": "confirmed"},
               {"action": "approve", "status": "reported", "reason": "x" * 1025},
               {"status": "confirmed", "reason": "x"}]
        for body in bad:
            msg = self.assertError(self.decide(a, body), 400, "bad_request")
            self.assertTrue(msg)
        self.assertIn("status", self.assertError(self.decide(a, bad[1]), 400, "bad_request"))
        self.assertIn("reason", self.assertError(self.decide(a, bad[2]), 400, "bad_request"))
        # Nothing was decided, logged or listed.
        self.assertEqual(self.state(a), "pending")
        self.assertEqual(self.audit(), [])
        self.assertEqual(self.verdict(self.svc, "0934000001"), "unknown")

    def test_approve_as_reported_is_not_called_verified(self):
        a = self.report("0934000002")
        r = self.decide(a, {"action": "approve", "status": "reported",
                            "reason": "twelve reports, same story"})
        self.assertEqual(r.status, 200, r)
        m = self.svc.get("/v1/check?q=0934000002").json()
        self.assertEqual(m["verdict"], "suspicious")
        self.assertEqual(m["match"]["status"], "reported")
        self.assertEqual(m["match"]["sources"], ["community"])
        html = self.assertNotVerified("0934000002")
        self.assertIn('data-verdict="suspicious"', html)
        line = self.audit()[-1]
        self.assertEqual((line["action"], line["status"], line["reason"]),
                         ("approve", "reported", "twelve reports, same story"))

    def test_approve_as_confirmed_names_the_unit(self):
        a = self.report("0934000003")
        r = self.decide(a, {"action": "approve", "status": "confirmed", "reason": "called it"},
                        token=ROLE_TOKENS["reviewer"])
        self.assertEqual(r.status, 200, r)
        m = self.svc.get("/v1/check?q=0934000003").json()
        self.assertEqual(m["verdict"], "scam")
        self.assertEqual(m["match"]["sources"], ["community", "unit-reviewer"])
        for lang in ("vi", "en"):
            html = self.page("0934000003", lang)
            self.assertIn(VERIFIED[lang][0], html)
            self.assertIn("unit-reviewer", html)
            self.assertNotIn(COMMUNITY[lang], html)

    def test_community_confirmed_upload_is_not_called_verified(self):
        # A feed that marks the community's reports "confirmed": a scam, never the police's.
        for value, source in (("0934000004", "community"), ("0934000005", "")):
            r = self.add(self.svc, csv_rows([value], source=source))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(self.verdict(self.svc, value), "scam")
            html = self.assertNotVerified(value)
            self.assertIn('data-verdict="scam"', html)
            self.assertIn(COMMUNITY["en"], html)
        # The same value, later confirmed by the police: verified from then on.
        self.add_ok(self.svc, ["0934000004"], source="police")
        self.assertIn(VERIFIED["en"][0], self.page("0934000004", "en"))


if __name__ == "__main__":
    fidxsvc.main()
