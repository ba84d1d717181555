"""Safe review of citizens' reports (issue 13, point 2; docs/OPERATIONS.md, "The analysts'
API"): a decision needs an explicit outcome and a reason; approving as `reported` lists the
value as the community's word, and only `confirmed` (with the analyst's unit among the
sources) is described to citizens as verified — the page's words are checked as citizens see
them."""

import http.client
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

    sender = 0

    def report(self, value, category="investment", kind="phone", **extra):
        """A report from its own address (127.0.0.N): the same value again from the same
        address while the first is pending would be that report (test_reports.py)."""
        body = {"value": value, "description": "họ bảo tôi chuyển tiền"}
        if kind:
            body["kind"] = kind
        if category:
            body["category"] = category
        body.update(extra)
        ReviewTest.sender += 1
        conn = http.client.HTTPConnection(self.svc.host, self.svc.port, timeout=10,
                                          source_address=("127.0.0.%d" % (2 + self.sender % 250),
                                                          0))
        try:
            r = self.svc.post_json("/v1/reports", body, conn=conn)
        finally:
            conn.close()
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



class Queue(ReviewTest):
    def listing(self, **params):
        r = self.admin(self.svc, "GET", "/v1/admin/reports?" + urllib.parse.urlencode(params))
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_filters_and_the_value_in_any_written_form(self):
        a = self.report("0935000001", channel="zalo", date="2025-11-20", amount_vnd=5000000)
        b = self.report("0935000002")
        c = self.report("scam@example.com", kind="email")
        got = self.listing(value="+84 935 000 001")["reports"]
        self.assertEqual([x["id"] for x in got], [a])
        self.assertEqual((got[0]["channel"], got[0]["date"], got[0]["amount_vnd"]),
                         ("zalo", "2025-11-20", 5000000))
        self.assertEqual(got[0]["type"], "scam")
        self.assertEqual([x["id"] for x in self.listing(kind="email")["reports"]], [c])
        self.assertEqual([x["id"] for x in self.listing(type="scam")["reports"]], [a, b, c])
        self.assertEqual(self.listing(type="dispute")["reports"], [])
        # Each report says what its value is now: scam@example.com is reported in the base.
        self.assertEqual(self.listing(kind="email")["reports"][0]["current"],
                         {"verdict": "suspicious", "status": "reported", "allowlisted": False})
        for bad in ({"status": "maybe"}, {"type": "praise"}, {"group": "kind"},
                    {"group": "value", "status": "approved"}, {"value": "x", "kind": "phone"},
                    {"after": "zz"}, {"limit": "5000"}):
            r = self.admin(self.svc, "GET", "/v1/admin/reports?" + urllib.parse.urlencode(bad))
            self.assertEqual(r.status, 400, (bad, r))

    def test_grouped_by_value_with_the_verdict_now(self):
        ids = [self.report(v) for v in ("0935000011", "0935000012", "0935 000 011",
                                        "+84935000011")]
        official = self.report("https://vietcombank.com.vn/", kind="url")
        self.add_ok(self.svc, ["vietcombank.com.vn"], kind="domain", status="allowlisted",
                    source="official")
        groups = self.listing(group="value")["groups"]
        self.assertEqual([(g["value"], g["count"]) for g in groups],
                         [("+84935000011", 3), ("+84935000012", 1),
                          ("https://vietcombank.com.vn/", 1)])
        g = groups[0]
        self.assertEqual([x["id"] for x in g["reports"]], [ids[3], ids[2], ids[0]])  # newest
        self.assertLessEqual(g["first_report"], g["last_report"])
        self.assertEqual(g["current"]["verdict"], "unknown")
        # A report against the official site is flagged as allowlisted.
        self.assertEqual(groups[2]["current"], {"verdict": "safe", "status": "allowlisted",
                                                "allowlisted": True})
        self.assertEqual([x["id"] for x in groups[2]["reports"]], [official])
        # Paging with the cursor, one group a page.
        seen, p = [], self.listing(group="value", limit=1)
        seen += p["groups"]
        while p["next"]:
            p = self.listing(group="value", limit=1, after=p["next"])
            seen += p["groups"]
        self.assertEqual([x["value"] for x in seen], [x["value"] for x in groups])
        # One value's group.
        got = self.listing(group="value", value="0935 000 012")["groups"]
        self.assertEqual([(x["value"], x["count"]) for x in got], [("+84935000012", 1)])

    def test_bulk_decisions_by_value_and_by_ids(self):
        same = [self.report("0935000021") for _ in range(3)]
        other = [self.report("0935000022"), self.report("0935000023")]
        r = self.admin(self.svc, "POST", "/v1/admin/reports",
                       json.dumps({"action": "approve", "status": "reported",
                                   "reason": "three reports, one story",
                                   "value": "0935 000 021"}), "application/json")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(sorted(x["id"] for x in body["decided"]), sorted(same))
        self.assertEqual((body["failed"], body["more"]), ([], 0))
        m = self.svc.get("/v1/check?q=0935000021").json()
        self.assertEqual((m["verdict"], m["match"]["reports"]), ("suspicious", 3))
        r = self.admin(self.svc, "POST", "/v1/admin/reports",
                       json.dumps({"action": "reject", "reason": "a shop",
                                   "ids": other + [same[0], "r" + "0" * 28]}),
                       "application/json")
        body = r.json()
        self.assertEqual(sorted(x["id"] for x in body["decided"]), sorted(other))
        self.assertEqual({x["id"]: x["error"]["code"] for x in body["failed"]},
                         {same[0]: "conflict", "r" + "0" * 28: "not_found"})
        self.assertEqual(self.listing()["reports"], [])
        self.assertEqual([a["action"] for a in self.audit()], ["approve"] * 3 + ["reject"] * 2)
        for bad in ({"action": "reject", "reason": "x"},
                    {"action": "reject", "reason": "x", "ids": []},
                    {"action": "reject", "reason": "x", "ids": ["nope"]},
                    {"action": "reject", "reason": "x", "ids": [same[0]], "value": "0935000021"},
                    {"action": "approve", "reason": "x", "value": "0935000021"},
                    {"action": "reject", "reason": "x", "value": "not a phone", "kind": "phone"}):
            r = self.admin(self.svc, "POST", "/v1/admin/reports", json.dumps(bad),
                           "application/json")
            self.assertEqual(r.status, 400, (bad, r))


