"""Public labels and look-alike links against the real service (issue 15, items 2 and 3).

- A label given in the snapshot or by an analyst (CSV upload) is answered as match.label, never
  the note, and stays through a restart (the write-ahead log's replay) and a compaction.
- A link or domain nothing matched that imitates an allowlisted site answers suspicious with
  reason imitates (GET, batch, scan); the real site and its subdomains stay safe; a shortener
  stays unknown with reason shortener.
- The look-alike index follows the analysts' live changes: a domain allowlisted live becomes a
  brand (with its label), a delisted one stops being one, at once and after a restart; and it
  follows a reloaded snapshot.
"""

import os
import shutil
import signal
import unittest
import urllib.parse
from urllib.parse import urlencode

import fidxsvc
from test_admin_common import CSV, AdminTest

# The base rows, with two columns more, and Vietcombank's site and hotline.
BANK_CSV = "\n".join(
    [fidxsvc.BASE_CSV.splitlines()[0] + ",note,label"] +
    [row + ",," for row in fidxsvc.BASE_CSV.splitlines()[1:]] +
    ["domain,vietcombank.com.vn,allowlisted,,official,,,,private note,"
     "Vietcombank — trang web chính thức",
     "phone,1900 54 54 13,allowlisted,,official,,,,checked by phone,"
     "Vietcombank — tổng đài chính thức"]) + "\n"

REBUILT = r"look-alike index \(allowlist changed\)"


