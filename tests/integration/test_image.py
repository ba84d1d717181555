"""POST /v1/image through a real HTTP client: screenshots made here (ImageMagick, DejaVu Sans,
qrencode; Debian packages) with Vietnamese text holding a scam number and a VietQR code of a
listed account answer `block`, with the code checked as a bank account and the recognised text
scanned with offsets into it; a payload with a bad CRC is refused with the parser's reason; a
decompression bomb, a file cut short and a body over 4 MiB are refused at once (400/413); a
full pool answers 503 with Retry-After."""

import os
import struct
import subprocess
import threading
import zlib

import fidxsvc

# A payload made by the independent generator (tests/vectors/vietqr/vectors.tsv): Vietcombank
# 2413019451, 50,000 VND, "chuyen tien hoc phi".
VECTORS = os.path.join(fidxsvc.SOURCE_DIR, "tests", "vectors", "vietqr", "vectors.tsv")
QR_ACCOUNT = "2413019451"

IMAGE_CSV = fidxsvc.BASE_CSV + """bank_account,970436:2413019451,confirmed,investment,bank,7,,
"""

MESSAGE = """Tin nhắn từ: BỘ CÔNG AN
Tài khoản của bạn liên quan
đến vụ án rửa tiền. Gọi ngay
0912.345.678 để xác minh
và chuyển phí theo mã QR."""


