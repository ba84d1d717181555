"""Keys and limits for bots (issue 16.5), against the real service: the client behind a
trusted proxy (--trusted-proxy: the right-most untrusted address of X-Forwarded-For), a spoofed
X-Forwarded-For from an untrusted peer ignored, and the per-network report limits counting the
real client. The proxy is the test itself on loopback, declared trusted."""

import subprocess

import fidxsvc


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


if __name__ == "__main__":
    fidxsvc.main()
