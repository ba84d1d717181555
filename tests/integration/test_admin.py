"""The analysts' API against the real service (shared/API.md, "Analyst API";
docs/OPERATIONS.md): tokens and 401s, uploads in CSV and JSON Lines with per-row rejections,
merges, delisting, the review of citizens' reports, the audit log, deferred answers that keep
pipelined requests in order, and compaction under concurrent lookups with zero failed
requests."""

import json
import os
import signal
import threading
import time
import urllib.parse

import fidxsvc
from fidxsvc import SCAM_PHONE
from test_admin_common import (BOB_TOKEN, CSV, JSONL, TOKEN, AdminTest, csv_rows, phone,
                               segments, write_tokens)


class Tokens(AdminTest):
    def test_every_admin_route_needs_a_token(self):
        svc = self.start_admin()
        calls = [("GET", "/v1/admin/status", None), ("GET", "/v1/admin/reports", None),
                 ("DELETE", "/v1/admin/indicators?kind=phone&value=0912345678&reason=x", None),
                 ("POST", "/v1/admin/compact", None), ("GET", "/v1/admin/nothing", None),
                 ("POST", "/v1/admin/indicators", csv_rows([phone(1)]))]
        for method, path, body in calls:
            for token in (None, "wrong-token-0123456789", TOKEN + "x", TOKEN[:-1]):
                r = self.admin(svc, method, path, body, CSV if body else None, token=token)
                msg = self.assertError(r, 401, "unauthorized")
                self.assertIn("token", msg)
                self.assertEqual(r.headers.get("www-authenticate"), 'Bearer realm="fraudidx"')
        # Not Bearer, or the header twice: refused too.
        r = svc.request("GET", "/v1/admin/status", headers={"Authorization": "Basic " + TOKEN})
        self.assertError(r, 401, "unauthorized")
        s = svc.socket()
        s.sendall(("GET /v1/admin/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                   "Authorization: Bearer %s\r\n\r\n" % (TOKEN, TOKEN)).encode())
        rs, _, _ = fidxsvc.read_all(s, until_responses=1)
        s.close()
        self.assertEqual(rs[0].status, 401)
        # Nothing was changed by any of them.
        self.assertEqual(self.verdict(svc, phone(1)), "unknown")

    def test_plain_and_sha256_tokens_work_and_are_named_in_the_audit(self):
        svc = self.start_admin()
        for token, value in ((TOKEN, phone(2)), (BOB_TOKEN, phone(3))):
            r = self.admin(svc, "GET", "/v1/admin/status", token=token)
            self.assertEqual(r.status, 200, r)
            self.add_ok(svc, [value], token=token)
        # The scheme is case-insensitive, as HTTP says.
        r = svc.request("GET", "/v1/admin/status", headers={"Authorization": "bearer " + TOKEN})
        self.assertEqual(r.status, 200, r)
        names = [line["token"] for line in self.audit()]
        self.assertEqual(names, ["alice", "bob"])
        with open(os.path.join(self.data, "audit.jsonl"), encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn(TOKEN, text)
        self.assertNotIn(BOB_TOKEN, text)

    def test_without_tokens_file_every_admin_call_is_401(self):
        svc = self.start("--data-dir", self.data)
        r = self.admin(svc, "GET", "/v1/admin/status")
        msg = self.assertError(r, 401, "unauthorized")
        self.assertIn("--tokens", msg)
        r = self.add(svc, csv_rows([phone(4)]))
        self.assertError(r, 401, "unauthorized")

    def test_a_tokens_file_others_can_read_is_refused(self):
        for mode in (0o644, 0o640, 0o604, 0o620):
            write_tokens(self.tokens, mode)
            err = self.start_fails("--tokens", self.tokens, "--data-dir", self.data)
            self.assertIn("chmod 600", err)
            self.assertIn(self.tokens, err)

    def test_malformed_tokens_files_are_refused_with_the_line(self):
        cases = [("alice short\n", "line 1"), ("alice sha256:abc\n", "line 1"),
                 ("# only a comment\n", "no token"), ("a b c d\n", "line 1"),
                 ("x %s\nx %s\n" % (TOKEN, BOB_TOKEN), "line 2"),
                 ("bad/name %s\n" % TOKEN, "line 1")]
        for text, where in cases:
            with open(self.tokens, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(self.tokens, 0o600)
            err = self.start_fails("--tokens", self.tokens, "--data-dir", self.data)
            self.assertIn(where, err)
        err = self.start_fails("--tokens", os.path.join(self.dir, "missing"))
        self.assertIn("missing", err)

    def test_sighup_reloads_the_tokens(self):
        svc = self.start_admin()
        with open(self.tokens, "w", encoding="utf-8") as f:
            f.write("carol carol-token-0123456789\n")
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"tokens file .*: 1 analysts' tokens")
        self.assertError(self.admin(svc, "GET", "/v1/admin/status"), 401, "unauthorized")
        r = self.admin(svc, "GET", "/v1/admin/status", token="carol-token-0123456789")
        self.assertEqual(r.status, 200, r)
        # A bad file keeps the tokens in use.
        os.chmod(self.tokens, 0o644)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"tokens in use are kept")
        r = self.admin(svc, "GET", "/v1/admin/status", token="carol-token-0123456789")
        self.assertEqual(r.status, 200, r)


class Indicators(AdminTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_admin()

    def test_csv_upload_answers_in_check_at_once(self):
        r = self.add(self.svc, "kind,value,status,categories,source,reports\n"
                               "phone,0911 000 001,confirmed,loan;investment,police,3\n"
                               "email,Scam2@Example.COM,reported,,community,\n"
                               "phone,not a phone,confirmed,,,\n"
                               "phone,0911000002,bogus,,,\n"
                               "phone,0911000003,reported,nosuch,,\n"
                               "url,https://phish.example/login,confirmed,phishing,bank,1\n")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["accepted"], 3)
        self.assertEqual([x["line"] for x in body["rejected"]], [4, 5, 6])
        reasons = [x["reason"] for x in body["rejected"]]
        self.assertIn("status", reasons[1])
        self.assertIn("category", reasons[2])
        # Visible at once, on another connection, with what was sent.
        r = self.svc.get("/v1/check?q=0911000001")
        m = r.json()["match"]
        self.assertEqual((r.json()["verdict"], m["value"], m["reports"]),
                         ("scam", "+84911000001", 3))
        self.assertEqual(m["categories"], ["investment", "loan"])
        self.assertEqual(m["sources"], ["police"])
        self.assertEqual(self.verdict(self.svc, "scam2@example.com"), "suspicious")
        self.assertEqual(self.verdict(self.svc, "https://phish.example/login?x=1"), "scam")
        self.assertEqual(self.verdicts(self.svc, ["0911000001", "0911000002"]),
                         ["scam", "unknown"])
        # The scan of a post consults the live changes too.
        r = self.svc.post_json("/v1/scan", {"text": "Gọi ngay 0911.000.001 để nhận quà"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["verdict"], "block", r)

    def test_jsonl_upload(self):
        rows = [{"kind": "phone", "value": "0911000011", "status": "confirmed",
                 "categories": ["romance", "shopping"], "reports": 7},
                {"value": "fb.com/scam.page", "status": "reported"},
                {"kind": "phone", "value": 12345},
                {"kind": "domain", "value": "bad-shop.example", "first_seen": "2024-13-01"}]
        text = "\n".join(json.dumps(x) for x in rows) + "\n"
        r = self.add(self.svc, text, JSONL)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["accepted"], 2)
        self.assertEqual([x["line"] for x in r.json()["rejected"]], [3, 4])
        r = self.svc.get("/v1/check?q=0911000011")
        self.assertEqual(r.json()["match"]["reports"], 7)
        self.assertEqual(self.verdict(self.svc, "https://www.facebook.com/scam.page"),
                         "suspicious")

    def test_the_same_value_merges_like_the_indexer(self):
        # The base snapshot has SCAM_PHONE confirmed, impersonation, police, 12 reports.
        self.add_ok(self.svc, [SCAM_PHONE], status="reported", category="task_job",
                    source="community")
        self.add_ok(self.svc, [SCAM_PHONE], status="allowlisted", category="", source="bank")
        m = self.svc.get("/v1/check?q=" + SCAM_PHONE).json()["match"]
        self.assertEqual(m["status"], "allowlisted")
        self.assertEqual(m["reports"], 14)
        self.assertEqual(m["categories"], ["impersonation", "task_job"])
        self.assertEqual(sorted(m["sources"]), ["bank", "community", "police"])
        self.assertEqual(m["first_seen"], "2024-03-01")

    def test_bad_uploads(self):
        r = self.add(self.svc, "")
        self.assertError(r, 400, "bad_request")
        r = self.add(self.svc, csv_rows([phone(5)]), ctype="application/pdf")
        self.assertError(r, 400, "bad_request")
        r = self.add(self.svc, "kind,valeur\nphone,0911000021\n")
        self.assertIn("column", self.assertError(r, 400, "bad_request"))
        # Content-Type absent: CSV and JSON Lines are told from the content.
        r = self.add(self.svc, csv_rows([phone(6)]), ctype=None)
        self.assertEqual(r.json()["accepted"], 1, r)
        # All rows bad: 200, nothing accepted, every line named.
        r = self.add(self.svc, "kind,value\nphone,x\nphone,y\n")
        self.assertEqual(r.json(), {"accepted": 0, "new": 0, "changed": 0, "unchanged": 0,
                                    "rejected": [
            {"line": 2, "reason": r.json()["rejected"][0]["reason"]},
            {"line": 3, "reason": r.json()["rejected"][1]["reason"]}]})
        # Wrong methods on the route.
        r = self.admin(self.svc, "PUT", "/v1/admin/indicators")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.headers["allow"], "DELETE, GET, HEAD, POST")
        self.assertError(self.admin(self.svc, "GET", "/v1/admin/nothing"), 404, "not_found")

    def test_many_rejections_are_counted_and_the_list_is_cut(self):
        text = "kind,value\n" + "phone,nope\n" * 1500 + "phone,0911000031\n"
        r = self.add(self.svc, text)
        body = r.json()
        self.assertEqual(body["accepted"], 1)
        self.assertEqual(len(body["rejected"]), 1000)
        self.assertEqual(body["rejected_total"], 1500)

    def test_body_limit_is_larger_for_analysts_only(self):
        self.svc.kill()  # one writer per data directory
        svc = self.start_admin("--max-body-bytes", "2K", "--max-admin-body-bytes", "64K")
        values = [phone(100 + i) for i in range(600)]  # about 20 KiB
        r = self.add(svc, csv_rows(values))
        self.assertEqual(r.json()["accepted"], 600, r)
        r = self.add(svc, csv_rows([phone(2000 + i) for i in range(3000)]))
        self.assertError(r, 413, "too_large")
        # The public routes keep theirs.
        r = svc.post_json("/v1/check", {"items": ["0911000001"] * 200})
        self.assertError(r, 413, "too_large")
        # Without a token the body is not read at all: 401, and the connection closes.
        r = self.add(svc, csv_rows(values), token=None)
        self.assertError(r, 401, "unauthorized")

    def test_delist(self):
        self.assertEqual(self.verdict(self.svc, "https://evil.example/x"), "scam")
        r = self.delist(self.svc, "domain", "EVIL.example.", reason="bank confirmed it is theirs")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"delisted": {"kind": "domain", "value": "evil.example"},
                                    "reason": "bank confirmed it is theirs"})
        self.assertEqual(self.verdict(self.svc, "https://evil.example/x"), "unknown")
        self.assertError(self.delist(self.svc, "domain", "evil.example"), 404, "not_found")
        self.assertError(self.delist(self.svc, "phone", "0900000000"), 404, "not_found")
        # Bank accounts are delisted by their exact stored value.
        self.assertEqual(self.delist(self.svc, "bank_account", "VCB 0123456789").status, 200)
        self.assertEqual(self.verdict(self.svc, "970436:0123456789"), "unknown")
        r = self.admin(self.svc, "DELETE", "/v1/admin/indicators?kind=phone&value=0912345678")
        self.assertIn("reason", self.assertError(r, 400, "bad_request"))
        r = self.delist(self.svc, "phone", "hello")
        self.assertError(r, 400, "invalid_value")
        r = self.delist(self.svc, "nosuchkind", "hello")
        self.assertError(r, 400, "bad_request")
        # Listed again after a delisting: starts afresh.
        self.add_ok(self.svc, ["evil.example"], kind="domain")
        self.assertEqual(self.verdict(self.svc, "https://evil.example/x"), "scam")
        actions = [(a["action"], a.get("value")) for a in self.audit()]
        self.assertIn(("delist", "evil.example"), actions)
        delist = [a for a in self.audit() if a["action"] == "delist"][0]
        self.assertEqual(delist["reason"], "bank confirmed it is theirs")
        self.assertEqual(delist["token"], "alice")
        self.assertEqual(delist["kind"], "domain")

    def test_pipelined_requests_wait_for_the_deferred_answer(self):
        body = csv_rows([phone(7)]).encode()
        req = (b"POST /v1/admin/indicators HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
               TOKEN.encode() + b"\r\nContent-Type: text/csv\r\nContent-Length: " +
               str(len(body)).encode() + b"\r\n\r\n" + body +
               b"GET /v1/check?q=" + phone(7).replace("+", "%2B").encode() +
               b" HTTP/1.1\r\nHost: x\r\n\r\n" +
               b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        rs, _, _ = self.svc.raw(req, until_responses=3)
        self.assertEqual([r.status for r in rs], [200, 200, 200])
        self.assertEqual(rs[0].json()["accepted"], 1)
        # The lookup was answered after the change was durable and visible.
        self.assertEqual(rs[1].json()["verdict"], "scam")
        self.assertEqual(rs[2].json(), {"status": "ok"})

    def test_client_gone_before_the_answer(self):
        s = self.svc.socket()
        body = csv_rows([phone(8)]).encode()
        s.sendall(b"POST /v1/admin/indicators HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                  TOKEN.encode() + b"\r\nContent-Type: text/csv\r\nContent-Length: " +
                  str(len(body)).encode() + b"\r\n\r\n" + body)
        s.close()
        deadline = time.monotonic() + 10
        while self.verdict(self.svc, phone(8)) != "scam" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.verdict(self.svc, phone(8)), "scam")
        self.assertEqual(self.svc.get("/healthz").status, 200)

    def test_status(self):
        self.add_ok(self.svc, [phone(9)])
        r = self.admin(self.svc, "GET", "/v1/admin/status")
        st = r.json()
        self.assertTrue(st["writable"])
        self.assertEqual(st["overlay"]["listed"], 1)
        self.assertGreaterEqual(st["wal"]["durable_seq"], 1)
        self.assertIsNone(st["wal"]["failure"])
        r = self.admin(self.svc, "POST", "/v1/admin/status")
        self.assertEqual(r.headers["allow"], "GET, HEAD")


