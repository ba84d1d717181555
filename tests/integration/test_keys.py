"""Keys and limits for bots (issue 16.5), against the real service: the client behind a
trusted proxy (--trusted-proxy: the right-most untrusted address of X-Forwarded-For), a spoofed
X-Forwarded-For from an untrusted peer ignored, the per-network report limits counting the
real client; API keys (--api-keys: a bucket per key, the key's name on its reports for
analysts only, a wrong key 401, re-read on SIGHUP); lookups limited per network but not from
loopback unless through a trusted proxy; RateLimit-Policy and RateLimit on limited answers,
Retry-After on every 429, and fraudidx_rate_limited_total. The proxy is the test itself on
loopback, declared trusted."""

import hashlib
import json
import os
import re
import signal
import subprocess

import fidxsvc
import test_admin_common as common
from fidxsvc import SCAM_PHONE

KEY1 = "bot-one-key-0123456789abcdef"
KEY2 = "bot-two-key-fedcba9876543210"
KEY3 = "bot-three-key-00112233445566"
START_FAIL_TIMEOUT = 20


def phone(i):
    """A distinct number per i: the same value twice from one network is one report."""
    return "0912%06d" % (200000 + i)


class KeysTest(fidxsvc.ServiceTest):
    def report(self, svc, i, headers=None):
        return svc.post_json("/v1/reports", {"kind": "phone", "value": phone(i),
                                             "category": "impersonation"}, headers=headers)


class TrustedProxy(KeysTest):
    def test_spoofed_forwarded_for_from_untrusted_peer_is_ignored(self):
        svc = self.start("--report-rate", "1/h", "--report-burst", "2")
        for i in range(2):
            r = self.report(svc, i, {"X-Forwarded-For": "198.51.%d.7" % i})
            self.assertEqual(r.status, 202, r)
        # A new address in X-Forwarded-For each time changes nothing: the peer counts.
        r = self.report(svc, 3, {"X-Forwarded-For": "203.0.113.99"})
        self.assertError(r, 429, "rate_limited")
        self.assertIn("retry-after", r.headers)

    def test_reports_count_the_client_behind_a_trusted_proxy(self):
        svc = self.start("--report-rate", "1/h", "--report-burst", "1",
                         "--trusted-proxy", "127.0.0.0/8", "--trusted-proxy", "::1")
        # Each client (a different /24 each, so that the wider bucket does not decide) has
        # its own allowance, whatever it wrote to the left of what the proxy appended.
        for i in range(3):
            xff = "1.2.3.4, 198.51.%d.7" % i
            self.assertEqual(self.report(svc, i, {"X-Forwarded-For": xff}).status, 202)
        r = self.report(svc, 10, {"X-Forwarded-For": "9.9.9.9, 198.51.1.7"})
        self.assertError(r, 429, "rate_limited")
        # The proxy's own bucket (no X-Forwarded-For) is another one.
        self.assertEqual(self.report(svc, 11).status, 202)
        # A chain through a second trusted hop reaches the same client.
        r = self.report(svc, 12, {"X-Forwarded-For": "198.51.2.7, 127.0.0.9"})
        self.assertError(r, 429, "rate_limited")
        # The header may come in several fields (one list) and be long: only its end counts.
        r = svc.raw(b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"X-Forwarded-For: " + b"10.9.8.7, " * 200 + b"10.9.8.6\r\n"
                    b"X-Forwarded-For: 198.51.3.7\r\nContent-Length: 57\r\n\r\n"
                    b'{"kind":"phone","value":"0912300001","category":"other"}\n')[0]
        self.assertEqual(r[0].status, 202, r)
        r = self.report(svc, 13, {"X-Forwarded-For": "198.51.3.7"})
        self.assertError(r, 429, "rate_limited")

    def test_bad_trusted_proxy_is_a_usage_error(self):
        for value in ("10.0.0.1/24", "10.0.0.0/33", "proxy.example", "2001:db8::/129", ""):
            with self.subTest(value=value):
                p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot,
                                    "--trusted-proxy", value],
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("--trusted-proxy", p.stderr)


def write_keys(path, text, mode=0o600):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def bearer(key):
    return {"Authorization": "Bearer " + key}


def fwd(addr):
    return {"X-Forwarded-For": addr}


