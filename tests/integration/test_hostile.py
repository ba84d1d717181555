"""fraudidx-service against hostile clients: oversized header sections (a 200 KB header, 5,000
headers, a 100 KB target), random binary bytes, JSON nested 100,000 deep and invalid UTF-8 in
POST bodies, NUL and right-to-left marks in a query, odd framing headers (negative
Content-Length, Transfer-Encoding after a tab), 300 half-sent requests held open, a full
connection table, and the memory all of that leaves behind. After every attack a normal
GET /v1/check must still be answered correctly: refusing one client must not hurt the others.
(The shapes test_http.py already covers are not repeated here.)"""

import json
import random
import select
import time
import urllib.parse

import fidxsvc
from fidxsvc import CANON_SCAM_PHONE, SCAM_PHONE, read_all

HOST = b"Host: test\r\n"
MIB = 1024 * 1024


def get(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\n" + HOST + extra + b"\r\n"


def post(path, body, extra=b"Content-Type: application/json\r\n"):
    return (b"POST " + path + b" HTTP/1.1\r\n" + HOST + b"Content-Length: " +
            str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def send_then_read(svc, data, timeout=fidxsvc.IO_TIMEOUT):
    """Sends data on a new connection and reads the answers. The service may answer and stop
    reading before all of data is sent (a 413 on the first 8 KiB of a 200 KB header): a send
    that fails then is not an error, the answer is what counts."""
    s = svc.socket()
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_all(s, timeout)
    finally:
        s.close()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/%d/status" % pid)


class Hostile(fidxsvc.ServiceTest):
    # -- what every attack is followed by --

    def assertStillServes(self, svc):
        """A normal client, on a new connection, gets the right verdict."""
        r = svc.get("/v1/check?q=" + SCAM_PHONE)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["canonical"], CANON_SCAM_PHONE, body)
        self.assertEqual(body["verdict"], "scam", body)
        self.assertIsNone(svc.proc.poll(), "the service died")

    # -- the attacks, each usable on any running service --

    def attack_oversized_header_sections(self, svc):
        shapes = {
            "one 200 KB header": get(b"/healthz", b"X-Big: " + b"a" * (200 * 1024) + b"\r\n"),
            "5,000 headers": get(b"/healthz",
                                 b"".join(b"X-H%d: v\r\n" % i for i in range(5000))),
            "a 100 KB target": get(b"/v1/check?q=" + b"1" * (100 * 1024)),
        }
        for name, data in shapes.items():
            with self.subTest(name=name):
                rs, closed, _ = send_then_read(svc, data + get(b"/v1/info"))
                self.assertEqual(len(rs), 1, rs)  # nothing after it is read as a request
                self.assertError(rs[0], 413, "too_large")
                self.assertEqual(rs[0].headers.get("connection"), "close")
                self.assertTrue(closed)
                self.assertStillServes(svc)

    def attack_random_bytes(self, svc):
        rng = random.Random(20240501)  # fixed seed: the same bytes every run
        for i in range(20):
            data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096)))
            with self.subTest(i=i, head=data[:16]):
                rs, closed, _ = send_then_read(svc, data, timeout=5)
                # Either refused with 400 and closed, or (a prefix that could still become a
                # request line) just closed at the header timeout; never anything else.
                self.assertLessEqual(len(rs), 1, rs)
                if rs:
                    self.assertIn(rs[0].status, (400, 408, 413), rs)
                    self.assertEqual(rs[0].json()["error"]["code"],
                                     {400: "bad_request", 408: "timeout",
                                      413: "too_large"}[rs[0].status])
                self.assertTrue(closed)
        self.assertStillServes(svc)

    def attack_deep_json(self, svc):
        deep = 100000
        bodies = {
            "unclosed arrays": b"[" * deep,
            "balanced, under items": b'{"items":' + b"[" * deep + b"]" * deep + b"}",
            "objects": b'{"a":' * deep + b"1" + b"}" * deep,
            "balanced, under text": b'{"text":' + b"[" * deep + b"]" * deep + b"}",
        }
        for path in (b"/v1/check", b"/v1/scan"):
            for name, body in bodies.items():
                with self.subTest(path=path, name=name):
                    rs, closed, _ = svc.raw(post(path, body), until_responses=1)
                    self.assertEqual(len(rs), 1, rs)
                    self.assertError(rs[0], 400, "invalid_json")
                    self.assertStillServes(svc)

    def attack_invalid_utf8_json(self, svc):
        bad = {
            "lone continuation": b"\x80",
            "overlong slash": b"\xc0\xaf",
            "UTF-16 surrogate": b"\xed\xa0\x80",
            "truncated sequence": b"09\xe2\x82",
            "over U+10FFFF": b"\xf4\x90\x80\x80",
            "0xff": b"09123\xff45678",
        }
        for name, raw in bad.items():
            for path, body in ((b"/v1/check", b'{"items":["' + raw + b'"]}'),
                               (b"/v1/check", b'{"items":[{"q":"' + SCAM_PHONE.encode() +
                                b'","platform":"' + raw + b'"}]}'),
                               (b"/v1/scan", b'{"text":"call ' + raw + b' now"}'),
                               (b"/v1/scan", b'{"' + raw + b'":"x","text":"hi"}')):
                with self.subTest(name=name, path=path, body=body):
                    rs, _, _ = svc.raw(post(path, body), until_responses=1)
                    self.assertEqual(len(rs), 1, rs)
                    self.assertError(rs[0], 400, "invalid_json")
        self.assertStillServes(svc)

    def attack_nul_and_bidi_in_q(self, svc):
        for value in ["\x00", "\u202e", "09123\u202e45678", "\u202e" + SCAM_PHONE + "\x00",
                      "evil\u202e.example", "https://bad.example/\u202elogin",
                      "scam\x00@example.com", "\u202d\u202c\u200f\u2066" + SCAM_PHONE]:
            with self.subTest(value=value):
                q = urllib.parse.quote(value.encode("utf-8"), safe="")
                r = svc.get("/v1/check?q=" + q)
                self.assertTrue(r.headers.get("content-type", "").startswith(
                    "application/json"), r)
                if r.status == 400:
                    self.assertError(r, 400, "invalid_value")
                else:
                    # Answered: valid JSON (strict: a raw control byte in a string fails to
                    # parse), and the query given back exactly, escaped as JSON needs.
                    self.assertEqual(r.status, 200, r)
                    self.assertNotIn(b"\x00", r.body)
                    self.assertEqual(r.json()["query"], value)
                # The same value inside a batch: that item alone fails or is answered.
                rs, _, _ = svc.raw(post(b"/v1/check", json.dumps(
                    {"items": [value, SCAM_PHONE]}).encode()), until_responses=1)
                results = rs[0].json()["results"]
                self.assertEqual(results[0]["query"], value)
                self.assertNotIn(b"\x00", rs[0].body)
                if "error" in results[0]:
                    self.assertEqual(results[0]["error"]["code"], "invalid_value")
                self.assertEqual(results[1]["verdict"], "scam")
        self.assertStillServes(svc)

    def attack_odd_framing(self, svc):
        for cl in (b"-1", b"-0", b"+2", b"0x2", b"2 2", b"99999999999999999999"):
            with self.subTest(content_length=cl):
                rs, closed, rest = svc.raw(b"POST /v1/check HTTP/1.1\r\n" + HOST +
                                           b"Content-Length: " + cl + b"\r\n\r\n{}" +
                                           get(b"/v1/info"))
                self.assertEqual(len(rs), 1, rs)
                self.assertIn(rs[0].status, (400, 413), rs)
                self.assertError(rs[0], rs[0].status,
                                 "bad_request" if rs[0].status == 400 else "too_large")
                self.assertTrue(closed)
                self.assertEqual(rest, b"")
        # A tab is whitespace before a field value (RFC 9110 OWS): "Transfer-Encoding:\tchunked"
        # may be read as chunked or refused, but never read one way by the checks and another
        # by the parser: either 400 and close, or the chunked body and then the next request.
        body = json.dumps({"items": [SCAM_PHONE]}).encode()
        chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        for te in (b"Transfer-Encoding:\tchunked", b"Transfer-Encoding: \tchunked",
                   b"Transfer-Encoding: chunked\t", b"Transfer-Encoding:\tchunked\t"):
            with self.subTest(te=te):
                rs, closed, rest = svc.raw(b"POST /v1/check HTTP/1.1\r\n" + HOST + te +
                                           b"\r\n\r\n" + chunked + get(b"/v1/info"),
                                           until_responses=2)
                if rs and rs[0].status == 400:
                    self.assertEqual(len(rs), 1, rs)
                    self.assertError(rs[0], 400, "bad_request")
                    self.assertTrue(closed)
                else:
                    self.assertEqual([r.status for r in rs], [200, 200], rs)
                    self.assertEqual(rs[0].json()["results"][0]["verdict"], "scam")
                    self.assertIn("snapshot", rs[1].json())
                self.assertEqual(rest, b"")
        # With Content-Length as well, it is a smuggling shape whatever the whitespace.
        rs, closed, _ = svc.raw(b"POST /v1/check HTTP/1.1\r\n" + HOST +
                                b"Transfer-Encoding:\tchunked\r\nContent-Length: 5\r\n\r\n" +
                                b"0\r\n\r\n" + get(b"/v1/info"))
        self.assertEqual(len(rs), 1, rs)
        self.assertError(rs[0], 400, "bad_request")
        self.assertTrue(closed)
        self.assertStillServes(svc)

    def attack_slow_clients(self, svc, n=300):
        """n clients each hold a half-sent request; a normal client is answered meanwhile; then
        the service closes every slow one (a 408 or a bare close). Needs --header-timeout 2."""
        slow = []
        try:
            for i in range(n):
                s = svc.socket()
                s.sendall(b"GET /v1/check?q=09%08d HTTP/1.1\r\nHost: te" % i)
                slow.append(s)
            # All n accepted and held by the service (not just queued in the kernel's backlog)...
            deadline = time.monotonic() + 15
            while svc.metrics()[("fraudidx_open_connections", frozenset())] < n:
                self.assertLess(time.monotonic(), deadline, "the slow clients were not accepted")
                time.sleep(0.05)
            # ... and while they wait, normal clients, new and keep-alive, are answered.
            conn = svc.connection()
            for _ in range(5):
                r = svc.get("/v1/check?q=" + SCAM_PHONE, conn=conn)
                self.assertEqual(r.json()["verdict"], "scam")
            conn.close()
            self.assertStillServes(svc)
            got = {s: b"" for s in slow}
            open_ = set(slow)
            deadline = time.monotonic() + 30  # generous: the timeout is 2 s
            while open_ and time.monotonic() < deadline:
                ready, _, _ = select.select(list(open_), [], [], 1)
                for s in ready:
                    try:
                        chunk = s.recv(65536)
                    except ConnectionResetError:
                        chunk = b""
                    if chunk:
                        got[s] += chunk
                    else:
                        open_.discard(s)
            self.assertEqual(len(open_), 0, "%d slow clients still open" % len(open_))
            for s in slow:
                rs, rest = fidxsvc.parse_responses(got[s])
                self.assertEqual(rest, b"")
                self.assertLessEqual(len(rs), 1, rs)
                if rs:
                    self.assertError(rs[0], 408, "timeout")
        finally:
            for s in slow:
                s.close()
        self.assertStillServes(svc)

    # -- the tests --

    def test_oversized_header_sections_are_413_and_close(self):
        self.attack_oversized_header_sections(self.start())

    def test_random_bytes_are_refused_without_harm(self):
        self.attack_random_bytes(self.start("--header-timeout", "1"))

    def test_json_nested_100000_deep_is_invalid_json(self):
        self.attack_deep_json(self.start())

    def test_invalid_utf8_in_json_is_invalid_json(self):
        self.attack_invalid_utf8_json(self.start())

    def test_nul_and_bidi_marks_in_q(self):
        self.attack_nul_and_bidi_in_q(self.start())

    def test_negative_content_length_and_tab_before_transfer_encoding(self):
        self.attack_odd_framing(self.start())

    def test_300_slow_clients_do_not_block_a_normal_one(self):
        self.attack_slow_clients(self.start("--header-timeout", "2"))

    def test_connection_limit_50(self):
        svc = self.start("--max-connections", "50")
        held = []
        try:
            for _ in range(50):  # each accepted and counted: it has had an answer
                s = svc.socket()
                s.sendall(get(b"/healthz"))
                self.assertEqual(read_all(s, until_responses=1)[0][0].status, 200)
                held.append(s)
            for _ in range(3):  # the 51st, and again: refused each time, not queued
                rs, closed, _ = svc.raw(get(b"/v1/check?q=" + SCAM_PHONE.encode()))
                self.assertEqual(len(rs), 1, rs)
                self.assertError(rs[0], 503, "unavailable")
                self.assertEqual(rs[0].headers.get("connection"), "close")
                self.assertTrue(closed)
            # The 50 held ones are still served on their keep-alive connections.
            for s in held[:5]:
                s.sendall(get(b"/v1/check?q=" + SCAM_PHONE.encode()))
                rs, _, _ = read_all(s, until_responses=1)
                self.assertEqual(rs[0].json()["verdict"], "scam")
        finally:
            for s in held:
                s.close()
        # The closes reach the service asynchronously; then 50 new clients at once are served.
        deadline = time.monotonic() + 15
        while True:
            rs, _, _ = svc.raw(get(b"/healthz"), until_responses=1, timeout=3)
            if (rs and rs[0].status == 200) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(rs[0].status, 200, rs)
        again = []
        try:
            for _ in range(49):
                s = svc.socket()
                s.sendall(get(b"/v1/check?q=" + SCAM_PHONE.encode()))
                again.append(s)
            for s in again:
                rs, _, _ = read_all(s, until_responses=1)
                self.assertEqual(rs[0].json()["verdict"], "scam")
        finally:
            for s in again:
                s.close()

    def test_memory_stays_bounded_over_the_whole_sequence(self):
        svc = self.start("--header-timeout", "2")
        self.assertStillServes(svc)
        before = rss_kib(svc.proc.pid)
        for _ in range(2):  # twice: a leak grows with each round, a cache does not
            self.attack_oversized_header_sections(svc)
            self.attack_random_bytes(svc)
            self.attack_deep_json(svc)
            self.attack_invalid_utf8_json(svc)
            self.attack_nul_and_bidi_in_q(svc)
            self.attack_odd_framing(svc)
            self.attack_slow_clients(svc)
        after = rss_kib(svc.proc.pid)
        self.assertLess(after - before, 64 * 1024,
                        "VmRSS grew from %d KiB to %d KiB" % (before, after))


if __name__ == "__main__":
    fidxsvc.main()