class Disputes(ReviewTest):
    def dispute(self, value, **extra):
        return self.report(value, category=None, kind=None, type="dispute",
                           description="đây là số của cửa hàng tôi", **extra)

    def test_a_dispute_upheld_delists(self):
        # The base snapshot lists 0912345678 as a confirmed scam.
        d = self.dispute(fidxsvc.SCAM_PHONE, contact="0909 111 222")
        r = self.decide(d, {"action": "approve", "status": "confirmed", "reason": "x"})
        self.assertIn("dispute", self.assertError(r, 400, "bad_request"))
        self.assertError(self.decide(d, {"action": "uphold"}), 400, "bad_request")  # no reason
        r = self.decide(d, {"action": "uphold", "reason": "the shop's number, checked"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["delisted"], [{"kind": "phone", "value": "+84912345678"}])
        self.assertEqual(self.verdict(self.svc, fidxsvc.SCAM_PHONE), "unknown")
        line = self.audit()[-1]
        self.assertEqual((line["action"], line["report"], line["values"][0]["before"]["status"]),
                         ("uphold", d, "confirmed"))
        got = self.admin(self.svc, "GET", "/v1/admin/reports/" + d).json()
        self.assertEqual((got["type"], got["state"], got["contact"]),
                         ("dispute", "approved", "0909 111 222"))
        # A scam report cannot be upheld; a dispute can be rejected (nothing changes).
        s = self.report("0935000031")
        self.assertError(self.decide(s, {"action": "uphold", "reason": "x"}), 400, "bad_request")
        d2 = self.dispute("https://evil.example/")
        r = self.decide(d2, {"action": "reject", "reason": "still phishing"})
        self.assertEqual(r.json()["state"], "rejected", r)
        self.assertEqual(self.verdict(self.svc, "https://evil.example/"), "scam")
        # The decisions survive a restart.
        self.svc.kill()
        self.svc = self.start_admin()
        self.assertEqual(self.verdict(self.svc, fidxsvc.SCAM_PHONE), "unknown")
        self.assertEqual(self.admin(self.svc, "GET", "/v1/admin/reports/" + d).json()["state"],
                         "approved")

    def test_disputes_of_listed_values_come_first(self):
        a = self.report("0935000041")
        b = self.dispute("0935000042")            # not listed: in its turn
        c = self.dispute("0987654321")            # suspicious in the base: first
        d = self.dispute("https://evil.example/")  # scam: first
        e = self.report("0935000043")
        r = self.admin(self.svc, "GET", "/v1/admin/reports")
        self.assertEqual([x["id"] for x in r.json()["reports"]], [c, d, a, b, e])
        # Paged two at a time, the order holds across the two parts.
        seen, p = [], self.admin(self.svc, "GET", "/v1/admin/reports?limit=2").json()
        seen += [x["id"] for x in p["reports"]]
        while p["next"]:
            p = self.admin(self.svc, "GET", "/v1/admin/reports?limit=2&after=" + p["next"]).json()
            seen += [x["id"] for x in p["reports"]]
        self.assertEqual(seen, [c, d, a, b, e])
        groups = self.admin(self.svc, "GET", "/v1/admin/reports?group=value").json()["groups"]
        self.assertEqual([g["value"] for g in groups][:2], ["+84987654321", "https://evil.example/"])
        self.assertEqual(groups[0]["disputes"], 1)
        # Upholding by value decides every pending dispute of it.
        r = self.admin(self.svc, "POST", "/v1/admin/reports",
                       json.dumps({"action": "uphold", "reason": "checked",
                                   "value": "0987 654 321"}), "application/json")
        self.assertEqual([x["id"] for x in r.json()["decided"]], [c], r)
        self.assertEqual(self.verdict(self.svc, "0987654321"), "unknown")

    def test_dispute_fields_are_checked(self):
        for extra, word in (({"contact": "x" * 300}, "contact"), ({"channel": "fax"}, "channel"),
                            ({"date": "2999-01-01"}, "date"), ({"amount_vnd": -1}, "amount"),
                            ({"type": "praise"}, "type")):
            body = {"kind": "phone", "value": "0935000051", "type": "dispute"}
            body.update(extra)
            r = self.svc.post_json("/v1/reports", body)
            self.assertIn(word, self.assertError(r, 400, "bad_request"), extra)
        r = self.svc.post_json("/v1/reports", {"value": "0935000051", "contact": "me"})
        self.assertIn("dispute", self.assertError(r, 400, "bad_request"))


class FollowUp(ReviewTest):
    def test_follow_up_by_id(self):
        a = self.report("0935000061")
        r = self.svc.get("/v1/reports/" + a)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"state": "pending", "decided_on": None})
        self.decide(a, {"action": "reject", "reason": "a delivery company"})
        body = self.svc.get("/v1/reports/" + a).json()
        self.assertEqual(set(body), {"state", "decided_on"})  # nothing about the analyst
        self.assertEqual(body["state"], "rejected")
        self.assertRegex(body["decided_on"], r"^\d{4}-\d\d-\d\d$")
        for bad in ("r" + "0" * 28, "nope", a + "x", a[:-1]):
            self.assertError(self.svc.get("/v1/reports/" + bad), 404, "not_found")
        self.assertEqual(self.svc.request("POST", "/v1/reports/" + a).status, 405)