class LabelsAndLookalikes(AdminTest):
    def setUp(self):
        super().setUp()
        self.snapshot = fidxsvc.build_snapshot(self.dir, "banks", BANK_CSV)

    def check(self, svc, q):
        r = svc.get("/v1/check?" + urlencode({"q": q}))
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_labels_answered_never_notes(self):
        svc = self.start_admin()
        r = self.check(svc, "1900 54 54 13")
        self.assertEqual(r["verdict"], "safe")
        self.assertEqual(r["match"]["label"], "Vietcombank — tổng đài chính thức")
        self.assertNotIn("checked by phone", svc.get("/v1/check?q=1900545413").body.decode())
        self.assertNotIn("label", self.check(svc, fidxsvc.SCAM_PHONE)["match"])
        # An analyst's label (CSV column), through a restart and a compaction.
        up = ("kind,value,status,source,note,label\n"
              "phone,1900 9247,allowlisted,official,from the bank's site,"
              "BIDV — tổng đài chính thức\n")
        r = self.add(svc, up, CSV)
        self.assertEqual(r.status, 200, r)
        want = "BIDV — tổng đài chính thức"
        self.assertEqual(self.check(svc, "1900 9247")["match"]["label"], want)
        self.assertEqual(svc.stop(), 0)
        svc = self.start_admin()
        self.assertEqual(self.check(svc, "1900 9247")["match"]["label"], want)
        r = self.admin(svc, "POST", "/v1/admin/compact")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.check(svc, "1900 9247")["match"]["label"], want)
        self.assertEqual(svc.stop(), 0)
        svc = self.start_admin()
        svc.wait_log(r"serving the compacted snapshot")
        self.assertEqual(self.check(svc, "1900 9247")["match"]["label"], want)
        self.assertNotIn("from the bank", svc.get("/v1/check?q=19009247").body.decode())
        # A label that is not one line is refused with the row.
        r = self.add(svc, "kind,value,status,label\nphone,1900 1234,allowlisted,\"a\nb\"\n", CSV)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["accepted"], 0)
        self.assertIn("label", r.json()["rejected"][0]["reason"])

    def test_analysts_see_and_correct_a_label(self):
        svc = self.start_admin()
        # Only the label changes (reports 0 adds none): counted as a change, and the new
        # label answers; the same row again changes nothing.
        up = ("kind,value,status,source,reports,label\n"
              "phone,1900 54 54 13,allowlisted,official,0,Vietcombank — tổng đài 24/7\n")
        r = self.add(svc, up, CSV)
        self.assertEqual((r.json()["changed"], r.json()["unchanged"]), (1, 0), r)
        self.assertEqual(self.check(svc, "1900545413")["match"]["label"],
                         "Vietcombank — tổng đài 24/7")
        r = self.add(svc, up, CSV)
        self.assertEqual((r.json()["changed"], r.json()["unchanged"]), (0, 1), r)
        # The analysts' search shows it, and the audit log keeps its before and after.
        q = urllib.parse.urlencode({"q": "1900 54 54 13"})
        r = self.admin(svc, "GET", "/v1/admin/indicators?" + q)
        self.assertEqual(r.status, 200, r)
        e = r.json()["entries"][0]
        self.assertEqual(e["entry"]["label"], "Vietcombank — tổng đài 24/7")
        self.assertEqual(e["history"][-1]["before"]["label"], "Vietcombank — tổng đài chính thức")
        self.assertEqual(e["history"][-1]["after"]["label"], "Vietcombank — tổng đài 24/7")

    def test_both_shapes_suspicious_real_site_safe(self):
        svc = self.start()
        for q in ("https://vietcombank.com.vn.xac-minh.top/login", "vietcombank-xacminh.top",
                  "xacminh-vietcombank.com", "vietc0mbank.com.vn"):
            r = self.check(svc, q)
            self.assertEqual((r["verdict"], r["reason"], r["imitates"]["value"]),
                             ("suspicious", "imitates", "vietcombank.com.vn"), r)
            self.assertEqual(r["imitates"]["label"], "Vietcombank — trang web chính thức")
            self.assertNotIn("match", r)
        for q in ("https://vietcombank.com.vn/", "https://portal.vietcombank.com.vn/x",
                  "vietcombank.com.vn"):
            self.assertEqual(self.check(svc, q)["verdict"], "safe", q)
        r = self.check(svc, "https://bit.ly/3abc")
        self.assertEqual((r["verdict"], r["reason"], r["shortener"]),
                         ("unknown", "shortener", "bit.ly"))
        self.assertNotIn("reason", self.check(svc, "https://example.org/"))
        # A listed link is judged by its entry, never by the look-alike check.
        self.assertEqual(self.check(svc, "https://evil.example/x")["verdict"], "scam")
        r = svc.post_json("/v1/check", {"items": ["vietcombank-xacminh.top", "tinyurl.com/x"]})
        self.assertEqual([(x["verdict"], x["reason"]) for x in r.json()["results"]],
                         [("suspicious", "imitates"), ("unknown", "shortener")])
        r = svc.post_json("/v1/scan", {"text": "Cập nhật tại vietcombank-xacminh.top nhé"})
        self.assertEqual(r.json()["verdict"], "review")
        self.assertEqual(r.json()["matches"][0]["imitates"]["value"], "vietcombank.com.vn")
        m = svc.metrics()
        self.assertGreaterEqual(
            m[("fraudidx_lookups_total", frozenset({("kind", "domain"),
                                                     ("verdict", "suspicious")}))], 1)

    def test_index_follows_live_changes(self):
        svc = self.start_admin()
        self.assertEqual(self.check(svc, "sacombank-xacminh.top")["verdict"], "unknown")
        up = ("kind,value,status,source,label\n"
              "domain,sacombank.com.vn,allowlisted,official,Sacombank — trang web chính thức\n")
        self.assertEqual(self.add(svc, up, CSV).status, 200)
        svc.wait_log(REBUILT)
        r = self.check(svc, "sacombank-xacminh.top")
        self.assertEqual((r["verdict"], r["imitates"]["label"]),
                         ("suspicious", "Sacombank — trang web chính thức"))
        self.assertEqual(self.check(svc, "sacombank.com.vn")["verdict"], "safe")
        # A delisted site is no brand any more (and is not flagged itself).
        r = self.delist(svc, "domain", "vietcombank.com.vn")
        self.assertEqual(r.status, 200, r)
        svc.wait_log(REBUILT, count=2)
        self.assertEqual(self.check(svc, "vietcombank-xacminh.top")["verdict"], "unknown")
        self.assertEqual(self.check(svc, "vietcombank.com.vn")["verdict"], "unknown")
        # A change that touches no allowlisted site rebuilds nothing.
        self.add_ok(svc, ["0911000111"])
        # After a restart the index is built from the snapshot and the replayed log.
        self.assertEqual(svc.stop(), 0)
        self.assertEqual(len(__import__("re").findall(REBUILT, svc.log())), 2)
        svc = self.start_admin()
        self.assertEqual(self.check(svc, "sacombank-xacminh.top")["verdict"], "suspicious")
        self.assertEqual(self.check(svc, "vietcombank-xacminh.top")["verdict"], "unknown")

    def test_index_follows_reloads(self):
        live = os.path.join(self.dir, "live.fidx")
        shutil.copy(self.snapshot, live)
        svc = self.start(snapshot=live)
        self.assertEqual(self.check(svc, "vietcombank-xacminh.top")["verdict"], "suspicious")
        plain = fidxsvc.build_snapshot(self.dir, "plain", fidxsvc.BASE_CSV)
        os.rename(plain, live)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"look-alike index \(snapshot published\): 0 allowlisted sites")
        self.assertEqual(self.check(svc, "vietcombank-xacminh.top")["verdict"], "unknown")


if __name__ == "__main__":
    unittest.main(verbosity=2)
