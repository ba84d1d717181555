"""Every feed format on the live API (issue 13, points 3 and 7; docs/OPERATIONS.md): a MISP
event and a STIX 2.1 bundle go through POST /v1/admin/indicators as they go through the
indexer, told from the content when Content-Type is absent or generic; ?dry_run=1 answers the
counts and rejections without writing anything (log, audit, lookups); a count of 0 reports is
kept as 0 in CSV, JSON Lines and the admin API."""

import json
import os

import fidxsvc
from test_admin_common import (CSV, JSONL, AdminTest, csv_rows, phone, segments)

DATA = os.path.join(fidxsvc.SOURCE_DIR, "tests", "cli", "data")


def read(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def match(svc, value):
    from urllib.parse import urlencode
    return svc.get("/v1/check?" + urlencode({"q": value})).json()


class Formats(AdminTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start_admin()

    def test_misp_event(self):
        for ctype in (None, "application/json"):
            r = self.add(self.svc, read("misp-event.json"), ctype=ctype)
            self.assertEqual(r.status, 200, r)
            # url, phone, domain, email, bank account (ip-dst, to_ids:false, text skipped)
            self.assertEqual(r.json()["accepted"], 5, r)
        m = match(self.svc, "0886 123 456")
        self.assertEqual((m["verdict"], m["match"]["first_seen"], m["match"]["reports"]),
                         ("suspicious", "2024-07-10", 2))  # loaded twice: reports add up
        self.assertEqual(match(self.svc, "MBBank 0868 123 456 789")["match"]["value"],
                         "970422:0868123456789")
        self.assertEqual(match(self.svc, "https://login.digibank-vcb.net/")["verdict"],
                         "suspicious")
        self.assertEqual(match(self.svc, "0903000111")["verdict"], "unknown")
        self.assertEqual([a["format"] for a in self.audit()], ["misp", "misp"])

    def test_stix_bundle(self):
        for ctype in ("application/stix+json;version=2.1", None):
            r = self.add(self.svc, read("stix-bundle.json"), ctype=ctype)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["accepted"], 3, r)
        m = match(self.svc, "http://lazada-trungthuong.vn/nhan-qua")
        self.assertEqual(m["match"]["categories"], ["shopping", "phishing"])
        self.assertEqual(match(self.svc, "revoked-example.vn")["verdict"], "unknown")
        self.assertEqual(self.audit()[0]["format"], "stix")

    def test_lists_and_generic_types(self):
        r = self.add(self.svc, read("list.txt"), ctype="text/plain")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.audit()[-1]["format"], "list")
        # What curl -d sends is generic too: the content decides.
        r = self.add(self.svc, csv_rows([phone(1)]), ctype="application/x-www-form-urlencoded")
        self.assertEqual(r.json()["accepted"], 1, r)
        self.assertEqual(self.audit()[-1]["format"], "csv")
        # A JSON document that is neither MISP nor STIX, and a type that names no format.
        r = self.add(self.svc, '{"hello":"world"}', ctype="application/json")
        self.assertIn("MISP", self.assertError(r, 400, "bad_request"))
        r = self.add(self.svc, csv_rows([phone(2)]), ctype="image/png")
        self.assertIn("Content-Type", self.assertError(r, 400, "bad_request"))
        self.assertEqual(self.verdict(self.svc, phone(2)), "unknown")


