"""The analysts' console's server side (issue 14; docs/CONSOLE.md): sign-in with a token for a
session cookie, the analysts' API through that cookie, CSRF on every change, roles, sign-out,
the idle timeout and the sign-in rate limit. The browser side is tests/browser/console.js."""

import json
import os
import signal
import time
import unittest

import fidxsvc
from test_admin_common import ROLE_TOKENS, TOKEN, AdminTest, csv_rows

COOKIE = "fidx_session"


class ConsoleTest(AdminTest):
    def start_console(self, *args):
        self.access = os.path.join(self.dir, "access.log")
        return self.start_admin("--access-log", self.access, *args)

    def signin(self, svc, token=TOKEN):
        return svc.post_json("/admin/session", {"token": token})

    def session(self, svc, token=TOKEN):
        """Signs in: (cookie header value, CSRF token, whoami body)."""
        r = self.signin(svc, token)
        self.assertEqual(r.status, 200, r)
        cookie = r.headers["set-cookie"].split(";")[0]
        self.assertTrue(cookie.startswith(COOKIE + "="), cookie)
        return cookie, r.json()["csrf"], r.json()

    def call(self, svc, method, path, cookie, csrf=None, body=None, ctype=None):
        headers = {"Cookie": "other=1; " + cookie}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        if ctype:
            headers["Content-Type"] = ctype
        if isinstance(body, str):
            body = body.encode()
        return svc.request(method, path, body=body, headers=headers)

    def test_signin_sets_a_strict_httponly_cookie_and_says_who(self):
        svc = self.start_console()
        r = self.signin(svc)
        self.assertEqual(r.status, 200, r)
        attrs = [a.strip() for a in r.headers["set-cookie"].split(";")]
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/", attrs)
        self.assertNotIn("Secure", attrs)  # plain HTTP listener (docs/CONSOLE.md)
        self.assertEqual(len(attrs[0].split("=", 1)[1]), 64)
        me = r.json()
        self.assertEqual((me["name"], me["role"]), ("alice", "admin"))
        self.assertIn("load", me["rights"])
        self.assertEqual(len(me["csrf"]), 64)
        self.assertEqual(r.headers.get("cache-control"), "no-store")
        # GET /admin/session answers the same session, and nothing without it.
        cookie = attrs[0]
        again = self.call(svc, "GET", "/admin/session", cookie)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json()["csrf"], me["csrf"])
        self.assertError(svc.get("/admin/session"), 401, "unauthorized")
        self.assertError(self.call(svc, "GET", "/admin/session", COOKIE + "=" + "0" * 64), 401,
                         "unauthorized")

    def test_a_bad_token_is_refused_and_never_logged(self):
        svc = self.start_console("--signin-rate", "0")  # five failures here: no limit
        r = self.signin(svc, "not-a-token-at-all-0000")
        self.assertError(r, 401, "unauthorized")
        self.assertNotIn("set-cookie", r.headers)
        self.assertError(svc.post_json("/admin/session", {"tok": TOKEN}), 400, "bad_request")
        # Only application/json: a form type (which any site's page may send without a
        # preflight) is refused even with a valid token in a JSON body (login CSRF).
        for ctype in ("application/x-www-form-urlencoded", "text/plain", None):
            headers = {"Content-Type": ctype} if ctype else {}
            r = svc.request("POST", "/admin/session", body=json.dumps({"token": TOKEN}).encode(),
                            headers=headers)
            self.assertError(r, 400, "bad_request")
            self.assertNotIn("set-cookie", r.headers)
        self.session(svc)
        svc.stop()
        with open(self.access, encoding="utf-8") as f:
            access = f.read()
        self.assertIn("/admin/session", access)
        for text in (access, svc.log()):
            self.assertNotIn(TOKEN, text)
            self.assertNotIn("not-a-token-at-all", text)

    def test_the_api_takes_the_cookie_and_every_change_needs_the_csrf_token(self):
        svc = self.start_console()
        cookie, csrf, _ = self.session(svc)
        self.assertEqual(self.call(svc, "GET", "/v1/admin/status", cookie).status, 200)
        self.assertError(svc.get("/v1/admin/status"), 401, "unauthorized")
        rows = csv_rows(["0912000111"])
        # Without the header, with another session's, with a wrong one: 403 csrf, nothing done.
        other_cookie, other_csrf, _ = self.session(svc)
        for bad in (None, other_csrf, "0" * 64, csrf[:-1]):
            r = self.call(svc, "POST", "/v1/admin/indicators", cookie, bad, rows, "text/csv")
            self.assertError(r, 403, "csrf")
        self.assertEqual(self.verdict(svc, "0912000111"), "unknown")
        r = self.call(svc, "POST", "/v1/admin/indicators", cookie, csrf, rows, "text/csv")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.verdict(svc, "0912000111"), "scam")
        # The audit names the session's analyst, as it names a token's.
        line = [a for a in self.audit() if a.get("action") == "add"][-1]
        self.assertEqual((line["token"], line["role"]), ("alice", "admin"))
        # A Bearer token goes on working beside the cookie.
        self.assertEqual(self.admin(svc, "GET", "/v1/admin/status").status, 200)

    def test_brief_audit_lines_count_an_uploads_values(self):
        svc = self.start_console()
        values = ["+8491200%04d" % i for i in range(30)]
        self.add_ok(svc, values)
        self.assertEqual(self.delist(svc, "phone", values[0]).status, 200)
        whole = self.admin(svc, "GET", "/v1/admin/audit").json()["lines"]
        brief = self.admin(svc, "GET", "/v1/admin/audit?brief=1").json()["lines"]
        self.assertEqual(len(whole), len(brief))
        add_whole = [x for x in whole if x["action"] == "add"][0]
        add_brief = [x for x in brief if x["action"] == "add"][0]
        self.assertEqual(len(add_whole["values"]), 30)
        self.assertNotIn("values", add_brief)
        self.assertEqual(add_brief["values_count"], 30)
        del add_whole["values"]
        del add_brief["values_count"]
        self.assertEqual(add_whole, add_brief)
        # A line without a list is the same either way.
        self.assertEqual([x for x in whole if x["action"] == "delist"],
                         [x for x in brief if x["action"] == "delist"])
        self.assertError(self.admin(svc, "GET", "/v1/admin/audit?brief=2"), 400, "bad_request")

    def test_a_session_has_its_role_rights(self):
        svc = self.start_console()
        cookie, csrf, me = self.session(svc, ROLE_TOKENS["reviewer"])
        self.assertEqual(me["role"], "reviewer")
        self.assertNotIn("load", me["rights"])
        self.assertNotIn("delist", me["rights"])
        r = self.call(svc, "POST", "/v1/admin/indicators", cookie, csrf, csv_rows(["0912000222"]),
                      "text/csv")
        self.assertError(r, 403, "forbidden")
        r = self.call(svc, "DELETE", "/v1/admin/indicators?value=0912345678&reason=x", cookie, csrf)
        self.assertError(r, 403, "forbidden")
        self.assertEqual(self.call(svc, "GET", "/v1/admin/reports", cookie).status, 200)
        # A replica's token is a machine's: no console session.
        self.assertError(self.signin(svc, ROLE_TOKENS["replica"]), 403, "forbidden")

    def test_signout_needs_csrf_and_ends_the_session(self):
        svc = self.start_console()
        cookie, csrf, _ = self.session(svc)
        self.assertError(self.call(svc, "DELETE", "/admin/session", cookie), 403, "csrf")
        r = self.call(svc, "DELETE", "/admin/session", cookie, csrf)
        self.assertEqual(r.status, 200, r)
        self.assertIn("Max-Age=0", r.headers["set-cookie"])
        self.assertError(self.call(svc, "GET", "/v1/admin/status", cookie), 401, "unauthorized")
        self.assertError(self.call(svc, "GET", "/admin/session", cookie), 401, "unauthorized")

    def test_a_token_removed_rotated_or_given_another_role_ends_its_sessions(self):
        svc = self.start_console("--signin-rate", "0")
        feeder = ROLE_TOKENS["feeder"]
        kept, _, _ = self.session(svc, ROLE_TOKENS["reader"])
        role_changed, _, _ = self.session(svc, feeder)
        rotated, _, _ = self.session(svc)
        removed, _, _ = self.session(svc, ROLE_TOKENS["analyst"])
        with open(self.tokens, "w", encoding="utf-8") as f:
            f.write("alice %s-new\n" % TOKEN)  # a new secret under the same name
            f.write("unit-feeder %s analyst\n" % feeder)  # the same secret, another role
            f.write("unit-reader %s reader\n" % ROLE_TOKENS["reader"])  # as it was
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"tokens file .*: 3 analysts' tokens")
        self.assertEqual(self.call(svc, "GET", "/v1/admin/status", kept).status, 200)
        for cookie in (role_changed, rotated, removed):
            self.assertError(self.call(svc, "GET", "/v1/admin/status", cookie), 401,
                             "unauthorized")
            self.assertError(self.call(svc, "GET", "/admin/session", cookie), 401, "unauthorized")
        # The new secret signs in again.
        self.session(svc, TOKEN + "-new")

    def test_an_idle_session_ends(self):
        svc = self.start_console("--session-idle", "1")
        cookie, _, me = self.session(svc)
        self.assertEqual(me["idle_timeout_s"], 1)
        time.sleep(2.5)  # past the timeout whatever the machine's load: only a lower bound
        self.assertError(self.call(svc, "GET", "/v1/admin/status", cookie), 401, "unauthorized")

    def test_a_session_ends_at_its_maximum_age_even_when_used(self):
        svc = self.start_console("--session-max", "2")
        cookie, _, _ = self.session(svc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.call(svc, "GET", "/v1/admin/status", cookie).status == 401:
                break
            time.sleep(0.3)
        else:
            self.fail("the session outlived --session-max")

    def test_failed_signins_are_rate_limited(self):
        svc = self.start_console("--signin-rate", "3/h")
        for _ in range(3):
            self.assertError(self.signin(svc, "wrong-token-0123456789"), 401, "unauthorized")
        r = self.signin(svc, "wrong-token-0123456789")
        self.assertError(r, 429, "rate_limited")
        self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
        # Even the right token waits now: guessing cannot go on by interleaving it.
        self.assertError(self.signin(svc), 429, "rate_limited")

    def test_successful_signins_use_up_no_allowance(self):
        svc = self.start_console("--signin-rate", "2/h")
        for _ in range(6):
            self.session(svc)

    def test_secure_when_a_trusted_proxy_took_it_over_tls(self):
        svc = self.start_console("--trusted-proxy", "127.0.0.0/8", "--signin-rate", "2/h")
        body = json.dumps({"token": TOKEN}).encode()

        def signin(headers, token_body=body):
            h = {"Content-Type": "application/json"}
            h.update(headers)
            return svc.request("POST", "/admin/session", body=token_body, headers=h)

        r = signin({"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})
        self.assertEqual(r.status, 200, r)
        self.assertIn("Secure", [a.strip() for a in r.headers["set-cookie"].split(";")])
        r = signin({"X-Forwarded-For": "198.51.100.7"})
        self.assertNotIn("Secure", r.headers["set-cookie"])
        # Failed sign-ins count per client network behind the proxy, not per proxy.
        bad = json.dumps({"token": "wrong-token-0123456789"}).encode()
        for _ in range(2):
            self.assertEqual(signin({"X-Forwarded-For": "198.51.100.7"}, bad).status, 401)
        self.assertError(signin({"X-Forwarded-For": "198.51.100.8"}, bad), 429, "rate_limited")
        self.assertEqual(signin({"X-Forwarded-For": "203.0.113.9"}).status, 200)

    def test_the_console_page_and_files(self):
        svc = self.start_console()
        r = svc.get("/admin/")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        self.assertIn("default-src 'self'", r.headers["content-security-policy"])
        self.assertIn(b'lang="vi"', r.body)
        self.assertEqual(svc.get("/admin").body, r.body)
        for name in ("api.js", "app.js", "queue.js", "search.js", "load.js", "audit.js",
                     "dashboard.js", "console.css"):
            r = svc.get("/admin/static/" + name)
            self.assertEqual(r.status, 200, name)
            self.assertIn("etag", r.headers)
        self.assertError(svc.get("/admin/static/page.html"), 404, "not_found")
        self.assertError(svc.get("/admin/static/"), 404, "not_found")
        self.assertError(svc.get("/admin/nothing"), 404, "not_found")
        self.assertEqual(svc.request("POST", "/admin/", body=b"x").status, 405)


if __name__ == "__main__":
    fidxsvc.require_binaries()
    unittest.main()