class Reports(AdminTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_admin("--report-burst", "100")

    def report(self, value, category="investment", kind="phone"):
        r = self.svc.post_json("/v1/reports", {"kind": kind, "value": value,
                                               "category": category,
                                               "description": "họ bảo tôi đầu tư"})
        self.assertEqual(r.status, 202, r)
        return r.json()["id"]

    def decide(self, rid, body, token=TOKEN):
        return self.admin(self.svc, "POST", "/v1/admin/reports/" + rid, json.dumps(body),
                          "application/json", token=token)

    def pending(self, status="pending"):
        r = self.admin(self.svc, "GET", "/v1/admin/reports?status=" + status)
        self.assertEqual(r.status, 200, r)
        return [x["id"] for x in r.json()["reports"]]

    def test_approve_and_reject(self):
        a, b = self.report("0933000001"), self.report("0933000002", "loan")
        self.assertEqual(self.pending(), [a, b])
        self.assertEqual(self.verdict(self.svc, "0933000001"), "unknown")  # not by itself
        r = self.decide(a, {"action": "approve", "status": "confirmed",
                            "categories": ["investment", "phishing"], "reason": "checked"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "approved")
        self.assertEqual(r.json()["indicator"]["value"], "+84933000001")
        m = self.svc.get("/v1/check?q=0933000001").json()
        self.assertEqual(m["verdict"], "scam")
        self.assertEqual(m["match"]["categories"], ["investment", "phishing"])
        # Confirmed by an analyst: the unit (the token's name) vouches for it beside the
        # community.
        self.assertEqual(m["match"]["sources"], ["alice", "community"])
        r = self.decide(b, {"action": "reject", "reason": "a real shop"}, token=BOB_TOKEN)
        self.assertEqual(r.json()["state"], "rejected", r)
        self.assertEqual(self.verdict(self.svc, "0933000002"), "unknown")
        self.assertEqual(self.pending(), [])
        self.assertEqual(self.pending("approved"), [a])
        self.assertEqual(self.pending("rejected"), [b])
        # Decided once only.
        self.assertError(self.decide(a, {"action": "reject", "reason": "again"}), 409, "conflict")
        r = self.admin(self.svc, "GET", "/v1/admin/reports/" + b)
        self.assertEqual(r.json()["decided_by"], "bob", r)
        audit = [(x["action"], x["token"], x.get("report")) for x in self.audit()]
        self.assertEqual(audit, [("approve", "alice", a), ("reject", "bob", b)])

    def test_approve_defaults_and_reported_status(self):
        a = self.report("0933000003", "loan")
        r = self.decide(a, {"action": "approve", "status": "reported", "reason": "many reports"})
        self.assertEqual(r.json()["indicator"]["categories"], ["loan"], r)
        self.assertEqual(self.verdict(self.svc, "0933000003"), "suspicious")

    def test_bad_decisions(self):
        a = self.report("0933000004")
        self.assertError(self.decide(a, {"action": "maybe"}), 400, "bad_request")
        self.assertError(self.decide(a, {"action": "approve", "status": "allowlisted"}), 400,
                         "bad_request")
        self.assertError(self.decide(a, {"action": "approve", "categories": ["nope"]}), 400,
                         "bad_request")
        r = self.admin(self.svc, "POST", "/v1/admin/reports/" + a, "{", "application/json")
        self.assertError(r, 400, "invalid_json")
        self.assertError(self.decide("r" + "0" * 28, {"action": "reject", "reason": "x"}), 404,
                         "not_found")
        self.assertError(self.decide("../etc", {"action": "reject", "reason": "x"}), 404,
                         "not_found")
        r = self.admin(self.svc, "GET", "/v1/admin/reports?status=maybe")
        self.assertError(r, 400, "bad_request")
        self.assertEqual(self.pending(), [a])

    def test_paging(self):
        ids = [self.report("09330001%02d" % i) for i in range(5)]
        r = self.admin(self.svc, "GET", "/v1/admin/reports?limit=2").json()
        seen = [x["id"] for x in r["reports"]]
        while r["next"]:
            r = self.admin(self.svc, "GET", "/v1/admin/reports?limit=2&after=" + r["next"]).json()
            seen += [x["id"] for x in r["reports"]]
        self.assertEqual(seen, ids)

    def test_decisions_survive_a_restart(self):
        a, b = self.report("0933000005"), self.report("0933000006")
        self.decide(a, {"action": "approve", "status": "confirmed", "reason": "checked"})
        self.decide(b, {"action": "reject", "reason": "no scam"})
        self.svc.kill()
        svc = self.start_admin()
        self.assertEqual(self.verdict(svc, "0933000005"), "scam")
        self.assertEqual(self.verdict(svc, "0933000006"), "unknown")
        r = self.admin(svc, "GET", "/v1/admin/reports?status=pending")
        self.assertEqual(r.json()["reports"], [])


class Load(fidxsvc.BackgroundLoad):
    """Client threads checking known values over keep-alive connections, new connections and
    batches; every failure and every verdict that is not the expected one is recorded."""

    def __init__(self, svc, expected, threads=3):
        self.expected = expected
        super().__init__(svc, threads)

    def request(self, i, conn):
        values = list(self.expected)
        if i % 3 == 2:
            r = self.svc.post_json("/v1/check", {"items": values}, conn=conn)
            got = [x["verdict"] for x in r.json()["results"]]
        else:
            got = []
            for v in values:
                r = self.svc.get("/v1/check?" + urllib.parse.urlencode({"q": v}),
                                 conn=None if i % 3 == 1 else conn)
                if r.status != 200:
                    raise AssertionError(r)
                got.append(r.json()["verdict"])
        if got != [self.expected[v] for v in values]:
            raise AssertionError("verdicts %r" % got)

    @property
    def count(self):
        return self.answered()


class Compaction(AdminTest):
    def test_compaction_under_concurrent_reads_fails_no_request(self):
        svc = self.start_admin(threads=2)
        self.add_ok(svc, [phone(i) for i in range(200)])
        self.assertEqual(self.delist(svc, "email", "scam@example.com").status, 200)
        expected = {SCAM_PHONE: "scam", phone(3): "scam", "scam@example.com": "unknown",
                    "https://evil.example/a": "scam", "0987654321": "suspicious",
                    phone(5000): "unknown"}
        with Load(svc, expected) as load:
            for round_ in range(3):
                # Writes go on during the compaction.
                writer = threading.Thread(target=self.add_ok,
                                          args=(svc, [phone(1000 + 100 * round_ + i)
                                                      for i in range(100)]))
                writer.start()
                r = self.admin(svc, "POST", "/v1/admin/compact")
                writer.join(30)
                self.assertEqual(r.status, 200, r)
                self.assertTrue(os.path.exists(r.json()["snapshot"]))
                time.sleep(0.3)
            done = load.count
        self.assertEqual(load.failures, [])
        self.assertGreater(done, 10)
        # The folded segments are gone; one compacted snapshot is kept.
        snaps = [f for f in os.listdir(self.data) if f.startswith("snapshot-")]
        self.assertEqual(len(snaps), 1, os.listdir(self.data))
        self.assertEqual(len(segments(self.data)), 1)
        values = [phone(i) for i in range(200)] + [phone(1000 + i) for i in range(300)]
        self.assertEqual(set(self.verdicts(svc, values)), {"scam"})
        st = self.admin(svc, "GET", "/v1/admin/status").json()
        self.assertEqual(st["changes"]["compact"], 3)
        self.assertTrue(st["snapshot"].endswith(snaps[0]))
        # A restart serves the compacted snapshot and replays what came after it.
        self.assertEqual(svc.stop(), 0)
        svc = self.start_admin()
        svc.wait_log(r"serving the compacted snapshot")
        self.assertEqual(set(self.verdicts(svc, values)), {"scam"})
        for v, want in expected.items():
            self.assertEqual(self.verdict(svc, v), want, v)
        self.assertEqual([a["action"] for a in self.audit()].count("compact"), 3)

    def test_concurrent_compactions_share_one(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(i) for i in range(50)])
        out = []
        ts = [threading.Thread(target=lambda: out.append(
            self.admin(svc, "POST", "/v1/admin/compact"))) for _ in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        self.assertEqual([r.status for r in out], [200, 200, 200])
        self.assertEqual(set(self.verdicts(svc, [phone(i) for i in range(50)])), {"scam"})


if __name__ == "__main__":
    fidxsvc.main()
