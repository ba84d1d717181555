"""The Python client against the real fraudidx-service: every method, every error, the retry
policy (429 with Retry-After from the reports' rate limit, 503 from the connection limit, a
frozen service for timeouts, a closed port for refused connections) and keep-alive."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import time
import unittest

from service import (ANALYST_TOKEN, REPORTED_PHONE, SCAM_PHONE, ServiceCase, free_port, freeze,
                     sample_snapshot)

import fraudidx
from fraudidx import (CheckResult, Client, FraudidxError, HTTPError, InvalidValue, ItemError,
                      Query, RateLimited, Report, RetryEvent, ScanResult, Timeout,
                      Unauthorized, Unavailable)
from fraudidx.client import _retry_after


def vietqr(bin_: str, account: str, amount: str) -> str:
    """A VietQR payload: EMVCo data objects, NAPAS tag 38, CRC-16/CCITT-FALSE last."""
    def tlv(i: str, v: str) -> str:
        return "%s%02d%s" % (i, len(v), v)
    napas = tlv("00", "A000000727") + tlv("01", tlv("00", bin_) + tlv("01", account)) + \
        tlv("02", "QRIBFTTA")
    p = (tlv("00", "01") + tlv("01", "12") + tlv("38", napas) + tlv("53", "704") +
         tlv("54", amount) + tlv("58", "VN") + "6304")
    crc = 0xFFFF
    for b in p.encode("ascii"):
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return p + "%04X" % crc

class Recorder:
    """on_retry that keeps the events (and may act on the first)."""

    def __init__(self, first=None) -> None:
        self.events: list[RetryEvent] = []
        self.first = first

    def __call__(self, e: RetryEvent) -> None:
        self.events.append(e)
        if self.first and len(self.events) == 1:
            self.first()


class Lookups(ServiceCase):
    def setUp(self) -> None:
        super().setUp()
        # Image threads run at nice 19: on a loaded machine an image may wait long.
        self.svc = self.start("--report-burst", "100", "--image-timeout", "300", tokens=True)
        self.fx = Client(self.url(self.svc), timeout=10)
        self.addCleanup(self.fx.close)

    def test_check_verdicts_and_typed_match(self) -> None:
        r = self.fx.check("0910 001 001")
        self.assertIsInstance(r, CheckResult)
        self.assertEqual((r.query, r.kind, r.canonical, r.verdict),
                         ("0910 001 001", "phone", "+84910001001", "scam"))
        self.assertTrue(r.is_scam)
        m = r.match
        assert m is not None
        self.assertEqual((m.kind, m.value, m.status), ("phone", "+84910001001", "confirmed"))
        self.assertIn("impersonation", m.categories)
        self.assertIn("police", m.sources)
        self.assertGreater(m.reports, 0)
        self.assertRegex(m.first_seen or "", r"^\d{4}-\d\d-\d\d$")
        self.assertEqual(r.raw["match"]["value"], "+84910001001")
        unknown = self.fx.check("0911 111 111")
        self.assertEqual((unknown.verdict, unknown.match), ("unknown", None))
        safe = self.fx.check("https://vietcombank.com.vn/")
        self.assertEqual((safe.kind, safe.verdict), ("url", "safe"))
        self.assertEqual(safe.match and safe.match.kind, "domain")
        handle = self.fx.check("@viec_lam_000", kind="social_account", platform="telegram")
        self.assertEqual((handle.canonical, handle.verdict),
                         ("telegram:viec_lam_000", "suspicious"))
        # Values with characters a URL must escape reach the service as sent.
        odd = self.fx.check("https://evil.example/a b?c=1&d=2#x")
        self.assertEqual(odd.query, "https://evil.example/a b?c=1&d=2#x")

    def test_invalid_value_and_bad_request(self) -> None:
        with self.assertRaises(InvalidValue) as c:
            self.fx.check("hello", kind="phone")
        self.assertEqual((c.exception.status, c.exception.code), (400, "invalid_value"))
        self.assertTrue(c.exception.message)
        with self.assertRaises(HTTPError) as c2:
            self.fx.check("0912345678", kind="fax")
        self.assertNotIsInstance(c2.exception, InvalidValue)
        self.assertEqual((c2.exception.status, c2.exception.code), (400, "bad_request"))
        self.assertIn("kind must be one of", c2.exception.message)

    def test_check_batch_in_order_with_errors_in_place(self) -> None:
        items = [SCAM_PHONE, Query("https://vietcombank.com.vn/", kind="url"),
                 Query("@viec_lam_000", "social_account", "telegram"),
                 {"q": REPORTED_PHONE, "kind": "phone"}, Query("12", kind="phone"),
                 {"q": "x", "kind": "fax"}]
        out = self.fx.check_batch(items)
        self.assertEqual(len(out), len(items))
        self.assertEqual([o.verdict if isinstance(o, CheckResult) else o.code for o in out],
                         ["scam", "safe", "suspicious", "suspicious", "invalid_value",
                          "bad_request"])
        err = out[4]
        assert isinstance(err, ItemError)
        self.assertEqual(err.query, "12")
        self.assertTrue(err.message)
        self.assertEqual(self.fx.check_batch([]), [])

    def test_scan(self) -> None:
        text = "Cán bộ công an gọi 0910.001.001, chuyển tiền vào STK Vietcombank 0000 1000 2001"
        r = self.fx.scan(text)
        self.assertIsInstance(r, ScanResult)
        self.assertEqual(r.verdict, "block")
        self.assertFalse(r.truncated)
        raw = text.encode("utf-8")
        for m in r.matches:  # offsets are bytes into the UTF-8 text
            self.assertEqual(raw[m.start:m.end].decode("utf-8"), m.text)
        self.assertEqual({m.kind for m in r.flagged()}, {"phone", "bank_account"})
        self.assertEqual(self.fx.scan("Đầu tư lãi cao, gọi 0700 001 003").verdict, "review")
        quiet = self.fx.scan("Chào buổi sáng")
        self.assertEqual((quiet.verdict, quiet.matches), ("allow", ()))
        with self.assertRaises(HTTPError) as c:
            self.fx.scan("x" * 70000)
        self.assertEqual((c.exception.status, c.exception.code), (413, "too_large"))

    def test_image_and_vietqr(self) -> None:
        import subprocess
        # Vietcombank 0000 1000 2001 is confirmed in data/sample; the code made by qrencode.
        payload = vietqr("970436", "000010002001", "3000000")
        png = subprocess.run(["qrencode", "-o", "-", "-s", "6", payload], check=True,
                             capture_output=True).stdout
        fx = Client(self.url(self.svc), timeout=300)  # OCR on a shared, loaded machine
        self.addCleanup(fx.close)
        r = fx.image(png)
        self.assertIsInstance(r, fraudidx.ImageResult)
        self.assertEqual((r.verdict, r.format), ("block", "png"))
        code = r.codes[0]
        assert isinstance(code, CheckResult)
        self.assertEqual((code.kind, code.canonical), ("bank_account", "970436:000010002001"))
        assert code.qr is not None
        self.assertEqual((code.qr.bank, code.qr.amount, code.qr.currency),
                         ("Vietcombank", "3000000", "VND"))
        self.assertEqual(r.scan.verdict, "allow")
        # The payload as text: GET /v1/check reads it the same way.
        c = self.fx.check(payload)
        self.assertEqual((c.verdict, c.qr.account if c.qr else None), ("scam", "000010002001"))
        with self.assertRaises(HTTPError) as e:
            fx.image(b"not an image")
        self.assertEqual((e.exception.status, e.exception.code), (400, "invalid_image"))

    def test_scan_many(self) -> None:
        texts = ["Gọi 0910.001.001 nhận quà", "Chào buổi sáng", "x" * 70000,
                 "Lãi cao: 0700 001 003"]
        out = self.fx.scan_many(texts)
        self.assertEqual([o.verdict if isinstance(o, ScanResult) else o.code for o in out],
                         ["block", "allow", "too_large", "review"])
        self.assertIsInstance(out[2], ItemError)
        self.assertIsNone(out[2].query)
        self.assertEqual(self.fx.scan_batch(texts[:1])[0].verdict, "block")  # the older name
        # Split into requests of scan_batch_size texts, in order.
        fx = Client(self.url(self.svc), timeout=10, scan_batch_size=2)
        self.addCleanup(fx.close)
        many = fx.scan_many(["Gọi 0910.001.001", "Chào"] * 3)
        self.assertEqual([o.verdict for o in many if isinstance(o, ScanResult)],
                         ["block", "allow"] * 3)

    def test_report(self) -> None:
        r = self.fx.report("phone", "0912 345 678", "impersonation",
                           "Gọi tự xưng công an, đòi chuyển tiền")
        self.assertIsInstance(r, Report)
        self.assertRegex(r.id, r"^r[0-9a-f]{28}$")
        self.assertEqual(r.status, "pending")
        detected = self.fx.report(None, "0000 1111 22", bank="Vietcombank")
        handle = self.fx.report("social_account", "@lua_dao_bot", "task_job",
                                platform="telegram")
        lines = [json.loads(x) for x in self.stored_reports()]
        self.assertEqual([x["id"] for x in lines], [r.id, detected.id, handle.id])
        self.assertEqual(lines[0]["description"], "Gọi tự xưng công an, đòi chuyển tiền")
        self.assertEqual(lines[1]["value"], "970436:0000111122")
        self.assertEqual(lines[2]["value"], "telegram:lua_dao_bot")
        with self.assertRaises(InvalidValue):
            self.fx.report("phone", "hello")
        with self.assertRaises(HTTPError) as c:
            self.fx.report("phone", SCAM_PHONE, "spam")
        self.assertEqual(c.exception.code, "bad_request")

    def test_other_routes_through_request(self) -> None:
        self.assertTrue(self.fx.health())
        self.assertEqual(self.fx.info()["service"]["limits"]["max_batch"], 1000)
        with self.assertRaises(Unauthorized) as c:
            self.fx.request("GET", "/v1/admin/status")
        self.assertEqual((c.exception.status, c.exception.code), (401, "unauthorized"))
        with self.assertRaises(HTTPError) as c2:
            self.fx.request("GET", "/v1/nothing")
        self.assertEqual((c2.exception.status, c2.exception.code), (404, "not_found"))
        # The key goes out as a bearer token: an analyst's token opens the admin routes.
        with Client(self.url(self.svc), ANALYST_TOKEN) as analyst:
            status = analyst.request("GET", "/v1/admin/status")
            self.assertTrue(status["writable"])
            up = analyst.request("POST", "/v1/admin/indicators",
                                 data="kind,value,status\nphone,0912000999,confirmed\n",
                                 content_type="text/csv")
            self.assertEqual(up["accepted"], 1)
            self.assertIn("fraudidx_http_requests_total", analyst.request("GET", "/metrics"))
        self.assertEqual(self.fx.check("0912 000 999").verdict, "scam")

    def test_warnings_since_and_related_ids(self) -> None:
        self.assertEqual(self.fx.warnings(), [])
        with Client(self.url(self.svc), ANALYST_TOKEN) as analyst:
            ids = []
            for i, region in enumerate(("ha-tinh", "all", "ha-noi")):
                w = analyst.request("POST", "/v1/admin/warnings", json_body={
                    "title": "Cảnh báo %d" % i, "text": "Nội dung", "regions": [region],
                    "indicators": ["0910 001 001"] if i == 0 else []})
                analyst.request("POST", "/v1/admin/warnings/%s/publish" % w["id"], json_body={})
                ids.append(w["id"])
        every = self.fx.warnings()
        self.assertEqual([w.id for w in every], list(reversed(ids)))
        self.assertEqual(every[-1].indicators, (("phone", "+84910001001"),))
        self.assertEqual(every[-1].path, "/warnings/" + ids[0])
        self.assertEqual([w.id for w in self.fx.warnings(region="ha-tinh")], [ids[1], ids[0]])
        self.assertEqual(self.fx.warnings(since="2099-01-01"), [])
        newest = max(w.updated for w in every)
        self.assertTrue(all(w.updated == newest for w in self.fx.warnings(since=newest)))
        self.assertEqual(self.fx.check("0910 001 001").warnings, (ids[0],))
        self.assertEqual(self.fx.scan("Gọi 0910.001.001").warnings, (ids[0],))
        self.assertEqual(self.fx.check("0912 999 999").warnings, ())
        self.assertEqual(self.fx.warning(ids[0]).title, "Cảnh báo 0")

    def test_one_connection_is_kept_alive(self) -> None:
        def accepted() -> float:
            return self.svc.metrics()[("fraudidx_connections_accepted_total", frozenset())]

        self.fx.check(SCAM_PHONE)
        before = accepted()  # the scrape's own connection counts once
        for _ in range(5):
            self.fx.check(SCAM_PHONE)
            self.fx.scan("0910001001")
        self.assertEqual(accepted() - before, 1)


BOT_KEY = "py-client-bot-key-0123456789"


class ApiKeys(ServiceCase):
    """A bot's API key (--api-keys): its own bucket, its name on its reports, a wrong key 401.
    With the test declared a trusted proxy, its requests are limited (loopback alone is not)."""

    def setUp(self) -> None:
        super().setUp()
        keys = os.path.join(self.dir, "api-keys")
        with open(keys, "w", encoding="utf-8") as f:
            f.write("py-bot %s 3/min\n" % BOT_KEY)
        os.chmod(keys, 0o600)
        self.svc = self.start("--api-keys", keys, "--trusted-proxy", "127.0.0.1", tokens=True)

    def test_the_key_has_its_bucket_and_its_name(self) -> None:
        with Client(self.url(self.svc), BOT_KEY, retries=0) as bot:
            self.assertEqual(bot.check(SCAM_PHONE).verdict, "scam")
            self.assertEqual(bot.scan("Goi " + SCAM_PHONE).verdict, "block")
            rep = bot.report("phone", "0912 000 888", "impersonation")
            with self.assertRaises(RateLimited) as c:
                bot.check(SCAM_PHONE)
            self.assertEqual((c.exception.status, c.exception.code), (429, "rate_limited"))
            assert c.exception.retry_after is not None
            self.assertGreaterEqual(c.exception.retry_after, 1)
            self.assertEqual(c.exception.headers.get("ratelimit-policy"), '"key";q=3;w=60')
        with Client(self.url(self.svc), ANALYST_TOKEN) as analyst:
            got = analyst.request("GET", "/v1/admin/reports/" + rep.id)
            self.assertEqual(got["reporter"], "py-bot")

    def test_a_wrong_key_is_unauthorized(self) -> None:
        with Client(self.url(self.svc), "not-a-key-000000000000", retries=0) as bot:
            with self.assertRaises(Unauthorized) as c:
                bot.check(SCAM_PHONE)
            self.assertEqual((c.exception.status, c.exception.code), (401, "unauthorized"))
            self.assertIn("API key", c.exception.message)


class KeepAlive(ServiceCase):
    def test_a_connection_the_service_closed_is_replaced(self) -> None:
        svc = self.start("--idle-timeout", "0.5")
        with Client(self.url(svc), retries=0) as fx:  # no retry would hide a failure
            fx.check(SCAM_PHONE)
            conn = fx._conn
            assert conn is not None and conn.sock is not None
            sock = conn.sock
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # until the service has closed it
                try:
                    if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                        break
                except BlockingIOError:
                    time.sleep(0.05)
            self.assertEqual(fx.check(SCAM_PHONE).verdict, "scam")
            self.assertEqual(fx.report(None, SCAM_PHONE).status, "pending")


class Retries(ServiceCase):
    def test_429_is_retried_after_retry_after(self) -> None:
        svc = self.start("--report-rate", "1/s", "--report-burst", "2")
        # Three different numbers: the same one again from the same address is the pending
        # report (202 with its id), not a new one.
        with Client(self.url(svc), retries=0) as fx:
            for n in ("0912000001", "0912000002"):
                fx.report(None, n)
            with self.assertRaises(RateLimited) as c:
                fx.report(None, "0912000003")
        self.assertEqual(c.exception.status, 429)
        assert c.exception.retry_after is not None
        self.assertGreaterEqual(c.exception.retry_after, 1)
        rec = Recorder()
        with Client(self.url(svc), retries=3, on_retry=rec) as fx:
            self.assertEqual(fx.report(None, "0912000003").status, "pending")
        self.assertGreaterEqual(len(rec.events), 1)
        first = rec.events[0]
        self.assertIsInstance(first.error, RateLimited)
        self.assertEqual(first.attempt, 2)
        ra = first.error.retry_after  # type: ignore[attr-defined]
        self.assertGreaterEqual(first.delay, ra)  # waited at least what the service asked
        self.assertEqual(len(self.stored_reports()), 3)

    def test_a_retry_after_too_long_is_not_waited_for(self) -> None:
        svc = self.start("--report-rate", "1/h", "--report-burst", "1")
        rec = Recorder()
        with Client(self.url(svc), retries=3, max_retry_after=60, on_retry=rec) as fx:
            fx.report(None, SCAM_PHONE)
            with self.assertRaises(RateLimited) as c:
                fx.report(None, SCAM_PHONE)
        self.assertGreater(c.exception.retry_after or 0, 60)
        self.assertEqual(rec.events, [])

    def hold_the_only_connection(self) -> tuple[object, socket.socket]:
        """A service with --max-connections 1 and that connection taken."""
        svc = self.start("--max-connections", "1", threads=1)
        held = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
        held.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b"200", held.recv(4096))  # accepted and counted
        self.addCleanup(held.close)
        return svc, held

    def test_503_is_retried_for_lookups(self) -> None:
        svc, held = self.hold_the_only_connection()
        with Client(self.url(svc), retries=0) as fx:
            with self.assertRaises(Unavailable) as c:
                fx.check(SCAM_PHONE)
        self.assertIn(c.exception.status, (503, None))  # 503, or reset while sending
        rec = Recorder(first=held.close)
        with Client(self.url(svc), retries=8, backoff=0.1, on_retry=rec) as fx:
            self.assertEqual(fx.check(SCAM_PHONE).verdict, "scam")
        self.assertIsInstance(rec.events[0].error, Unavailable)

    def test_503_with_retry_after_is_retried_for_reports(self) -> None:
        # The service's every 503 says when to come back (Retry-After): then nothing was
        # stored, and the report is sent again.
        svc, held = self.hold_the_only_connection()
        rec = Recorder(first=held.close)
        with Client(self.url(svc), retries=3, on_retry=rec) as fx:
            self.assertEqual(fx.report(None, SCAM_PHONE).status, "pending")
        self.assertIsInstance(rec.events[0].error, Unavailable)
        self.assertEqual(len(self.stored_reports()), 1)

    def test_timeouts_retry_lookups_but_never_a_report(self) -> None:
        svc = self.start("--report-burst", "10")
        freeze(svc.proc.pid)  # the kernel still takes connections
        # Should an assertion fail while it is stopped: tearDown's SIGKILL ends it all the same.
        rec = Recorder()
        with Client(self.url(svc), timeout=0.3, retries=1, backoff=0.05, on_retry=rec) as fx:
            with self.assertRaises(Timeout):
                fx.check(SCAM_PHONE)
            self.assertEqual(len(rec.events), 1)
            self.assertIsInstance(rec.events[0].error, Timeout)
            with self.assertRaises(Timeout):
                fx.report(None, SCAM_PHONE, description="sent once")
            self.assertEqual(len(rec.events), 1)
        os.kill(svc.proc.pid, signal.SIGCONT)
        # Why a report is not sent again: the frozen service reads it once it runs again,
        # and stores it, though its client gave up.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.stored_reports():
            time.sleep(0.05)
        stored = [json.loads(x) for x in self.stored_reports()]
        self.assertEqual([x["description"] for x in stored], ["sent once"])

    def test_refused_connections_are_retried_even_for_reports(self) -> None:
        rec = Recorder()
        port = free_port()
        with Client("http://127.0.0.1:%d" % port, retries=2, backoff=0.01, on_retry=rec) as fx:
            with self.assertRaises(Unavailable) as c:
                fx.check(SCAM_PHONE)
            self.assertIsNone(c.exception.status)
            self.assertEqual(len(rec.events), 2)
            with self.assertRaises(Unavailable):
                fx.report(None, SCAM_PHONE)  # nothing was sent: safe to try again
            self.assertEqual(len(rec.events), 4)
            self.assertFalse(fx.health())


class Batches(ServiceCase):
    def test_batches_are_split_to_the_service_limit(self) -> None:
        svc = self.start("--max-batch", "10")
        values = ["09100010%02d" % i for i in range(25)]

        def batches() -> float:
            key = ("fraudidx_http_requests_total",
                   frozenset({("route", "/v1/check"), ("method", "POST"), ("status", "200")}))
            return svc.metrics().get(key, 0.0)

        with Client(self.url(svc), batch_size=10) as fx:
            out = fx.check_batch(values)
        self.assertEqual([o.query for o in out], values)
        self.assertEqual(batches(), 3)
        with Client(self.url(svc)) as fx:
            with self.assertRaises(HTTPError) as c:
                fx.check_batch(values)
        self.assertEqual((c.exception.status, c.exception.code), (413, "too_large"))


class Units(unittest.TestCase):
    """The pieces that need no service."""

    def test_retry_after_forms(self) -> None:
        self.assertEqual(_retry_after("7"), 7.0)
        self.assertIsNone(_retry_after(None))
        self.assertIsNone(_retry_after("soon"))
        later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
        self.assertTrue(100 <= (_retry_after(later) or 0) <= 121)
        self.assertEqual(_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0)

    def test_base_url(self) -> None:
        for bad in ("ftp://x", "127.0.0.1:8080", "http://"):
            with self.assertRaises(ValueError):
                Client(bad)
        c = Client("https://example.org/fraudidx/")
        self.assertEqual(c._target("/v1/check", {"q": "a b&c"}),
                         "/fraudidx/v1/check?q=a%20b%26c")
        self.assertTrue(c.user_agent.startswith("fraudidx-python/" + fraudidx.__version__))

    def test_errors_are_one_family(self) -> None:
        for cls in (HTTPError, InvalidValue, Unauthorized, RateLimited, Unavailable, Timeout):
            self.assertTrue(issubclass(cls, FraudidxError))
        self.assertTrue(issubclass(Timeout, Unavailable))
        self.assertTrue(re.match(r"^\d+\.\d+\.\d+$", fraudidx.__version__))


def setUpModule() -> None:
    sample_snapshot()


if __name__ == "__main__":
    unittest.main(verbosity=2)
