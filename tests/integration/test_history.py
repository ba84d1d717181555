"""Search and history (issue 13, point 4; docs/OPERATIONS.md): GET /v1/admin/indicators?q=
answers each stored entry a value in any written form stands for, in full, with where it came
from, its history (newest first: who, role, action, reason, before/after) and its reports;
DELETE accepts any written form (409 with the candidates when it stands for several, unless
all=1); GET /v1/admin/audit pages through the log with filters. The history survives a restart
(the index is rebuilt from audit.jsonl) and a rotation of the log by copy and truncate."""

import json
import os
import urllib.parse

import fidxsvc
from test_admin_common import (JSONL, ROLE_TOKENS, AdminTest, csv_rows, phone)


class HistoryTest(AdminTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_admin("--report-burst", "100")

    def search(self, q, token=None, **params):
        params["q"] = q
        kw = {"token": token} if token else {}
        r = self.admin(self.svc, "GET", "/v1/admin/indicators?" + urllib.parse.urlencode(params),
                       **kw)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def entry(self, q, value, **params):
        got = [e for e in self.search(q, **params)["entries"] if e["value"] == value]
        self.assertEqual(len(got), 1, self.search(q, **params))
        return got[0]

    def delist_form(self, value, kind=None, all_=False, reason="not a scam"):
        params = {"value": value, "reason": reason}
        if kind:
            params["kind"] = kind
        if all_:
            params["all"] = "1"
        return self.admin(self.svc, "DELETE",
                          "/v1/admin/indicators?" + urllib.parse.urlencode(params))


class History(HistoryTest):
    def test_a_load_a_change_and_a_delisting_in_order(self):
        v = phone(11)
        self.add_ok(self.svc, [v], status="reported", category="loan", source="community")
        r = self.add(self.svc, "kind,value,status,categories,source,reports\n"
                               "phone,%s,confirmed,investment,police,2\n" % v,
                     token=ROLE_TOKENS["analyst"])
        self.assertEqual((r.json()["changed"], r.json()["new"]), (1, 0), r)
        self.assertEqual(self.delist(self.svc, "phone", v, reason="the bank's own line").status,
                         200)
        # Asked in another written form: the same canonical value.
        got = self.search("091 000 0011", kind="phone")
        self.assertEqual((got["kind"], got["canonical"]), ("phone", v))
        [e] = got["entries"]
        self.assertEqual((e["value"], e["listed"], e["entry"], e["origin"]), (v, False, None, None))
        h = e["history"]
        self.assertEqual([x["action"] for x in h], ["delist", "add", "add"])
        self.assertEqual([(x["token"], x["role"]) for x in h],
                         [("alice", "admin"), ("unit-analyst", "analyst"), ("alice", "admin")])
        self.assertEqual(h[0]["reason"], "the bank's own line")
        self.assertIsNone(h[2]["before"])
        self.assertEqual(h[2]["after"]["status"], "reported")
        self.assertEqual(h[1]["before"], h[2]["after"])
        self.assertEqual((h[1]["after"]["status"], h[1]["after"]["reports"]), ("confirmed", 3))
        self.assertEqual(sorted(h[1]["after"]["categories"]), ["investment", "loan"])
        self.assertEqual(h[0]["before"], h[1]["after"])
        self.assertIsNone(h[0]["after"])
        self.assertEqual(h, sorted(h, key=lambda x: x["time"], reverse=True))
        self.assertFalse(e["history_truncated"])
        # The history is the same after a restart: the index is read back from the log.
        self.svc.kill()
        self.svc = self.start_admin()
        self.assertEqual(self.search(v)["entries"][0]["history"], h)

    def test_entries_in_full_with_their_origin_and_reports(self):
        # From the snapshot (never changed live): the note is part of the entry.
        e = self.entry(fidxsvc.SCAM_PHONE, "+84912345678")
        self.assertEqual((e["listed"], e["origin"], e["history"]), (True, "snapshot", []))
        self.assertEqual(e["entry"]["status"], "confirmed")
        self.assertEqual(e["entry"]["reports"], 12)
        self.assertIn("note", e["entry"])
        # A load, with a note.
        r = self.add(self.svc, json.dumps({"kind": "email", "value": "Fake@Bank.example",
                                           "status": "confirmed", "note": "seen in SMS"}) + "\n",
                     ctype=JSONL)
        self.assertEqual(r.json()["accepted"], 1, r)
        e = self.entry("fake@bank.example", "fake@bank.example")
        self.assertEqual((e["origin"], e["entry"]["note"]), ("load", "seen in SMS"))
        # A review: the approved report is among the entry's reports.
        rid = self.svc.post_json("/v1/reports", {"value": "0933111222", "category": "loan",
                                                 "description": "gọi đòi nợ"}).json()["id"]
        e = self.entry("0933111222", "+84933111222")
        self.assertEqual((e["listed"], [x["id"] for x in e["reports"]]), (False, [rid]))
        r = self.admin(self.svc, "POST", "/v1/admin/reports/" + rid,
                       json.dumps({"action": "approve", "status": "reported", "reason": "ok"}),
                       "application/json")
        self.assertEqual(r.status, 200, r)
        e = self.entry("0933111222", "+84933111222")
        self.assertEqual((e["origin"], e["history"][0]["action"], e["history"][0]["report"]),
                         ("review", "approve", rid))
        self.assertEqual(e["reports"][0]["state"], "approved")
        # Nothing known at all: no entry.
        self.assertEqual(self.search("0999999999")["entries"], [])
        self.assertError(self.admin(self.svc, "GET", "/v1/admin/indicators"), 400,
                         "bad_request")
        self.assertError(self.admin(self.svc, "GET", "/v1/admin/indicators?q=x&kind=phone"), 400,
                         "invalid_value")

    def test_a_bank_account_without_its_bank_finds_every_bank(self):
        # The snapshot has Vietcombank 0123456789; MB gets one, and a third is delisted.
        self.add_ok(self.svc, ["MB 0123456789", "TCB 0123456789"], kind="bank_account")
        self.assertEqual(self.delist(self.svc, "bank_account", "TCB 0123456789").status, 200)
        got = self.search("0123456789", kind="bank_account")
        self.assertEqual(got["canonical"], "*:0123456789")
        by_value = {e["value"]: e for e in got["entries"]}
        self.assertEqual(set(by_value), {"970436:0123456789", "970422:0123456789",
                                         "970407:0123456789"})
        self.assertEqual(by_value["970436:0123456789"]["origin"], "snapshot")
        self.assertEqual(by_value["970422:0123456789"]["origin"], "load")
        self.assertFalse(by_value["970407:0123456789"]["listed"])
        self.assertEqual([x["action"] for x in by_value["970407:0123456789"]["history"]],
                         ["delist", "add"])
        # With its bank: that entry only (and *:N, which nobody listed).
        got = self.search("VCB 0123456789")
        self.assertEqual([e["value"] for e in got["entries"]], ["970436:0123456789"])


class DelistAnyForm(HistoryTest):
    def test_delisting_by_digits(self):
        # Only Vietcombank has 000010002001: its digits alone find it.
        self.add_ok(self.svc, ["Vietcombank 000010002001"], kind="bank_account")
        self.assertEqual(self.verdict(self.svc, "VCB 000010002001"), "scam")
        r = self.delist_form("*:000010002001", kind="bank_account")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["delisted"], {"kind": "bank_account",
                                                "value": "970436:000010002001"})
        self.assertEqual(self.verdict(self.svc, "VCB 000010002001"), "unknown")
        self.assertError(self.delist_form("000010002001", kind="bank_account"), 404, "not_found")

    def test_several_matches_need_all(self):
        self.add_ok(self.svc, ["MB 0123456789"], kind="bank_account")
        r = self.delist_form("0123456789", kind="bank_account")
        msg = self.assertError(r, 409, "conflict")
        self.assertIn("all=1", msg)
        cands = {c["value"]: c["status"] for c in r.json()["error"]["candidates"]}
        self.assertEqual(cands, {"970436:0123456789": "confirmed",
                                 "970422:0123456789": "confirmed"})
        self.assertEqual(self.verdict(self.svc, "VCB 0123456789"), "scam")  # nothing changed
        r = self.delist_form("0123456789", kind="bank_account", all_=True)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(x["value"] for x in r.json()["delisted"]),
                         ["970422:0123456789", "970436:0123456789"])
        self.assertEqual(self.verdicts(self.svc, ["VCB 0123456789", "MB 0123456789"]),
                         ["unknown", "unknown"])
        line = self.audit()[-1]
        self.assertEqual((line["action"], line["value"], len(line["values"])),
                         ("delist", "*:0123456789", 2))
        # Each delisted entry's history has it.
        e = self.entry("MB 0123456789", "970422:0123456789")
        self.assertEqual([x["action"] for x in e["history"]], ["delist", "add"])
        self.assertIsNone(e["history"][0]["after"])

    def test_any_written_form_of_a_phone_or_link(self):
        self.assertEqual(self.delist_form("+84 912 345 678").status, 200)
        self.assertEqual(self.verdict(self.svc, fidxsvc.SCAM_PHONE), "unknown")
        self.assertEqual(self.delist_form("HTTPS://Bad.Example/login?").status, 200)
        self.assertEqual(self.verdict(self.svc, "https://bad.example/login"), "unknown")


