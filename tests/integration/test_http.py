"""HTTP/1.1 behaviour of fraudidx-service on raw sockets: keep-alive, pipelining order and
backpressure, HTTP/1.0, chunked bodies, Expect: 100-continue, the request-smuggling shapes
http-parser would let through (each 400 and close, and nothing smuggled is answered), the size
limits (413), the header timeout (408), the idle timeout and the connection limit (503)."""

import json
import socket
import time

import fidxsvc
from fidxsvc import CANON_SCAM_PHONE, SCAM_PHONE, parse_responses, read_all

HOST = b"Host: test\r\n"


def get(path, extra=b""):
    return b"GET " + path.encode() + b" HTTP/1.1\r\n" + HOST + extra + b"\r\n"


def post(path, body, extra=b""):
    return (b"POST " + path.encode() + b" HTTP/1.1\r\n" + HOST + b"Content-Length: " +
            str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def batch_body(*items):
    return json.dumps({"items": list(items)}).encode()


class Protocol(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start()

    def test_keep_alive_many_requests_on_one_connection(self):
        conn = self.svc.connection()
        for i in range(20):
            r = self.svc.get("/v1/check?q=" + SCAM_PHONE, conn=conn)
            self.assertEqual(r.status, 200)
            self.assertNotEqual(r.headers.get("connection"), "close")
        conn.close()

    def test_pipelined_requests_answer_in_order(self):
        phones = ["09%08d" % (12345678 + i) for i in range(40)]
        data = b"".join(get("/v1/check?q=" + p) for p in phones)
        data += get("/nope") + post("/v1/check", batch_body(SCAM_PHONE)) + get("/healthz")
        rs, closed, rest = self.svc.raw(data, until_responses=len(phones) + 3)
        self.assertFalse(closed)
        self.assertEqual(rest, b"")
        self.assertEqual(len(rs), len(phones) + 3)
        self.assertEqual([r.json()["query"] for r in rs[:40]], phones)
        self.assertEqual(rs[0].json()["verdict"], "scam")
        self.assertEqual(rs[40].status, 404)
        self.assertEqual(rs[41].json()["results"][0]["canonical"], CANON_SCAM_PHONE)
        self.assertEqual(rs[42].json(), {"status": "ok"})

    def test_pipelining_client_that_reads_late_loses_nothing(self):
        # Far more answers than socket buffers hold: the service must stop reading and resume
        # (backpressure), not drop, reorder or buffer without bound.
        n = 20000
        s = self.svc.socket()
        data = b"".join(get("/v1/check?q=09%08d" % (i % 100000000)) for i in range(n))
        s.setblocking(False)
        sent = 0
        got = b""
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if sent < len(data):
                try:
                    sent += s.send(data[sent:sent + 65536])
                except BlockingIOError:
                    pass
            if sent >= len(data) or sent > len(data) // 2:
                # Start reading only after half is sent, then read everything.
                try:
                    chunk = s.recv(1 << 20)
                    if not chunk:
                        break
                    got += chunk
                except BlockingIOError:
                    time.sleep(0.001)
                if got.count(b"HTTP/1.1 200 OK") >= n:
                    break
        s.close()
        rs, _ = parse_responses(got)
        self.assertEqual(len(rs), n)
        self.assertEqual([r.json()["query"] for r in rs],
                         ["09%08d" % (i % 100000000) for i in range(n)])

    def test_http10(self):
        rs, closed, _ = self.svc.raw(b"GET /v1/check?q=" + SCAM_PHONE.encode() +
                                     b" HTTP/1.0\r\n\r\n")
        self.assertEqual(len(rs), 1)
        self.assertEqual(rs[0].json()["verdict"], "scam")
        self.assertTrue(closed, "HTTP/1.0 without keep-alive must close")
        ka = b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        rs, closed, _ = self.svc.raw(ka + ka, until_responses=2, timeout=3)
        self.assertEqual([r.status for r in rs], [200, 200])
        self.assertEqual(rs[0].headers.get("connection"), "keep-alive")

    def test_connection_close_is_honoured(self):
        rs, closed, _ = self.svc.raw(get("/healthz", b"Connection: close\r\n") + get("/healthz"))
        self.assertEqual(len(rs), 1)
        self.assertEqual(rs[0].headers.get("connection"), "close")
        self.assertTrue(closed)

    def test_chunked_request_body(self):
        body = batch_body(SCAM_PHONE, "0911111111")
        a, b = body[:7], body[7:]
        chunked = (b"%x\r\n" % len(a)) + a + b"\r\n" + (b"%x;ext=1\r\n" % len(b)) + b + \
            b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
        req = (b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" +
               chunked)
        rs, closed, _ = self.svc.raw(req + get("/healthz"), until_responses=2)
        self.assertEqual(len(rs), 2)
        self.assertEqual([x["verdict"] for x in rs[0].json()["results"]], ["scam", "unknown"])
        self.assertEqual(rs[1].status, 200)
        # The same, one byte per send: every scanner state split across reads.
        s = self.svc.socket()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(req)):
            s.send(req[i:i + 1])
        rs, _, _ = read_all(s, until_responses=1)
        s.close()
        self.assertEqual([x["verdict"] for x in rs[0].json()["results"]], ["scam", "unknown"])

    def test_expect_100_continue(self):
        body = batch_body(SCAM_PHONE)
        s = self.svc.socket()
        s.sendall(b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Expect: 100-continue\r\n" +
                  b"Content-Length: %d\r\n\r\n" % len(body))
        s.settimeout(5)
        interim = s.recv(1024)
        self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
        s.sendall(body)
        rs, _, _ = read_all(s, until_responses=1)
        s.close()
        self.assertEqual(rs[-1].json()["results"][0]["verdict"], "scam")

    def test_client_half_close_still_gets_answers(self):
        s = self.svc.socket()
        s.sendall(get("/healthz") + get("/v1/check?q=" + SCAM_PHONE))
        s.shutdown(socket.SHUT_WR)
        rs, closed, _ = read_all(s)
        s.close()
        self.assertEqual([r.status for r in rs], [200, 200])
        self.assertTrue(closed)

    def test_malformed_requests_are_400(self):
        for data in [b"\x00\x01\x02 HTTP/1.1\r\n\r\n", b"GET\r\n\r\n",
                     b"GET / HTTP/9.9\r\n" + HOST + b"\r\n",
                     b"GET /healthz HTTP/1.1\r\n" + HOST + b"Bad Header\r\n\r\n",
                     b"BREW /healthz HTTP/1.1\r\n" + HOST + b"\r\n",
                     b"   GET /healthz HTTP/1.1\r\n" + HOST + b"\r\n"]:
            with self.subTest(data=data):
                rs, closed, _ = self.svc.raw(data)
                self.assertEqual(len(rs), 1, rs)
                self.assertError(rs[0], 400, "bad_request")
                self.assertTrue(closed)

    def test_connect_is_refused(self):
        rs, closed, _ = self.svc.raw(b"CONNECT evil.example:443 HTTP/1.1\r\n" + HOST + b"\r\n")
        self.assertError(rs[0], 405, "method_not_allowed")
        self.assertTrue(closed)


# Each: request bytes that http-parser alone would accept or read ambiguously. A smuggled
# request follows in the same bytes; it must never be answered.
SMUGGLED = b"GET /v1/info HTTP/1.1\r\n" + HOST + b"\r\n"
SMUGGLING = {
    "repeated Content-Length":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Content-Length: 2\r\nContent-Length: 2\r\n"
        b"\r\n{}",
    "conflicting Content-Length":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Content-Length: 2\r\nContent-Length: 40\r\n"
        b"\r\n{}",
    "Content-Length list":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Content-Length: 2, 2\r\n\r\n{}",
    "Content-Length with Transfer-Encoding":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding with Content-Length after":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n"
        b"Content-Length: 5\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding gzip, chunked":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip, chunked\r\n\r\n"
        b"0\r\n\r\n",
    "Transfer-Encoding chunked, gzip":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked, gzip\r\n\r\n",
    "Transfer-Encoding twice":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "Transfer-Encoding unknown":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: xchunked\r\n\r\n",
    "Transfer-Encoding in HTTP/1.0":
        b"POST /v1/check HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "space before colon":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Content-Length : 2\r\n\r\n{}",
    "bare LF request":
        b"GET /healthz HTTP/1.1\nHost: test\n\n",
    "bare LF in one header line":
        b"GET /healthz HTTP/1.1\r\nHost: test\nX-A: b\r\n\r\n",
    "bare CR":
        b"GET /healthz HTTP/1.1\r\nHost: test\rX-A: b\r\n\r\n",
    "folded header":
        b"GET /healthz HTTP/1.1\r\n" + HOST + b"X-A: a\r\n b\r\n\r\n",
    "chunk data without CRLF":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n"
        b"2\r\n{}XY0\r\n\r\n",
    "bare LF after chunk size":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n"
        b"2\n{}\r\n0\r\n\r\n",
    "bare LF ending the chunked body":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n"
        b"2\r\n{}\r\n0\r\n\n",
    "invalid chunk size":
        b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n"
        b"-2\r\n{}\r\n0\r\n\r\n",
    "missing Host":
        b"GET /healthz HTTP/1.1\r\n\r\n",
    "two Host headers":
        b"GET /healthz HTTP/1.1\r\n" + HOST + HOST + b"\r\n",
    "NUL in a header":
        b"GET /healthz HTTP/1.1\r\n" + HOST + b"X-A: a\x00b\r\n\r\n",
}


class Smuggling(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start()

    def test_each_shape_is_400_and_close(self):
        for name, data in SMUGGLING.items():
            with self.subTest(name=name):
                rs, closed, rest = self.svc.raw(data + SMUGGLED)
                self.assertEqual(len(rs), 1, "%s: %r" % (name, rs))
                self.assertError(rs[0], 400, "bad_request")
                self.assertEqual(rs[0].headers.get("connection"), "close")
                self.assertTrue(closed, name)
                self.assertEqual(rest, b"")

    def test_shapes_after_a_good_request_on_the_same_connection(self):
        # The good request is answered, the bad one refused, the smuggled one never.
        for name in ["conflicting Content-Length", "chunk data without CRLF", "bare LF request"]:
            with self.subTest(name=name):
                rs, closed, _ = self.svc.raw(get("/healthz") + SMUGGLING[name] + SMUGGLED)
                self.assertEqual([r.status for r in rs], [200, 400])
                self.assertTrue(closed)

    def test_service_still_serves(self):
        for data in SMUGGLING.values():
            self.svc.raw(data, timeout=3)
        self.assertEqual(self.svc.get("/healthz").status, 200)
        m = self.svc.metrics()
        self.assertGreaterEqual(m[("fraudidx_http_bad_requests_total", frozenset())],
                                len(SMUGGLING))


class Limits(fidxsvc.ServiceTest):
    def test_header_and_body_limits_are_413(self):
        svc = self.start("--max-body-bytes", "2K")
        big_header = get("/healthz", b"X-Big: " + b"a" * 9000 + b"\r\n")
        long_target = get("/v1/check?q=" + "1" * 9000)
        big_body = post("/v1/check", b'{"items":["' + b"1" * 3000 + b'"]}')
        announced = (b"POST /v1/check HTTP/1.1\r\n" + HOST + b"Content-Length: 1000000\r\n\r\n")
        chunk = b"a" * 1500
        big_chunked = (b"POST /v1/check HTTP/1.1\r\n" + HOST +
                       b"Transfer-Encoding: chunked\r\n\r\n" +
                       (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 2 + b"0\r\n\r\n")
        huge_chunk = (b"POST /v1/check HTTP/1.1\r\n" + HOST +
                      b"Transfer-Encoding: chunked\r\n\r\nffffffff\r\n")
        for name, data in [("header", big_header), ("target", long_target), ("body", big_body),
                           ("announced", announced), ("chunked", big_chunked),
                           ("one huge chunk", huge_chunk)]:
            with self.subTest(name=name):
                rs, closed, _ = svc.raw(data + SMUGGLED)
                self.assertEqual(len(rs), 1, rs)
                self.assertError(rs[0], 413, "too_large")
                self.assertTrue(closed)
        # Just under the limits is fine.
        ok = post("/v1/check", batch_body("1" * 1000))
        rs, _, _ = svc.raw(ok, until_responses=1)
        self.assertEqual(rs[0].status, 200)

    def test_batch_limit_flag(self):
        svc = self.start("--max-batch", "3")
        rs, _, _ = svc.raw(post("/v1/check", batch_body("1", "2", "3")), until_responses=1)
        self.assertEqual(len(rs[0].json()["results"]), 3)
        rs, _, _ = svc.raw(post("/v1/check", batch_body("1", "2", "3", "4")), until_responses=1)
        self.assertError(rs[0], 413, "too_large")

    def test_header_timeout_is_408_and_close(self):
        svc = self.start("--header-timeout", "1")
        for partial in [b"GET /healthz HTTP/1.1\r\nHost: te", b"G"]:
            with self.subTest(partial=partial):
                rs, closed, _ = svc.raw(partial, timeout=15)
                self.assertEqual(len(rs), 1)
                self.assertError(rs[0], 408, "timeout")
                self.assertTrue(closed)

    def test_trickling_client_is_cut_off(self):
        # Slowloris: one byte at a time, each well within any per-read timeout; the header
        # deadline is for the whole header section.
        svc = self.start("--header-timeout", "1")
        s = svc.socket()
        data = b"GET /healthz HTTP/1.1\r\n" + b"X-A: b\r\n" * 100
        got = b""
        s.settimeout(0.05)
        start = time.monotonic()
        for i in range(len(data)):
            try:
                s.send(data[i:i + 1])
                got += s.recv(4096)
            except socket.timeout:
                pass
            except OSError:
                break
            if b"\r\n\r\n" in got or time.monotonic() - start > 20:
                break
        rs, closed, _ = read_all(s, timeout=5)
        s.close()
        rs = parse_responses(got)[0] + rs
        self.assertEqual(len(rs), 1)
        self.assertError(rs[0], 408, "timeout")

    def test_body_timeout_is_408(self):
        svc = self.start("--body-timeout", "1")
        rs, closed, _ = svc.raw(b"POST /v1/check HTTP/1.1\r\n" + HOST +
                                b"Content-Length: 10\r\n\r\n{\"it", timeout=15)
        self.assertError(rs[0], 408, "timeout")
        self.assertTrue(closed)

    def test_idle_keep_alive_connection_is_closed_silently(self):
        svc = self.start("--idle-timeout", "1")
        s = svc.socket()
        s.sendall(get("/healthz"))
        rs, closed, _ = read_all(s, timeout=15)
        s.close()
        self.assertEqual([r.status for r in rs], [200])
        self.assertTrue(closed)

    def test_connection_limit_is_503_then_close(self):
        svc = self.start("--max-connections", "2")
        held = [svc.socket() for _ in range(2)]
        for h in held:  # make sure both are accepted and counted
            h.sendall(get("/healthz"))
            self.assertEqual(read_all(h, until_responses=1)[0][0].status, 200)
        rs, closed, _ = svc.raw(get("/healthz"))
        self.assertError(rs[0], 503, "unavailable")
        self.assertEqual(rs[0].headers.get("connection"), "close")
        self.assertTrue(closed)
        for h in held:
            h.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the close reaches the service asynchronously
            rs, _, _ = svc.raw(get("/healthz"), until_responses=1, timeout=3)
            if rs and rs[0].status == 200:
                break
            time.sleep(0.1)
        self.assertEqual(rs[0].status, 200)
        m = svc.metrics()
        self.assertGreaterEqual(m[("fraudidx_connections_rejected_total", frozenset())], 1)


if __name__ == "__main__":
    fidxsvc.main()
