"""Warnings to the public (issue 19; docs/WARNINGS.md): analysts write a draft, publish it,
retract it with a reason; every change is in the audit log and survives kill -9; everyone reads
the published ones as JSON (since/region/category filters, paging) and as Atom, and a poller
with the last ETag or date gets 304; a reader role cannot publish; /v1/check and /v1/scan name
the warnings related to a value."""

import json
import os
import signal
import urllib.parse
import xml.etree.ElementTree as ET

import fidxsvc
from test_admin_common import ROLE_TOKENS, AdminTest

JSONT = "application/json"
ATOM = "{http://www.w3.org/2005/Atom}"

DRAFT = {
    "title": {"vi": "Giả danh công an gọi điện yêu cầu chuyển tiền",
              "en": "Fake police calls asking for money"},
    "text": {"vi": "Đối tượng gọi từ số 0912 345 678, tự xưng công an, yêu cầu chuyển tiền "
                   "vào tài khoản để \"xác minh\"."},
    "advice": "Không chuyển tiền. Công an không làm việc qua điện thoại.",
    "category": "impersonation",
    "regions": ["ha-tinh", "nghe-an"],
    "indicators": ["0912 345 678", {"value": "evil.example", "kind": "domain"}],
    "valid_from": "2026-01-01",
    "valid_until": "2099-12-31",
    "severity": "high",
    "issuer": "Công an tỉnh Hà Tĩnh",
}