class Audit(HistoryTest):
    def page(self, **params):
        r = self.admin(self.svc, "GET", "/v1/admin/audit?" + urllib.parse.urlencode(params))
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_filters_and_paging(self):
        for i in range(5):
            self.add_ok(self.svc, [phone(100 + i)], token=ROLE_TOKENS["feeder"])
        self.assertEqual(self.delist(self.svc, "phone", phone(100)).status, 200)
        everything = self.page()["lines"]
        self.assertEqual([x["action"] for x in everything], ["add"] * 5 + ["delist"])
        self.assertEqual(len(self.page(who="unit-feeder")["lines"]), 5)
        self.assertEqual([x["token"] for x in self.page(action="delist")["lines"]], ["alice"])
        got = self.page(value="091 000 0100", kind="phone")["lines"]
        self.assertEqual([x["action"] for x in got], ["add", "delist"])
        self.assertEqual(self.page(since="2999-01-01")["lines"], [])
        self.assertEqual(len(self.page(since=everything[0]["time"][:10])["lines"]), 6)
        # Two at a time, with the cursor.
        seen, p = [], self.page(limit=2)
        seen += p["lines"]
        while p["next"]:
            p = self.page(limit=2, after=p["next"])
            seen += p["lines"]
        self.assertEqual(seen, everything)
        for bad in ({"since": "yesterday"}, {"limit": "5000"}, {"after": "x"},
                    {"value": "nope", "kind": "phone"}):
            r = self.admin(self.svc, "GET", "/v1/admin/audit?" + urllib.parse.urlencode(bad))
            self.assertEqual(r.status, 400, (bad, r))

    def test_a_rotated_log_forgets_what_it_moved(self):
        self.add_ok(self.svc, [phone(200)])
        path = os.path.join(self.data, "audit.jsonl")
        with open(path, "r+b") as f:  # rotation by copy and truncate
            f.truncate(0)
        self.add_ok(self.svc, [phone(201)])
        self.assertEqual(self.search(phone(200))["entries"][0]["history"], [])
        self.assertEqual([x["action"] for x in self.search(phone(201))["entries"][0]["history"]],
                         ["add"])
        self.assertEqual(len(self.page()["lines"]), 1)


if __name__ == "__main__":
    fidxsvc.main()