def vector_payload(account):
    with open(VECTORS, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "ok" and cols[4] == account:
                return cols[-1]
    raise AssertionError("no vector for account %s" % account)


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


def png_bytes(width, height, idat=b""):
    """A PNG whose header declares width x height, with the given (tiny) image data."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(idat)) + chunk(b"IEND", b""))


class Images(fidxsvc.ServiceTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._imgdir = tempfile.TemporaryDirectory(prefix="fidx-img-")
        d = cls._imgdir.name
        cls.payload = vector_payload(QR_ACCOUNT)
        # A phone's screen: a title bar, the message in a bubble, a VietQR code below it.
        run("qrencode", "-s", "8", "-m", "4", "-o", os.path.join(d, "qr.png"), cls.payload)
        run("convert", "-size", "1080x2400", "xc:#f2f2f7", "-font", "DejaVu-Sans",
            "-fill", "#1b5fbf", "-draw", "rectangle 0,0 1080,170",
            "-fill", "white", "-pointsize", "44", "-annotate", "+60+110", "Tin nhắn SMS",
            "-fill", "#e3e3e8", "-draw", "roundrectangle 30,230 1050,800 40,40",
            "-fill", "#111111", "-pointsize", "48", "-annotate", "+60+310", MESSAGE,
            os.path.join(d, "qr.png"), "-geometry", "+340+1000", "-composite",
            "-strip", "PNG24:" + os.path.join(d, "shot.png"))
        # The same message alone, as a JPEG (what a phone's gallery often holds).
        run("convert", "-size", "1080x1200", "xc:white", "-font", "DejaVu-Sans",
            "-fill", "#111111", "-pointsize", "48", "-annotate", "+60+200", MESSAGE,
            "-quality", "85", "-strip", os.path.join(d, "text.jpg"))
        # The payload with its CRC altered.
        bad = cls.payload[:-4] + ("0000" if cls.payload[-4:] != "0000" else "1111")
        cls.bad_payload = bad
        run("qrencode", "-s", "8", "-m", "4", "-o", os.path.join(d, "bad_crc.png"), bad)
        # A code holding a link on a listed domain.
        run("qrencode", "-s", "8", "-m", "4", "-o", os.path.join(d, "link.png"),
            "https://evil.example/nhan-qua")
        cls.files = {}
        for name in ("shot.png", "text.jpg", "bad_crc.png", "link.png", "qr.png"):
            with open(os.path.join(d, name), "rb") as f:
                cls.files[name] = f.read()

    @classmethod
    def tearDownClass(cls):
        cls._imgdir.cleanup()

    def setUp(self):
        super().setUp()
        self.snapshot = fidxsvc.build_snapshot(self.dir, "image", IMAGE_CSV)

    # The machine is shared and image threads run at nice 19 (lookups first): an image may take
    # long under load, so the time limit and the client's wait are generous (no timing asserts).
    LIMITS = ("--image-timeout", "300")

    def start(self, *args, **kw):
        return super().start(*(self.LIMITS + args), **kw)

    def post(self, svc, data, headers=None):
        conn = svc.connection(timeout=300)
        try:
            return svc.request("POST", "/v1/image", body=data, conn=conn,
                               headers=headers or {"Content-Type": "image/png"})
        finally:
            conn.close()

    def image(self, svc, name):
        r = self.post(svc, self.files[name])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["content-type"].startswith("application/json"), r)
        return r.json()

    def assertTextOffsets(self, body):
        raw = body["text"].encode("utf-8")
        for m in body["scan"]["matches"]:
            self.assertEqual(raw[m["start"]:m["end"]].decode("utf-8"), m["text"], m)

    def test_screenshot_with_scam_number_and_vietqr_code_is_blocked(self):
        svc = self.start()
        body = self.image(svc, "shot.png")
        self.assertEqual(body["verdict"], "block")
        self.assertEqual(body["image"], {"format": "png", "width": 1080, "height": 2400})
        self.assertEqual(len(body["codes"]), 1, body)
        code = body["codes"][0]
        self.assertEqual(code["query"], self.payload)
        self.assertEqual(code["source"], "vietqr")
        self.assertEqual(code["kind"], "bank_account")
        self.assertEqual(code["canonical"], "970436:" + QR_ACCOUNT)
        self.assertEqual(code["verdict"], "scam")
        self.assertEqual(code["qr"]["bank"], "Vietcombank")
        self.assertEqual(code["qr"]["bin"], "970436")
        self.assertEqual(code["qr"]["account"], QR_ACCOUNT)
        self.assertEqual(code["qr"]["amount"], "50000")
        self.assertEqual(code["qr"]["currency"], "VND")
        self.assertEqual(code["qr"]["purpose"], "chuyen tien hoc phi")
        # The text: the scam number found where the recognised text has it.
        self.assertTrue(body["ocr"]["read"], body)
        self.assertIn("CÔNG AN", body["text"])
        phones = [m for m in body["scan"]["matches"] if m["kind"] == "phone"]
        self.assertEqual([m["canonical"] for m in phones], [fidxsvc.CANON_SCAM_PHONE], body)
        self.assertEqual(phones[0]["verdict"], "scam")
        self.assertEqual(body["scan"]["verdict"], "block")
        self.assertTextOffsets(body)

    def test_jpeg_screenshot_text_alone_is_blocked(self):
        svc = self.start()
        body = self.image(svc, "text.jpg")
        self.assertEqual(body["image"]["format"], "jpeg")
        self.assertEqual(body["codes"], [])
        self.assertEqual(body["scan"]["verdict"], "block")
        self.assertEqual(body["verdict"], "block")
        self.assertTextOffsets(body)

    def test_code_with_bad_crc_is_refused_with_the_reason(self):
        svc = self.start()
        body = self.image(svc, "bad_crc.png")
        self.assertEqual(len(body["codes"]), 1, body)
        code = body["codes"][0]
        self.assertEqual(code["query"], self.bad_payload)
        self.assertEqual(code["error"]["code"], "invalid_value")
        self.assertIn("CRC", code["error"]["message"])
        self.assertEqual(body["verdict"], "allow")

    def test_code_with_a_link_is_checked_as_a_link(self):
        svc = self.start()
        body = self.image(svc, "link.png")
        self.assertEqual(body["codes"][0]["kind"], "url")
        self.assertEqual(body["codes"][0]["verdict"], "scam")
        self.assertNotIn("source", body["codes"][0])
        self.assertEqual(body["verdict"], "block")

    def test_bombs_cut_files_and_non_images_are_refused_at_once(self):
        svc = self.start()
        # 100,000 x 100,000 declared in a file of a few hundred bytes: refused from the header.
        bomb = png_bytes(100000, 100000, b"\0" * 1000)
        self.assertLess(len(bomb), 1024)
        msg = self.assertError(self.post(svc, bomb), 413, "too_large")
        self.assertIn("pixels", msg)
        self.assertError(self.post(svc, png_bytes(20000, 1, b"\0" * 100)), 413, "too_large")
        for name in ("shot.png", "text.jpg"):
            data = self.files[name]
            for cut in (len(data) // 2, len(data) - 3):
                self.assertError(self.post(svc, data[:cut]), 400, "invalid_image")
        self.assertError(self.post(svc, b"GIF89a" + b"\0" * 100), 400, "invalid_image")
        self.assertError(self.post(svc, b""), 400, "invalid_image")
        # Over 4 MiB (whatever --max-body-bytes says): refused before the body is read.
        head = b"POST /v1/image HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n"
        rs, _, _ = svc.raw(head % (4 * 1024 * 1024 + 1), until_responses=1)
        self.assertError(rs[0], 413, "too_large")
        r = svc.get("/v1/image")
        self.assertEqual(r.status, 405, r)
        self.assertEqual(r.headers.get("allow"), "POST")
        # The service is unharmed.
        self.assertEqual(self.image(svc, "qr.png")["verdict"], "block")

    def test_full_pool_answers_503_with_retry_after(self):
        # One thread and no queue: while it reads one screenshot, any other image is refused.
        svc = self.start("--image-threads", "1", "--image-queue", "0")
        n = 6
        answers = [None] * n
        barrier = threading.Barrier(n)

        def send(i):
            conn = svc.connection(timeout=300)
            try:
                barrier.wait(30)
                conn.request("POST", "/v1/image", body=self.files["shot.png"])
                r = conn.getresponse()
                answers[i] = (r.status, r.getheader("Retry-After"), r.read())
            finally:
                conn.close()
        threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        statuses = sorted(a[0] for a in answers)
        self.assertIn(503, statuses, answers)
        self.assertIn(200, statuses, answers)
        self.assertEqual(set(statuses), {200, 503}, answers)
        for status, retry, data in answers:
            if status == 503:
                self.assertTrue(retry and retry.isdigit(), (status, retry))
                self.assertIn(b'"unavailable"', data)
        m = svc.metrics()
        self.assertGreaterEqual(m[("fraudidx_http_requests_total",
                                   frozenset({("route", "/v1/image"), ("method", "POST"),
                                              ("status", "503")}))], 1)
        self.assertGreaterEqual(m[("fraudidx_images_total",
                                   frozenset({("outcome", "refused")}))], 1)
        self.assertGreaterEqual(m[("fraudidx_images_total",
                                   frozenset({("outcome", "done")}))], 1)
        self.assertEqual(m[("fraudidx_images", frozenset({("state", "waiting")}))], 0)

    def test_images_off(self):
        svc = self.start("--image-threads", "0")
        self.assertError(self.post(svc, self.files["qr.png"]), 503, "unavailable")
        # The header checks still answer first.
        self.assertError(self.post(svc, b"not an image"), 400, "invalid_image")


class Payloads(fidxsvc.ServiceTest):
    """VietQR payloads as text: GET and POST /v1/check, POST /v1/scan."""

    def setUp(self):
        super().setUp()
        self.svc = self.start(snapshot=fidxsvc.build_snapshot(self.dir, "qr", IMAGE_CSV))
        self.payload = vector_payload(QR_ACCOUNT)

    def test_check_reads_a_payload_as_its_account(self):
        from urllib.parse import quote
        r = self.svc.get("/v1/check?q=" + quote(self.payload))
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["query"], self.payload)
        self.assertEqual((body["kind"], body["canonical"], body["verdict"]),
                         ("bank_account", "970436:" + QR_ACCOUNT, "scam"))
        self.assertEqual(body["source"], "vietqr")
        self.assertEqual(body["qr"], {"bank": "Vietcombank", "bin": "970436",
                                      "account": QR_ACCOUNT, "card": False, "amount": "50000",
                                      "currency": "VND", "purpose": "chuyen tien hoc phi",
                                      "name": None})
        # kind=bank_account reads it the same; a plain account has no qr.
        r = self.svc.get("/v1/check?kind=bank_account&q=" + quote(self.payload))
        self.assertEqual(r.json()["source"], "vietqr")
        r = self.svc.get("/v1/check?q=970436:" + QR_ACCOUNT)
        self.assertNotIn("qr", r.json())
        # One character changed: the CRC says so.
        bad = self.payload.replace("hoc phi", "hoc phi".upper())
        msg = self.assertError(self.svc.get("/v1/check?q=" + quote(bad)), 400, "invalid_value")
        self.assertIn("CRC", msg)

    def test_the_page_shows_a_pasted_payload(self):
        from urllib.parse import quote
        for lang, amount, purpose in (("vi", "50.000 VND", "Nội dung chuyển khoản"),
                                      ("en", "50,000 VND", "Transfer message")):
            r = self.svc.get("/check?lang=%s&q=%s" % (lang, quote(self.payload)))
            self.assertEqual(r.status, 200, r)
            html = r.body.decode("utf-8")
            self.assertIn('data-verdict="scam"', html)
            self.assertIn("Vietcombank · 2413 0194 51", html)  # the bank and the account
            self.assertIn("<dd>%s</dd>" % amount, html)
            self.assertIn(purpose, html)
            self.assertIn("<bdi>chuyen tien hoc phi</bdi>", html)

    def test_batch_items_read_payloads(self):
        bad = self.payload[:-4] + "0000"
        r = self.svc.post_json("/v1/check", {"items": [self.payload, bad, "0912345678"]})
        self.assertEqual(r.status, 200, r)
        ok, refused, phone = r.json()["results"]
        self.assertEqual((ok["source"], ok["verdict"]), ("vietqr", "scam"))
        self.assertEqual(refused["error"]["code"], "invalid_value")
        self.assertIn("CRC", refused["error"]["message"])
        self.assertEqual(phone["verdict"], "scam")

    def test_scan_finds_a_pasted_payload_with_its_offsets(self):
        text = "Phí xác minh, quét hoặc dán mã: " + self.payload + " rồi gọi 0912 345 678."
        r = self.svc.post_json("/v1/scan", {"text": text})
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["verdict"], "block")
        raw = text.encode("utf-8")
        qr, phone = body["matches"]
        self.assertEqual(raw[qr["start"]:qr["end"]].decode("utf-8"), self.payload)
        self.assertEqual(qr["text"], self.payload)
        self.assertEqual((qr["kind"], qr["canonical"], qr["verdict"]),
                         ("bank_account", "970436:" + QR_ACCOUNT, "scam"))
        self.assertEqual(qr["source"], "vietqr")
        self.assertEqual(qr["qr"]["amount"], "50000")
        self.assertEqual(phone["canonical"], fidxsvc.CANON_SCAM_PHONE)
        self.assertNotIn("source", phone)


if __name__ == "__main__":
    fidxsvc.main()