class Warnings(AdminTest):
    def post(self, svc, path, obj, token=None):
        body = obj if isinstance(obj, str) else json.dumps(obj)
        kw = {"token": token} if token else {}
        return self.admin(svc, "POST", path, body, JSONT, **kw)

    def create(self, svc, obj=None, **kw):
        r = self.post(svc, "/v1/admin/warnings", obj or DRAFT, **kw)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def publish(self, svc, wid):
        r = self.post(svc, "/v1/admin/warnings/%s/publish" % wid, {})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def public(self, svc, query=""):
        r = svc.get("/v1/warnings" + query)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_draft_publish_retract(self):
        svc = self.start_admin()
        w = self.create(svc)
        self.assertEqual((w["state"], w["rev"], w["published"]), ("draft", 1, None))
        self.assertEqual(w["indicators"], [{"kind": "phone", "value": "+84912345678"},
                                           {"kind": "domain", "value": "evil.example"}])
        self.assertEqual(w["regions"], ["nghe-an", "ha-tinh"])
        self.assertEqual(w["valid_from"], "2025-12-31T17:00:00Z")  # Vietnam's midnight
        # A draft is nobody's business but the analysts'.
        self.assertEqual(self.public(svc)["warnings"], [])
        self.assertEqual(svc.get("/v1/warnings/" + w["id"]).status, 404)
        listed = self.admin(svc, "GET", "/v1/admin/warnings?state=draft").json()
        self.assertEqual([x["id"] for x in listed["warnings"]], [w["id"]])

        p = self.publish(svc, w["id"])
        self.assertEqual((p["state"], p["rev"]), ("published", 2))
        self.assertIsNotNone(p["published"])
        pub = self.public(svc)
        self.assertEqual([x["id"] for x in pub["warnings"]], [w["id"]])
        self.assertNotIn("by", pub["warnings"][0])  # which token: the analysts' business
        self.assertError(self.post(svc, "/v1/admin/warnings/%s/publish" % w["id"], {}), 409,
                         "conflict")

        self.assertError(self.post(svc, "/v1/admin/warnings/%s/retract" % w["id"], {}), 400,
                         "bad_request")
        r = self.post(svc, "/v1/admin/warnings/%s/retract" % w["id"],
                      {"reason": "Số điện thoại ghi nhầm"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["state"], r.json()["reason"]),
                         ("retracted", "Số điện thoại ghi nhầm"))
        # Still listed, as retracted: a bot that posted it learns to take it back.
        pub = self.public(svc)["warnings"]
        self.assertEqual([(x["id"], x["state"]) for x in pub], [(w["id"], "retracted")])
        self.assertError(self.post(svc, "/v1/admin/warnings/" + w["id"], {"severity": "low"}),
                         409, "conflict")

        actions = [(a["action"], a.get("warning")) for a in self.audit()
                   if a["action"].startswith("warning_")]
        self.assertEqual(actions, [("warning_create", w["id"]), ("warning_publish", w["id"]),
                                   ("warning_retract", w["id"])])
        self.assertEqual(self.audit()[-1]["reason"], "Số điện thoại ghi nhầm")

    def test_bad_input_is_refused_clearly(self):
        svc = self.start_admin()
        cases = [
            ({"text": "x", "regions": ["all"]}, "title"),
            (dict(DRAFT, regions=["hanoi"]), "province"),
            (dict(DRAFT, category="nope"), "category"),
            (dict(DRAFT, indicators=["not a value at all !!"]), "indicators"),
            (dict(DRAFT, valid_until="2025-02-30"), "valid_until"),
            (dict(DRAFT, colour="red"), "unknown member"),
            (dict(DRAFT, title="x" * 301), "title"),
            (dict(DRAFT, indicators=["0912345678"] * 21), "indicators"),
            (dict(DRAFT, valid_from="2026-05-01", valid_until="2026-04-01"), "valid_until"),
        ]
        for body, word in cases:
            with self.subTest(word=word):
                msg = self.assertError(self.post(svc, "/v1/admin/warnings", body), 400,
                                       "bad_request")
                self.assertIn(word, msg)
        self.assertError(self.post(svc, "/v1/admin/warnings", "[1,"), 400, "invalid_json")
        self.assertError(self.post(svc, "/v1/admin/warnings/w0000000000000000/publish", {}),
                         404, "not_found")
        self.assertEqual(self.admin(svc, "GET", "/v1/admin/warnings")
                         .json()["warnings"], [])

    def test_reader_role_cannot_write_or_publish(self):
        svc = self.start_admin()
        w = self.create(svc)
        for role in ("reader", "reviewer", "feeder", "replica"):
            with self.subTest(role=role):
                self.assertError(self.post(svc, "/v1/admin/warnings", DRAFT,
                                           token=ROLE_TOKENS[role]), 403, "forbidden")
                self.assertError(self.post(svc, "/v1/admin/warnings/%s/publish" % w["id"], {},
                                           token=ROLE_TOKENS[role]), 403, "forbidden")
        r = self.admin(svc, "GET", "/v1/admin/warnings", token=ROLE_TOKENS["reader"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.public(svc)["warnings"], [])  # nothing was published
        r = self.post(svc, "/v1/admin/warnings/%s/publish" % w["id"], {},
                      token=ROLE_TOKENS["analyst"])
        self.assertEqual(r.status, 200, r)

    def test_filters_and_paging(self):
        svc = self.start_admin()
        ids = []
        for i, (regions, cat) in enumerate([(["ha-noi"], "investment"), (["all"], "phishing"),
                                            (["ho-chi-minh"], "investment")]):
            w = self.create(svc, dict(DRAFT, regions=regions, category=cat,
                                      title="Cảnh báo %d" % i, indicators=[]))
            ids.append(self.publish(svc, w["id"])["id"])
        newest_first = list(reversed(ids))
        self.assertEqual([x["id"] for x in self.public(svc)["warnings"]], newest_first)
        # A province's list holds the whole country's warnings too.
        self.assertEqual([x["id"] for x in self.public(svc, "?region=ha-noi")["warnings"]],
                         [ids[1], ids[0]])
        self.assertEqual([x["id"] for x in self.public(svc, "?category=investment")["warnings"]],
                         [ids[2], ids[0]])
        page = self.public(svc, "?limit=2")
        self.assertEqual([x["id"] for x in page["warnings"]], newest_first[:2])
        rest = self.public(svc, "?limit=2&after=" + page["next"])
        self.assertEqual(([x["id"] for x in rest["warnings"]], rest["next"]),
                         (newest_first[2:], None))
        # since: what changed at or after the time given (whole seconds: a change in the
        # second of the last one seen is not missed).
        last = max(x["updated"] for x in self.public(svc)["warnings"])
        again = self.public(svc, "?since=" + urllib.parse.quote(last))["warnings"]
        self.assertTrue(again and all(x["updated"] == last for x in again), again)
        self.assertEqual(self.public(svc, "?since=2099-01-01")["warnings"], [])
        self.assertEqual(len(self.public(svc, "?since=2020-01-01")["warnings"]), 3)
        for bad in ("?region=atlantis", "?category=x", "?since=yesterday", "?limit=0",
                    "?after=w0000000000000000"):
            with self.subTest(query=bad):
                self.assertError(svc.get("/v1/warnings" + bad), 400, "bad_request")

    def test_feed_is_atom_and_polling_an_unchanged_feed_costs_a_304(self):
        svc = self.start_admin()
        w = self.publish(svc, self.create(svc)["id"])
        r = svc.get("/warnings.atom")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["content-type"].startswith("application/atom+xml"), r)
        feed = ET.fromstring(r.body)
        self.assertEqual(feed.tag, ATOM + "feed")
        for tag in ("id", "title", "updated", "author"):
            self.assertIsNotNone(feed.find(ATOM + tag), tag)
        entries = feed.findall(ATOM + "entry")
        self.assertEqual(len(entries), 1)
        e = entries[0]
        self.assertEqual(e.find(ATOM + "id").text, "urn:uuid:" + w["uuid"])
        self.assertEqual(e.find(ATOM + "title").text, DRAFT["title"]["vi"])
        self.assertEqual(e.find(ATOM + "updated").text, w["updated"])
        self.assertEqual(e.find(ATOM + "link").get("href"), "/warnings/" + w["id"])
        self.assertIn("Không chuyển tiền", e.find(ATOM + "content").text)

        etag, date = r.headers["etag"], r.headers["last-modified"]
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": date}):
            with self.subTest(headers=headers):
                again = svc.request("GET", "/warnings.atom", headers=headers)
                self.assertEqual((again.status, again.body), (304, b""), again)
                self.assertEqual(again.headers["etag"], etag)
        js = svc.get("/v1/warnings")
        self.assertEqual(svc.request("GET", "/v1/warnings",
                                     headers={"If-None-Match": js.headers["etag"]}).status, 304)
        # Per province: Hà Tĩnh's feed has it, Hà Nội's has not.
        self.assertEqual(len(ET.fromstring(svc.get("/warnings/ha-tinh.atom").body)
                             .findall(ATOM + "entry")), 1)
        self.assertEqual(len(ET.fromstring(svc.get("/warnings/ha-noi.atom").body)
                             .findall(ATOM + "entry")), 0)
        self.assertError(svc.get("/warnings/atlantis.atom"), 404, "not_found")
        # A change makes the old tag stale.
        self.post(svc, "/v1/admin/warnings/%s/retract" % w["id"], {"reason": "sai"})
        changed = svc.request("GET", "/warnings.atom", headers={"If-None-Match": etag})
        self.assertEqual(changed.status, 200, changed)
        self.assertNotEqual(changed.headers["etag"], etag)
        title = ET.fromstring(changed.body).find(ATOM + "entry").find(ATOM + "title").text
        self.assertTrue(title.startswith("[Đã rút lại]"), title)

    def test_check_and_scan_name_related_warnings(self):
        svc = self.start_admin()
        r = svc.get("/v1/check?q=0912345678")
        self.assertNotIn("warnings", r.json())
        w = self.publish(svc, self.create(svc)["id"])
        other = self.publish(svc, self.create(svc, dict(DRAFT, category="phishing",
                                                        indicators=[]))["id"])
        self.assertEqual(svc.get("/v1/check?q=0912%20345%20678").json()["warnings"], [w["id"]])
        # evil.example is an indicator of the first and a phishing domain (the second's
        # category): the value's own warning first.
        self.assertEqual(svc.get("/v1/check?q=evil.example").json()["warnings"],
                         [w["id"], other["id"]])
        self.assertNotIn("warnings", svc.get("/v1/check?q=0900000001").json())
        scan = svc.post_json("/v1/scan", {"text": "Gọi ngay 0912.345.678 để nhận quà"}).json()
        self.assertEqual(scan["warnings"], [w["id"]])
        batch = svc.post_json("/v1/check", {"items": ["0912345678"]}).json()
        self.assertEqual(batch["results"][0]["warnings"], [w["id"]])
        self.post(svc, "/v1/admin/warnings/%s/retract" % w["id"], {"reason": "sai"})
        self.assertNotIn("warnings", svc.get("/v1/check?q=0912345678").json())

    def test_pages_without_javascript(self):
        """The start page lists the current warnings of the visitor's province; a warning has a
        page of its own in both languages; an answer names its related warnings."""
        svc = self.start_admin()
        home = svc.get("/").body.decode()
        self.assertIn('id="warnings"', home)
        self.assertIn("Hiện chưa có cảnh báo nào", home)
        w = self.publish(svc, self.create(svc)["id"])
        national = self.publish(svc, self.create(svc, dict(
            DRAFT, title="Lừa đảo việc nhẹ lương cao <b>", regions=["all"], indicators=[],
            category="task_job"))["id"])
        home = svc.get("/").body.decode()
        self.assertIn("/warnings/" + w["id"], home)
        self.assertIn("Lừa đảo việc nhẹ lương cao &lt;b&gt;", home)  # escaped
        hanoi = svc.get("/?province=ha-noi").body.decode()
        self.assertIn("Cảnh báo mới ở Hà Nội", hanoi)
        self.assertNotIn("/warnings/" + w["id"] + '"', hanoi)  # Hà Tĩnh and Nghệ An only
        self.assertIn("/warnings/" + national["id"], hanoi)
        self.assertIn('href="/warnings/ha-noi.atom"', hanoi)

        page = svc.get("/warnings/" + w["id"])
        self.assertEqual(page.status, 200)
        self.assertTrue(page.headers["content-type"].startswith("text/html"))
        html = page.body.decode()
        self.assertIn('<h1 id="main-h">Giả danh công an gọi điện yêu cầu chuyển tiền</h1>', html)
        self.assertIn("Công an tỉnh Hà Tĩnh", html)
        self.assertIn("Không chuyển tiền", html)
        self.assertIn("/check?q=%2B84912345678&amp;kind=phone", html)
        en = svc.get("/warnings/%s?lang=en" % w["id"]).body.decode()
        self.assertIn("<h1 id=\"main-h\">Fake police calls asking for money</h1>", en)
        self.assertIn('<p class="w-text" lang="vi">', en)  # no English text: marked Vietnamese
        missing = svc.get("/warnings/w0000000000000000")
        self.assertEqual(missing.status, 404)
        self.assertIn("Không tìm thấy cảnh báo", missing.body.decode())

        answer = svc.get("/check?q=0912345678").body.decode()
        self.assertIn("Cảnh báo liên quan", answer)
        self.assertIn("/warnings/" + w["id"], answer)
        self.post(svc, "/v1/admin/warnings/%s/retract" % w["id"], {"reason": "Nhầm số"})
        gone = svc.get("/warnings/" + w["id"]).body.decode()
        self.assertIn("Cảnh báo này đã được rút lại. Lý do: Nhầm số", gone)
        self.assertNotIn("Cảnh báo liên quan", svc.get("/check?q=0912345678").body.decode())

    def test_every_acknowledged_change_survives_kill9(self):
        svc = self.start_admin()
        done = []
        for i in range(6):
            w = self.create(svc, dict(DRAFT, title="Cảnh báo %d" % i))
            if i % 2 == 0:
                w = self.publish(svc, w["id"])
            done.append((w["id"], w["state"], w["rev"]))
        svc.proc.send_signal(signal.SIGKILL)
        svc.proc.wait(20)
        svc = self.start_admin()
        got = {x["id"]: (x["id"], x["state"], x["rev"]) for x in
               self.admin(svc, "GET", "/v1/admin/warnings").json()["warnings"]}
        self.assertEqual([got.get(d[0]) for d in done], done)
        self.assertEqual(len(self.public(svc)["warnings"]), 3)

    def test_the_log_puts_back_what_the_store_lost(self):
        """A crash after the log's fsync and before the store's: the replay stores it."""
        svc = self.start_admin()
        w = self.publish(svc, self.create(svc)["id"])
        svc.proc.send_signal(signal.SIGKILL)
        svc.proc.wait(20)
        path = os.path.join(self.data, "warnings.jsonl")
        with open(path, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        with open(path, "wb") as f:
            f.write(lines[0] + lines[1][:40])  # the publication lost, and a torn line
        svc = self.start_admin()
        self.assertEqual([x["id"] for x in self.public(svc)["warnings"]], [w["id"]])
        with open(path, "rb") as f:
            self.assertTrue(f.read().endswith(b"\n"))


if __name__ == "__main__":
    fidxsvc.main()