POLICY_RE = re.compile(r'^"(\w+)";q=(\d+);w=(\d+)(, "(\w+)";q=(\d+);w=(\d+))?$')
STATE_RE = re.compile(r'^"(\w+)";r=(\d+);t=(\d+)(, "(\w+)";r=(\d+);t=(\d+))?$')


class Keys(KeysTest):
    def setUp(self):
        super().setUp()
        digest = hashlib.sha256(KEY2.encode()).hexdigest()
        self.keys = write_keys(os.path.join(self.dir, "keys"),
                               "# bots\nbot-one %s 3/min\nbot-two sha256:%s\n" % (KEY1, digest))
        self.tokens = common.write_tokens(os.path.join(self.dir, "tokens"))
        self.data = os.path.join(self.dir, "data")

    def start_keys(self, *args):
        return self.start("--api-keys", self.keys, "--tokens", self.tokens, "--data-dir",
                          self.data, *args)

    def check(self, svc, headers=None):
        return svc.get("/v1/check?q=" + SCAM_PHONE, headers=headers)

    def test_a_key_has_its_own_bucket(self):
        # Through a trusted proxy (loopback would not be limited): the key's bucket, 3/min.
        svc = self.start_keys("--trusted-proxy", "127.0.0.1", "--lookup-rate", "2/min",
                              "--lookup-burst", "2")
        h = dict(bearer(KEY1), **fwd("198.51.100.7"))
        for left in (2, 1, 0):
            r = self.check(svc, h)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.headers["ratelimit-policy"], '"key";q=3;w=60')
            m = STATE_RE.match(r.headers["ratelimit"])
            self.assertTrue(m, r.headers["ratelimit"])
            self.assertEqual((m.group(1), int(m.group(2))), ("key", left))
        r = self.check(svc, h)
        self.assertError(r, 429, "rate_limited")
        self.assertIn("API key", r.json()["error"]["message"])
        self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
        self.assertEqual(r.headers["ratelimit-policy"], '"key";q=3;w=60')
        # The same client without the key, and the other key, are other buckets.
        self.assertEqual(self.check(svc, fwd("198.51.100.7")).status, 200)
        for _ in range(5):  # bot-two: the default rate, 600/min
            r = self.check(svc, dict(bearer(KEY2), **fwd("198.51.100.7")))
            self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["ratelimit-policy"], '"key";q=600;w=60')
        # Scans and batches share the key's bucket.
        r = svc.post_json("/v1/scan", {"text": "x"}, headers=h)
        self.assertError(r, 429, "rate_limited")

    def test_reports_carry_the_key_name_for_analysts_only(self):
        svc = self.start_keys()
        r = svc.post_json("/v1/reports", {"kind": "phone", "value": phone(1),
                                          "category": "impersonation"}, headers=bearer(KEY2))
        self.assertEqual(r.status, 202, r)
        rid = r.json()["id"]
        self.assertNotIn("bot-two", r.body.decode())
        r = svc.get("/v1/reports/" + rid)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("reporter", r.json())
        self.assertNotIn("bot-two", r.body.decode())
        r = svc.get("/v1/admin/reports/" + rid, headers=bearer(common.TOKEN))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["reporter"], "bot-two", r.json())
        listing = svc.get("/v1/admin/reports", headers=bearer(common.TOKEN)).json()["reports"]
        self.assertEqual([x.get("reporter") for x in listing], ["bot-two"])
        # An anonymous report has no reporter; both survive a restart (the store's lines).
        r = svc.post_json("/v1/reports", {"kind": "phone", "value": phone(2)})
        self.assertEqual(r.status, 202, r)
        svc.stop()
        svc = self.start_keys()
        listing = svc.get("/v1/admin/reports", headers=bearer(common.TOKEN)).json()["reports"]
        self.assertEqual(sorted(str(x.get("reporter")) for x in listing), ["None", "bot-two"])

    def test_keyed_reports_use_the_key_bucket_on_loopback_too(self):
        svc = self.start_keys("--report-rate", "1/h", "--report-burst", "1")
        for i in range(3):  # bot-one: 3/min, more than the per-address 1 an hour
            r = svc.post_json("/v1/reports", {"kind": "phone", "value": phone(10 + i)},
                              headers=bearer(KEY1))
            self.assertEqual(r.status, 202, r)
            self.assertEqual(r.headers["ratelimit-policy"], '"key";q=3;w=60')
        r = svc.post_json("/v1/reports", {"kind": "phone", "value": phone(20)},
                          headers=bearer(KEY1))
        self.assertError(r, 429, "rate_limited")
        self.assertIn("retry-after", r.headers)

    def test_a_wrong_key_is_401(self):
        svc = self.start_keys()
        for headers in (bearer("not-a-key-0000000000000"), {"Authorization": "Basic eA=="},
                        bearer(KEY1 + "x")):
            r = self.check(svc, headers)
            self.assertError(r, 401, "unauthorized")
            self.assertIn("API key", r.json()["error"]["message"])
            self.assertEqual(r.headers["www-authenticate"], 'Bearer realm="fraudidx"')
        # A body is not read: refused at the headers, the connection closed.
        r = svc.post_json("/v1/check", {"items": [SCAM_PHONE]},
                          headers=bearer("not-a-key-0000000000000"))
        self.assertError(r, 401, "unauthorized")
        r = svc.post_json("/v1/reports", {"value": phone(3)},
                          headers=bearer("not-a-key-0000000000000"))
        self.assertError(r, 401, "unauthorized")
        # An analyst's token is taken, as an anonymous client.
        self.assertEqual(self.check(svc, bearer(common.TOKEN)).status, 200)

    def test_keys_are_reread_on_sighup(self):
        svc = self.start_keys()
        svc.wait_log(r"API keys file .*: 2 keys")
        self.assertEqual(self.check(svc, bearer(KEY1)).status, 200)
        write_keys(self.keys, "bot-three %s 10/s\n" % KEY3)
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"API keys file .*: 1 keys")
        self.assertError(self.check(svc, bearer(KEY1)), 401, "unauthorized")
        self.assertEqual(self.check(svc, bearer(KEY3)).status, 200)
        # A bad file keeps the keys in use.
        write_keys(self.keys, "bot-four short\n")
        svc.signal(signal.SIGHUP)
        svc.wait_log(r"API keys file .*: line 1: a secret must be .*the keys in use are kept")
        self.assertEqual(self.check(svc, bearer(KEY3)).status, 200)

    def test_bad_keys_files_do_not_start(self):
        cases = [("bot-one %s\n" % KEY1, 0o644, "chmod 600"),
                 ("bot-one %s 0/min\n" % KEY1, 0o600, "line 1: the rate 0/min"),
                 ("bot-one %s 5/week\n" % KEY1, 0o600, "line 1: the rate"),
                 ("bot-one %s\nbot-one %s\n" % (KEY1, KEY2), 0o600, "given twice"),
                 ("# none\n", 0o600, "no key in the file"),
                 ("bot-one\n", 0o600, "NAME KEY [RATE]")]
        for text, mode, reason in cases:
            with self.subTest(reason=reason):
                path = write_keys(os.path.join(self.dir, "bad"), text, mode)
                p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot, "--listen",
                                    "127.0.0.1:0", "--threads", "1", "--api-keys", path],
                                   capture_output=True, text=True, timeout=START_FAIL_TIMEOUT)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(reason, p.stderr)
        os.mkfifo(os.path.join(self.dir, "fifo"), 0o600)
        p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot, "--listen",
                            "127.0.0.1:0", "--threads", "1", "--api-keys",
                            os.path.join(self.dir, "fifo")],
                           capture_output=True, text=True, timeout=START_FAIL_TIMEOUT)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("not a regular file", p.stderr)