class Metrics(ReviewTest):
    def test_an_alert_needs_no_token(self):
        def m(name, **labels):
            return self.svc.metrics().get((name, frozenset(labels.items())))
        self.assertEqual(m("fraudidx_reports_pending", type="scam"), 0)
        a, b = self.report("0935000071"), self.report("0935000072")
        self.report(fidxsvc.SCAM_PHONE, kind=None, category=None, type="dispute")
        self.assertEqual((m("fraudidx_reports_pending", type="scam"),
                          m("fraudidx_reports_pending", type="dispute")), (2, 1))
        self.decide(a, {"action": "approve", "status": "reported", "reason": "x"})
        self.decide(b, {"action": "reject", "reason": "x"})
        self.add_ok(self.svc, ["0935000073"])
        self.assertEqual(self.delist(self.svc, "phone", "0935000073").status, 200)
        self.assertEqual([m("fraudidx_report_decisions_total", outcome=o)
                          for o in ("approved", "rejected", "upheld")], [1, 1, 0])
        self.assertEqual(m("fraudidx_reports_pending", type="scam"), 0)
        self.assertEqual((m("fraudidx_overlay_values", state="listed"),
                          m("fraudidx_overlay_values", state="delisted")), (1, 1))
        self.assertGreater(m("fraudidx_overlay_bytes"), 0)
        self.assertGreater(m("fraudidx_audit_index_bytes"), 0)
        self.assertEqual(m("fraudidx_wal_failed"), 0)
        self.assertEqual(m("fraudidx_http_requests_total", route="/v1/admin", method="any",
                           status="403"), None)
        self.admin(self.svc, "POST", "/v1/admin/compact", token=ROLE_TOKENS["reader"])
        self.assertEqual(m("fraudidx_http_requests_total", route="/v1/admin", method="any",
                           status="403"), 1)


if __name__ == "__main__":
    fidxsvc.main()
