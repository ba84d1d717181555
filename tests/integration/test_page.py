"""The citizens' page, round 2 (issue 15), over HTTP against the real service: a whole message
checked (GET /check with a text: the same scan as POST /v1/scan), a message too long for the
page, the operator's name and contact (--operator-name, --operator-url, refused when they are
not safe to show), and "data updated at", which follows the analysts' live changes; a report's details, its status
page (GET /report/ID) through an analyst's decision, and disputes (GET and POST /dispute) that
reach the analysts' queue; the image form (POST /image, multipart): a screenshot holding a
VietQR code of a listed account and a scam number. The page in a browser is
tests/browser/run.js."""

import datetime
import json
import os
import re
import subprocess
import tempfile
import unittest
import urllib.parse

import fidxsvc
from test_admin_common import CSV, AdminTest

SMS = ("Cán bộ công an gọi 0912.345.678, chuyển tiền vào STK Vietcombank 0123 456 789 "
       "để xác minh.\nHạn chót hôm nay.")


class Page(AdminTest):
    def page(self, svc, query, status=200):
        r = svc.get("/check?" + urllib.parse.urlencode(query))
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers["content-type"].startswith("text/html"), r)
        return r.body.decode("utf-8")

    def test_a_whole_message_is_scanned(self):
        svc = self.start_admin()
        html = self.page(svc, {"q": SMS, "part": "result"})
        self.assertTrue(html.startswith('<section class="verdict v-scam"'), html[:120])
        self.assertIn('data-kind="message"', html)
        self.assertEqual(re.findall(r'<li class="found v-(\w+)"', html), ["scam", "scam"])
        self.assertIn('<mark class="m-scam">0912.345.678</mark>', html)
        self.assertIn('<mark class="m-scam">0123 456 789</mark>', html)
        # The same values and verdicts as POST /v1/scan.
        scan = svc.post_json("/v1/scan", {"text": SMS}).json()
        self.assertEqual(scan["verdict"], "block")
        self.assertEqual([m["text"] for m in scan["matches"]], ["0912.345.678", "0123 456 789"])
        # One value in a sentence is a message too; a line of words with nothing in it is not.
        html = self.page(svc, {"q": "gọi ngay 0987654321 nhé", "part": "result"})
        self.assertIn('data-verdict="suspicious" data-kind="message"', html)
        html = self.page(svc, {"q": "chào buổi sáng", "part": "result"}, status=400)
        self.assertIn('data-verdict="invalid"', html)
        # Lines with nothing in them: a message, in which nothing was found (not called safe).
        html = self.page(svc, {"q": "chào\nbuổi sáng", "part": "result"})
        self.assertIn('data-verdict="unknown" data-kind="message"', html)
        # A kind chosen by hand says it is one value: no scan.
        html = self.page(svc, {"q": SMS, "kind": "phone", "part": "result"}, status=400)
        self.assertIn('data-verdict="invalid"', html)
        # Too long for the page: said in the page's words.
        html = self.page(svc, {"q": "0912 345 678 " * 400, "part": "result"}, status=400)
        self.assertIn("Tin nhắn quá dài", html)
        html = self.page(svc, {"q": "0912 345 678 " * 400, "lang": "en"}, status=400)
        self.assertIn("The message is too long", html)

    def test_operator_and_data_time(self):
        svc = self.start_admin("--operator-name", "Đội thử <nghiệm>",
                               "--operator-url", "mailto:lienhe@example.org")
        html = self.page(svc, {"q": fidxsvc.SCAM_PHONE})
        self.assertIn('Trang này do <a href="mailto:lienhe@example.org" rel="noopener">'
                      'Đội thử &lt;nghiệm&gt;</a> vận hành.', html)
        self.assertIn("Dữ liệu cập nhật lúc", html)
        self.assertNotIn("thay đổi gần nhất", html)  # no live change yet
        # An analyst's change is the newest data: both times are said.
        up = "kind,value,status,source\nphone,0911 222 333,confirmed,police\n"
        self.assertEqual(self.add(svc, up, CSV).status, 200)
        html = self.page(svc, {"q": "0911 222 333"})
        self.assertIn('data-verdict="scam"', html)
        self.assertIn("thay đổi gần nhất lúc", html)
        # And after a restart, from the log.
        self.assertEqual(svc.stop(), 0)
        svc = self.start_admin()
        self.assertIn("thay đổi gần nhất lúc", self.page(svc, {"q": "0911 222 333"}))
        self.assertNotIn("vận hành", self.page(svc, {"q": "0911 222 333"}))

    def test_operator_flags_are_checked(self):
        for args in (["--operator-url", "javascript:alert(1)"],
                     ["--operator-url", "https://a b.example/"],
                     ["--operator-url", "https://"],
                     ["--operator-url", "https://x.example/" + "a" * 600],
                     ["--operator-name", ""],
                     ["--operator-name", "two\nlines"],
                     ["--operator-name", "x" * 201]):
            with self.subTest(args=args):
                p = subprocess.run([fidxsvc.SERVICE, "--snapshot", self.snapshot] + args,
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("--operator-", p.stderr)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Followup(AdminTest):
    """Issue 15 items 5 and 6: what a report says and what becomes of it; disputes."""

    def post(self, svc, path, fields):
        return svc.request("POST", path, body=urllib.parse.urlencode(fields).encode(),
                           headers=FORM)

    def lines(self):
        with open(self.data + "/reports.jsonl", encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_report_details_and_its_status_page(self):
        svc = self.start_admin("--report-rate", "0")
        r = self.post(svc, "/report", {"lang": "vi", "kind": "phone", "value": "0987 000 111",
                                       "channel": "zalo", "date": "25/11/2026",
                                       "amount_vnd": "5.000.000", "description": "x"})
        self.assertEqual(r.status, 200, r)
        [line] = self.lines()
        self.assertEqual((line["channel"], line["date"], line["amount_vnd"]),
                         ("zalo", "2026-11-25", 5000000))
        rid = line["id"]
        html = r.body.decode()
        # The reference is the link to its status page.
        self.assertIn('<a class="report-code" href="/report/%s?lang=vi">' % rid, html)
        page = svc.get("/report/" + rid)
        self.assertEqual(page.status, 200, page)
        self.assertEqual(page.headers["cache-control"], "no-store")
        self.assertIn("default-src 'self'", page.headers["content-security-policy"])
        body = page.body.decode()
        self.assertIn('data-follow="status" data-state="pending"', body)
        self.assertIn("Đang chờ kiểm tra", body)
        self.assertIn("0987 000 111", body)
        self.assertEqual(svc.request("HEAD", "/report/" + rid).status, 200)
        # An analyst approves it: the page says so, with the day (Vietnam's).
        d = self.admin(svc, "POST", "/v1/admin/reports/" + rid,
                       json.dumps({"action": "approve", "status": "reported",
                                   "reason": "seen twice"}), "application/json")
        self.assertEqual(d.status, 200, d)
        body = svc.get("/report/%s?lang=en" % rid).body.decode()
        self.assertIn('data-state="approved"', body)
        self.assertIn("An analyst checked and approved it on <time datetime=", body)
        # The same answer as the API's.
        api = svc.get("/v1/reports/" + rid).json()
        self.assertEqual(api["state"], "approved")
        utc = datetime.date.fromisoformat(api["decided_on"])  # Vietnam's is the same or next
        self.assertTrue(any('datetime="%s"' % (utc + datetime.timedelta(days=k)).isoformat()
                            in body for k in (0, 1)), body)
        # An unknown id, a malformed one: 404 pages that say so, and reveal nothing.
        for path in ("/report/r0000000000000000000000000000", "/report/%3Cb%3E",
                     "/report/" + rid + "x", "/report/" + rid[:-1]):
            with self.subTest(path=path):
                r = svc.get(path)
                self.assertEqual(r.status, 404, r)
                self.assertIn('data-state="unknown"', r.body.decode())
                self.assertNotIn("<b>", r.body.decode())

    def test_refused_details_are_marked_and_nothing_stored(self):
        svc = self.start_admin("--report-rate", "0")
        future = (datetime.date.today() + datetime.timedelta(days=9)).isoformat()
        for fields, marked in (({"amount_vnd": "năm triệu"}, "r-amount"),
                               ({"amount_vnd": "..."}, "r-amount"),
                               ({"amount_vnd": "9" * 17}, "r-amount"),
                               ({"date": future}, "r-date"),
                               ({"date": "31/02/2026"}, "r-date"),
                               ({"channel": "pigeon"}, "r-channel")):
            with self.subTest(fields=fields):
                r = self.post(svc, "/report", dict(fields, lang="vi", value="0987 000 222"))
                self.assertEqual(r.status, 400, r)
                html = r.body.decode()
                self.assertIn('aria-describedby="%s-error" aria-invalid="true"' % marked, html)
                self.assertIn('id="%s-error"' % marked, html)
                self.assertIn('value="0987 000 222"', html)  # what was typed, kept
        self.assertEqual(self.lines(), [])

    def test_dispute_reaches_the_analysts_queue(self):
        svc = self.start_admin("--report-rate", "0")
        # The link under a scam answer, and the form it opens, prefilled.
        check = svc.get("/check?" + urllib.parse.urlencode({"q": fidxsvc.SCAM_PHONE}))
        m = re.search(r'<a id="dispute-this" href="([^"]+)">', check.body.decode())
        self.assertIsNotNone(m)
        form = svc.get(m.group(1).replace("&amp;", "&").split("#")[0])
        self.assertEqual(form.status, 200, form)
        self.assertIn('id="dispute-form"', form.body.decode())
        self.assertIn('value="%s"' % fidxsvc.SCAM_PHONE, form.body.decode())
        # No reason: refused, nothing stored.
        r = self.post(svc, "/dispute", {"lang": "vi", "kind": "phone",
                                        "value": fidxsvc.SCAM_PHONE, "contact": "0909"})
        self.assertEqual(r.status, 400, r)
        self.assertIn('id="d-why-error"', r.body.decode())
        self.assertIn('value="0909"', r.body.decode())
        r = self.post(svc, "/dispute", {"kind": "phone", "value": fidxsvc.SCAM_PHONE,
                                        "description": "x", "contact": "c" * 300})
        self.assertEqual(r.status, 400, r)
        self.assertIn('id="d-contact-error"', r.body.decode())
        self.assertEqual(self.lines(), [])
        # Sent: stored as a dispute with its contact, and in the analysts' queue.
        r = self.post(svc, "/dispute", {"lang": "en", "kind": "phone",
                                        "value": fidxsvc.SCAM_PHONE,
                                        "description": "my shop's number <b>",
                                        "contact": "0909 111 222"})
        self.assertEqual(r.status, 200, r)
        [line] = self.lines()
        self.assertEqual((line["report_type"], line["contact"]), ("dispute", "0909 111 222"))
        self.assertIn('(reference <a class="report-code" href="/report/%s?lang=en">'
                      % line["id"], r.body.decode())
        q = self.admin(svc, "GET", "/v1/admin/reports?type=dispute").json()
        [rep] = [x for x in q["reports"] if x["id"] == line["id"]]
        self.assertEqual((rep["type"], rep["description"], rep["contact"]),
                         ("dispute", "my shop's number <b>", "0909 111 222"))
        # Its status page says what it is.
        body = svc.get("/report/%s?lang=en" % line["id"]).body.decode()
        self.assertIn("Your request: listed by mistake", body)
        # The contact is never shown on a page.
        self.assertNotIn("0909 111 222", body)
        r = svc.request("POST", "/dispute", body=b"{}", headers={"Content-Type": "text/plain"})
        self.assertError(r, 400, "bad_request")


def vietqr(bin_, account, amount=None, name="NGUYEN VAN A"):
    """A VietQR payload (EMVCo, NAPAS tag 38, CRC-16/CCITT-FALSE), written here as a bank's
    app writes it."""
    def tlv(tag, v):
        return "%s%02d%s" % (tag, len(v), v)

    t38 = (tlv("00", "A000000727") + tlv("01", tlv("00", bin_) + tlv("01", account)) +
           tlv("02", "QRIBFTTA"))
    p = (tlv("00", "01") + tlv("01", "12") + tlv("38", t38) + tlv("53", "704") +
         (tlv("54", amount) if amount else "") + tlv("58", "VN") +
         (tlv("59", name) if name else "") + "6304")
    crc = 0xFFFF
    for b in p.encode():
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return p + "%04X" % crc


def multipart(fields, boundary="----fidxTestBoundary7MA4YWxk"):
    """(body, Content-Type) of a form: fields is [(name, filename or None, bytes)]."""
    out = b""
    for name, filename, data in fields:
        out += b"--" + boundary.encode() + b"\r\n"
        disp = 'Content-Disposition: form-data; name="%s"' % name
        if filename is not None:
            disp += '; filename="%s"\r\nContent-Type: image/png' % filename
        out += disp.encode() + b"\r\n\r\n" + data + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return out, "multipart/form-data; boundary=" + boundary


class ImageForm(fidxsvc.ServiceTest):
    """Issue 17 item 3: the page's image form, without JavaScript (a multipart POST)."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="fidx-page-img-")
        d = cls._tmp.name
        # The listed account of BASE_CSV (Vietcombank 0123456789), 500,000 dong.
        qr = os.path.join(d, "qr.png")
        subprocess.run(["qrencode", "-s", "8", "-m", "4", "-o", qr,
                        vietqr("970436", "0123456789", "500000")], check=True)
        shot = os.path.join(d, "shot.png")
        subprocess.run(["convert", "-size", "1080x1600", "xc:#f2f2f7", "-font", "DejaVu-Sans",
                        "-fill", "#111111", "-pointsize", "48", "-annotate", "+60+200",
                        "Chuyển phí xác minh theo mã QR\nhoặc gọi 0912.345.678",
                        qr, "-geometry", "+340+500", "-composite", "-strip", "PNG24:" + shot],
                       check=True)
        with open(shot, "rb") as f:
            cls.shot = f.read()
        with open(qr, "rb") as f:
            cls.qr = f.read()
        # A static code: no amount, no recipient's name.
        bare = os.path.join(d, "bare.png")
        subprocess.run(["qrencode", "-s", "8", "-m", "4", "-o", bare,
                        vietqr("970436", "0123456789", None, None)], check=True)
        with open(bare, "rb") as f:
            cls.bare = f.read()

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    # As test_image.py: image threads run at nice 19 and the machine is shared, so a picture may
    # take long; the time limit and the client's wait are generous (no timing asserts).
    LIMITS = ("--image-timeout", "300")

    def start(self, *args, **kw):
        return super().start(*(self.LIMITS + args), **kw)

    def post(self, svc, fields):
        body, ctype = multipart(fields)
        conn = svc.connection(timeout=300)
        try:
            return svc.request("POST", "/image", body=body, headers={"Content-Type": ctype},
                               conn=conn)
        finally:
            conn.close()

    def test_a_screenshot_with_a_listed_vietqr_code_answers_scam(self):
        svc = self.start()
        # The form's two file inputs: the empty one (no picture taken) is skipped.
        r = self.post(svc, [("lang", None, b"en"), ("image", "", b""),
                            ("image", "shot.png", self.shot)])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["cache-control"], "no-store")
        html = r.body.decode()
        self.assertIn('data-verdict="scam" data-kind="image"', html)
        self.assertIn("This picture holds an account, phone number or link confirmed as a scam",
                      html)
        # The code's bank, account, amount and recipient, and the account's verdict.
        self.assertIn("<dt>Bank</dt><dd><bdi class=\"value\">Vietcombank</bdi></dd>", html)
        self.assertIn("Vietcombank · 0123 4567 89", html)
        self.assertIn("<dt>Amount</dt><dd>500,000 dong</dd>", html)
        self.assertIn("NGUYEN VAN A", html)
        self.assertIn('<li class="found v-scam" data-verdict="scam">', html)
        # The text read from it, the scam number highlighted.
        self.assertRegex(html, r'<mark class="m-scam">0912[ .]?345[ .]?678</mark>')
        # Vietnamese by default; nothing stored.
        r = self.post(svc, [("image", "qr.png", self.qr)])
        self.assertEqual(r.status, 200, r)
        self.assertIn("Ngân hàng", r.body.decode())
        self.assertIn("500.000 đ", r.body.decode())
        # A static code without amount or name: the account and its verdict all the same.
        r = self.post(svc, [("image", "bare.png", self.bare)])
        self.assertEqual(r.status, 200, r)
        self.assertIn('<li class="found v-scam" data-verdict="scam">', r.body.decode())
        self.assertNotIn("<dt>Số tiền</dt>", r.body.decode())

    def test_what_is_not_a_picture_is_said_on_the_page(self):
        svc = self.start()
        r = self.post(svc, [("lang", None, b"vi"), ("image", "", b"")])
        self.assertEqual(r.status, 400, r)
        self.assertIn("Chưa chọn ảnh nào", r.body.decode())
        r = self.post(svc, [("image", "x.png", b"not a picture at all")])
        self.assertEqual(r.status, 400, r)
        self.assertIn('data-verdict="invalid" data-kind="image"', r.body.decode())
        r = self.post(svc, [("image", "cut.png", self.qr[:len(self.qr) // 2])])
        self.assertEqual(r.status, 400, r)
        # A bomb: a PNG header declaring 100,000 x 100,000 pixels.
        import struct
        import zlib
        ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
        chunk = b"IHDR" + ihdr
        bomb = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk +
                struct.pack(">I", zlib.crc32(chunk)))
        r = self.post(svc, [("image", "bomb.png", bomb)])
        self.assertEqual(r.status, 413, r)
        self.assertIn("tối đa 4 MB", r.body.decode())
        # Not multipart, a malformed body, over the limit: refused before anything is read.
        r = svc.request("POST", "/image", body=b"image=1",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertError(r, 400, "bad_request")
        body, ctype = multipart([("image", "qr.png", self.qr)])
        r = svc.request("POST", "/image", body=body[:-10], headers={"Content-Type": ctype})
        self.assertError(r, 400, "bad_request")
        # A Content-Length over the limit: 413 before a byte of the body is read.
        head = ("POST /image HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\n\r\n" % (ctype, 4 * 1024 * 1024 + 20000)).encode()
        rs, _, _ = svc.raw(head, until_responses=1)
        self.assertEqual(rs[0].status, 413, rs[0])
        self.assertEqual(svc.request("GET", "/image").status, 405)

    def test_images_off_is_said_on_the_page(self):
        svc = self.start("--image-threads", "0")
        r = self.post(svc, [("image", "qr.png", self.qr)])
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.headers.get("retry-after"), "2")
        self.assertIn("Máy chủ đang bận hoặc không đọc ảnh", r.body.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
