"""Roles (issue 13, point 1; docs/OPERATIONS.md, "Roles"): every analysts' route, called with a
token of every role, answers 403 `forbidden` exactly when the role lacks the route's rights,
and a refused call changes nothing; a request with a body is refused before the body is read;
the role rides with its token through a SIGHUP rotation; every audit line names the token and
its role."""

import json
import os
import signal
import urllib.parse

import fidxsvc
from test_admin_common import (CSV, ROLE_TOKENS, ROLES, AdminTest, csv_rows, phone)

# What each role may do, written out here rather than read from the code: the test holds the
# service to the documented table.
RIGHTS = {
    "admin": {"status", "lookup", "reports", "load", "delist", "review", "compact"},
    "analyst": {"status", "lookup", "reports", "load", "delist", "review"},
    "reviewer": {"lookup", "reports", "review"},
    "feeder": {"load"},
    "reader": {"status", "lookup", "reports"},
    "replica": set(),
}

RID = "r" + "0" * 28  # a well-formed report id that does not exist
# (method, path, body, content type, the right it needs). Bodies are harmless: a call a role
# may make answers something other than 401/403 (200, 400, 404, 409) and changes nothing that
# the next role's call depends on.
ROUTES = [
    ("GET", "/v1/admin/status", None, None, "status"),
    ("HEAD", "/v1/admin/status", None, None, "status"),
    ("GET", "/v1/admin/audit", None, None, "status"),
    ("GET", "/v1/admin/indicators?q=0912345678", None, None, "lookup"),
    ("HEAD", "/v1/admin/indicators?q=0912345678", None, None, "lookup"),
    ("GET", "/v1/admin/reports", None, None, "reports"),
    ("GET", "/v1/admin/reports?group=value", None, None, "reports"),
    ("POST", "/v1/admin/reports", '{"action":"reject","reason":"x","ids":["%s"]}' % RID,
     "application/json", "review"),
    ("POST", "/v1/admin/indicators?dry_run=1", "kind,value\nphone,0900000002\n", CSV, "load"),
    ("GET", "/v1/admin/reports/" + RID, None, None, "reports"),
    ("POST", "/v1/admin/reports/" + RID, '{"action":"reject","reason":"x"}', "application/json",
     "review"),
    ("POST", "/v1/admin/indicators", "kind,value\nphone,not a phone\n", CSV, "load"),
    ("DELETE", "/v1/admin/indicators?kind=phone&value=0900000001&reason=x", None, None,
     "delist"),
    ("POST", "/v1/admin/compact", None, None, "compact"),
]


class Roles(AdminTest):
    def call(self, svc, method, path, body, ctype, role):
        return self.admin(svc, method, path, body, ctype, token=ROLE_TOKENS[role])

    def test_every_route_and_every_role(self):
        svc = self.start_admin()
        self.assertEqual({r[4] for r in ROUTES} - set().union(*RIGHTS.values()), set())
        for method, path, body, ctype, right in ROUTES:
            for role in ROLES:
                with self.subTest(method=method, path=path, role=role):
                    r = self.call(svc, method, path, body, ctype, role)
                    if right in RIGHTS[role]:
                        self.assertNotIn(r.status, (401, 403), r)
                        continue
                    self.assertEqual(r.status, 403, r)
                    if method != "HEAD":
                        msg = self.assertError(r, 403, "forbidden")
                        self.assertIn(role, msg)
        # Nothing any refused call could have changed did change: the only audit lines are
        # the compactions the admin asked for.
        self.assertEqual([a["action"] for a in self.audit()], ["compact"])

    def test_a_refused_upload_is_refused_before_its_body(self):
        svc = self.start_admin()
        body = csv_rows([phone(1)]).encode()
        head = ("POST /v1/admin/indicators HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n"
                % (ROLE_TOKENS["reader"], len(body) + 1000000)).encode()
        # Only the headers are sent: the answer must come without the body, and the server
        # closes the connection (after its lingering close) rather than wait for it.
        rs, closed, _ = svc.raw(head, timeout=8)
        self.assertEqual([r.status for r in rs], [403])
        self.assertEqual(rs[0].json()["error"]["code"], "forbidden")
        self.assertTrue(closed)
        self.assertEqual(self.verdict(svc, phone(1)), "unknown")

    def test_the_role_rides_with_the_token_through_rotation(self):
        svc = self.start_admin()
        token = ROLE_TOKENS["feeder"]
        r = self.add(svc, csv_rows([phone(2)]), token=token)
        self.assertEqual(r.status, 200, r)
        self.assertError(self.delist(svc, "phone", phone(2), token=token), 403, "forbidden")
        # The same secret, now an analyst's: it may delist from the next request on.
        with open(self.tokens, "w", encoding="utf-8") as f:
            f.write("importer %s analyst\n" % token)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"tokens file .*: 1 analysts' tokens")
        self.assertEqual(self.delist(svc, "phone", phone(2), token=token).status, 200)
        # And back to reader: it may no longer load.
        with open(self.tokens, "w", encoding="utf-8") as f:
            f.write("importer %s reader\n" % token)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"tokens file .*: 1 analysts' tokens", count=2)
        self.assertError(self.add(svc, csv_rows([phone(3)]), token=token), 403, "forbidden")
        self.assertEqual(self.admin(svc, "GET", "/v1/admin/status", token=token).status, 200)
        got = [(a["token"], a["role"], a["action"]) for a in self.audit()]
        self.assertEqual(got, [("unit-feeder", "feeder", "add"),
                               ("importer", "analyst", "delist")])

    def test_every_audit_line_names_token_and_role(self):
        svc = self.start_admin()
        self.add_ok(svc, [phone(4)], token=ROLE_TOKENS["analyst"])
        self.assertEqual(self.delist(svc, "phone", phone(4)).status, 200)  # alice: admin
        r = self.admin(svc, "POST", "/v1/admin/compact", token=ROLE_TOKENS["admin"])
        self.assertEqual(r.status, 200, r)
        lines = self.audit()
        self.assertEqual([(a["token"], a["role"]) for a in lines],
                         [("unit-analyst", "analyst"), ("alice", "admin"),
                          ("unit-admin", "admin")])
        for a in lines:
            self.assertEqual(list(a)[:4], ["time", "token", "role", "action"])


if __name__ == "__main__":
    fidxsvc.main()