class DryRun(AdminTest):
    def state(self, svc):
        """What a dry run must leave alone: the log's bytes, the audit log, and lookups."""
        logs = b"".join(open(p, "rb").read() for p in segments(self.data))
        audit = open(os.path.join(self.data, "audit.jsonl"), "rb").read()
        return logs, audit, self.verdicts(svc, [fidxsvc.SCAM_PHONE, phone(1), phone(2)])

    def test_dry_run_writes_nothing(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(1)])  # something to compare "changed" and "unchanged" with
        before = self.state(svc)
        status_before = self.admin(svc, "GET", "/v1/admin/status").json()
        text = ("kind,value,status,source,reports\n"
                "phone,%s,confirmed,police,1\n"     # changed: a known scam, one more report
                "phone,%s,confirmed,police,0\n"     # unchanged: nothing new about phone(1)
                "phone,%s,reported,community,1\n"   # new
                "phone,%s,reported,community,1\n"   # the same again: changed by the first
                "phone,nope,reported,,\n"           # rejected
                % (fidxsvc.SCAM_PHONE, phone(1), phone(2), phone(2)))
        for q in ("?dry_run=1", "?dry_run=true"):
            r = self.admin(svc, "POST", "/v1/admin/indicators" + q, text, CSV)
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(body["dry_run"], True)
            self.assertEqual((body["accepted"], body["new"], body["changed"], body["unchanged"]),
                             (4, 1, 2, 1), body)
            self.assertEqual([x["line"] for x in body["rejected"]], [6])
        self.assertEqual(self.state(svc), before)
        status = self.admin(svc, "GET", "/v1/admin/status").json()
        self.assertEqual(status["overlay"], status_before["overlay"])
        self.assertEqual(status["wal"]["next_seq"], status_before["wal"]["next_seq"])
        # The real upload answers the same counts.
        r = self.add(svc, text)
        body = r.json()
        self.assertNotIn("dry_run", body)
        self.assertEqual((body["accepted"], body["new"], body["changed"], body["unchanged"]),
                         (4, 1, 2, 1), body)
        self.assertEqual(self.verdict(svc, phone(2)), "suspicious")

    def test_dry_run_lists_the_first_1000_rejections(self):
        svc = self.start_admin()
        text = "kind,value\n" + "phone,nope\n" * 1200 + "phone,%s\n" % phone(3)
        r = self.admin(svc, "POST", "/v1/admin/indicators?dry_run=1", text, CSV)
        body = r.json()
        self.assertEqual((body["accepted"], body["new"]), (1, 1))
        self.assertEqual(len(body["rejected"]), 1000)
        self.assertEqual(body["rejected"][0], {"line": 2, "reason": body["rejected"][0]["reason"]})
        self.assertEqual(body["rejected_total"], 1200)
        self.assertEqual(self.verdict(svc, phone(3)), "unknown")
        self.assertFalse(os.path.exists(os.path.join(self.data, "audit.jsonl")) and
                         os.path.getsize(os.path.join(self.data, "audit.jsonl")))
        r = self.admin(svc, "POST", "/v1/admin/indicators?dry_run=maybe", text, CSV)
        self.assertError(r, 400, "bad_request")


class ZeroReports(AdminTest):
    def test_reports_zero_is_kept(self):
        svc = self.start_admin()
        r = self.add(svc, "kind,value,status,source,reports\n"
                          "phone,1900 54 54 13,allowlisted,bank,0\n"
                          "domain,vietcombank.com.vn,allowlisted,bank,0\n")
        self.assertEqual(r.json()["accepted"], 2, r)
        r = self.add(svc, json.dumps({"value": "18001234", "status": "allowlisted",
                                      "source": "telco", "reports": 0}) + "\n", ctype=JSONL)
        self.assertEqual(r.json()["accepted"], 1, r)
        for v in ("1900545413", "https://vietcombank.com.vn/", "1800 1234"):
            m = match(svc, v)
            self.assertEqual((m["verdict"], m["match"]["reports"]), ("safe", 0), m)
        # Merged with a later row, and kept through a restart and a compaction.
        self.add_ok(svc, ["1900545413"], status="allowlisted", source="bank")
        self.assertEqual(match(svc, "1900545413")["match"]["reports"], 1)
        self.assertEqual(self.admin(svc, "POST", "/v1/admin/compact").status, 200)
        svc.kill()
        svc = self.start_admin()
        self.assertEqual(match(svc, "1800 1234")["match"]["reports"], 0)
        self.assertEqual(match(svc, "1900545413")["match"]["reports"], 1)


if __name__ == "__main__":
    fidxsvc.main()