def phone(i):  # noqa: F811 (the same numbers as above, under the name the tests read)
    return "0912%06d" % (300000 + i)


class LookupLimits(KeysTest):
    def check(self, svc, headers=None):
        return svc.get("/v1/check?q=" + SCAM_PHONE, headers=headers)

    def test_loopback_is_not_limited(self):
        svc = self.start("--lookup-rate", "2/min", "--lookup-burst", "2")
        for _ in range(10):
            r = self.check(svc, fwd("198.51.100.7"))  # spoofed: ignored, the peer is loopback
            self.assertEqual(r.status, 200, r)
            self.assertNotIn("ratelimit", r.headers)
            self.assertNotIn("ratelimit-policy", r.headers)

    def test_limited_through_a_trusted_proxy(self):
        svc = self.start("--lookup-rate", "2/min", "--lookup-burst", "2",
                         "--trusted-proxy", "127.0.0.1")
        before = svc.metrics()
        for left in (1, 0):
            r = self.check(svc, fwd("198.51.100.7"))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.headers["ratelimit-policy"], '"addr";q=2;w=60, "net";q=8;w=60')
            m = STATE_RE.match(r.headers["ratelimit"])
            self.assertTrue(m, r.headers["ratelimit"])
            self.assertEqual((m.group(1), int(m.group(2)), m.group(5)), ("addr", left, "net"))
            self.assertTrue(1 <= int(m.group(3)) <= 60, r.headers["ratelimit"])
        r = self.check(svc, fwd("198.51.100.7"))
        self.assertError(r, 429, "rate_limited")
        retry = int(r.headers["retry-after"])
        self.assertTrue(1 <= retry <= 30, retry)
        self.assertEqual(r.headers["retry-after"].count(","), 0)
        self.assertIn("ratelimit", r.headers)
        # POST /v1/check and /v1/scan share the client's bucket; a batch's body is read and
        # the connection kept.
        conn = svc.connection()
        for path, body in (("/v1/check", {"items": [SCAM_PHONE]}), ("/v1/scan", {"text": "x"})):
            r = svc.post_json(path, body, headers=fwd("198.51.100.7"), conn=conn)
            self.assertError(r, 429, "rate_limited")
            self.assertIn("retry-after", r.headers)
        conn.close()
        # Another client of the same /24 has its own address's bucket, until the network's
        # (four times as large: 8, 2 of them used above) is empty.
        for i in range(6):
            self.assertEqual(self.check(svc, fwd("198.51.100.%d" % (20 + i))).status, 200)
        r = self.check(svc, fwd("198.51.100.30"))
        self.assertError(r, 429, "rate_limited")
        self.assertNotIn('"net";r=', r.headers["ratelimit"].split(",")[0])
        # Another network is not affected; the proxy's own requests count for the proxy.
        self.assertEqual(self.check(svc, fwd("203.0.113.5")).status, 200)
        self.assertEqual(self.check(svc, fwd("2001:db8::1, 127.0.0.1")).status, 200)
        after = svc.metrics()
        key = ("fraudidx_rate_limited_total", frozenset({("route", "/v1/check"),
                                                         ("method", "GET")}))
        self.assertEqual(after[key] - before.get(key, 0), 2)
        for route, method in (("/v1/check", "POST"), ("/v1/scan", "POST")):
            key = ("fraudidx_rate_limited_total", frozenset({("route", route),
                                                             ("method", method)}))
            self.assertEqual(after[key], 1, key)
        self.assertEqual(after[("fraudidx_rate_limited_total",
                                frozenset({("route", "/v1/reports"), ("method", "POST")}))], 0)

    def test_lookup_limits_off(self):
        svc = self.start("--lookup-rate", "1/min", "--lookup-burst", "1",
                         "--trusted-proxy", "127.0.0.1", "--lookup-limits", "off")
        for _ in range(5):
            r = self.check(svc, fwd("198.51.100.7"))
            self.assertEqual(r.status, 200, r)
            self.assertNotIn("ratelimit", r.headers)

    def test_reports_are_limited_on_loopback(self):
        svc = self.start("--report-rate", "1/h", "--report-burst", "1")
        r = self.report(svc, 1)
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.headers["ratelimit-policy"], '"addr";q=1;w=3600, "net";q=4;w=3600')
        m = STATE_RE.match(r.headers["ratelimit"])
        self.assertTrue(m, r.headers["ratelimit"])
        self.assertEqual((m.group(1), m.group(2), m.group(5), m.group(6)), ("addr", "0", "net", "3"))
        r = self.report(svc, 2)
        self.assertError(r, 429, "rate_limited")
        self.assertTrue(1 <= int(r.headers["retry-after"]) <= 3600, r.headers)
        self.assertEqual(r.headers["ratelimit"].split(";")[:2], ['"addr"', "r=0"])
        m = svc.metrics()
        self.assertEqual(m[("fraudidx_rate_limited_total",
                            frozenset({("route", "/v1/reports"), ("method", "POST")}))], 1)

    def test_bad_flags_are_usage_errors(self):
        for args in (["--lookup-rate", "x"], ["--lookup-rate", "5/week"],
                     ["--lookup-burst", "0"], ["--lookup-limits", "maybe"]):
            with self.subTest(args=args):
                p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot] + args,
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)


if __name__ == "__main__":
    fidxsvc.main()
