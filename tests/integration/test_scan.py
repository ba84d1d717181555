"""POST /v1/scan through a real HTTP client: every indicator in a post found with its exact
byte offsets, each judged against the snapshot, and the post's verdict (block / review /
allow); an allowlisted match never raises it; bad bodies and long texts are refused."""

import fidxsvc

SCAN_CSV = fidxsvc.BASE_CSV + """phone,1900545413,allowlisted,,official,1,,
domain,vietcombank.com.vn,allowlisted,,official,1,,
"""


class Scan(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        snap = fidxsvc.build_snapshot(self.dir, "scan", SCAN_CSV)
        self.svc = self.start(snapshot=snap)

    def scan(self, text):
        r = self.svc.post_json("/v1/scan", {"text": text})
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_scam_post_is_blocked_with_exact_offsets(self):
        text = "Cán bộ công an 🚓 gọi: 0912.345.678, vào hxxps://evil[.]example/xac-minh ngay."
        body = self.scan(text)
        self.assertEqual(body["verdict"], "block")
        raw = text.encode("utf-8")
        kinds = {}
        for m in body["matches"]:
            # Offsets are bytes into the UTF-8 text as sent, and text is that slice.
            self.assertEqual(raw[m["start"]:m["end"]].decode("utf-8"), m["text"])
            kinds[m["kind"]] = m
        self.assertEqual(kinds["phone"]["text"], "0912.345.678")
        self.assertEqual(kinds["phone"]["canonical"], "+84912345678")
        self.assertEqual(kinds["phone"]["verdict"], "scam")
        self.assertEqual(kinds["phone"]["match"]["status"], "confirmed")
        # The link is judged by the domain entry of its host.
        self.assertEqual(kinds["url"]["text"], "hxxps://evil[.]example/xac-minh")
        self.assertEqual(kinds["url"]["canonical"], "https://evil.example/xac-minh")
        self.assertEqual(kinds["url"]["verdict"], "scam")
        self.assertEqual(kinds["url"]["match"]["value"], "evil.example")

    def test_suspicious_only_is_review(self):
        body = self.scan("Việc nhẹ lương cao, nhắn 0987 654 321 nhé")
        self.assertEqual(body["verdict"], "review")
        self.assertEqual([m["verdict"] for m in body["matches"]], ["suspicious"])

    def test_allowlisted_never_raises_and_ordinary_text_is_allowed(self):
        body = self.scan("Hotline Vietcombank 1900 545 413, web vietcombank.com.vn")
        self.assertEqual(body["verdict"], "allow")
        self.assertTrue(body["matches"])
        self.assertTrue(all(m["verdict"] == "safe" for m in body["matches"]), body)
        body = self.scan("Bán áo 199.000đ, giao ngày 12/03/2024 lúc 14:30, giảm 15%")
        self.assertEqual(body, {"matches": [], "truncated": False, "verdict": "allow"})

    def test_unknown_indicators_are_reported_but_allowed(self):
        body = self.scan("Liên hệ 0911 111 111")
        self.assertEqual(body["verdict"], "allow")
        self.assertEqual(body["matches"][0]["verdict"], "unknown")
        self.assertNotIn("match", body["matches"][0])

    def test_bad_bodies(self):
        r = self.svc.request("POST", "/v1/scan", body=b"{not json",
                             headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "invalid_json")
        self.assertError(self.svc.post_json("/v1/scan", {"txt": "x"}), 400, "bad_request")
        self.assertError(self.svc.post_json("/v1/scan", {"text": 42}), 400, "bad_request")
        r = self.svc.post_json("/v1/scan", {"text": "a" * (64 * 1024 + 1)})
        self.assertError(r, 413, "too_large")
        r = self.svc.get("/v1/scan")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.headers["allow"], "POST")

    def test_texts_up_to_the_limit_answer(self):
        text = ("Goi 0912 345 678 ngay. " * 3000)[: 64 * 1024]  # ASCII: 64 KiB exactly
        body = self.scan(text)
        self.assertEqual(body["verdict"], "block")
        self.assertLessEqual(len(body["matches"]), 256)


if __name__ == "__main__":
    fidxsvc.main()
