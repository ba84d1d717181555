"""POST /v1/scan through a real HTTP client: every indicator in a post found with its exact
byte offsets, each judged against the snapshot, and the post's verdict (block / review /
allow); an allowlisted match never raises it; bad bodies and long texts are refused. A batch,
{"texts":[…]}, answers each text as a single scan would, a bad text with its own error, and
looks a value found in several texts up once."""

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

    # A post's verdict covers every indicator in it, not only the listed ones: 256 decoys
    # before a known number once hid it (issue 12). Each shape fills the listed matches.
    DECOYS = {
        "e-mail addresses": "a@b.cd " * 256,
        "one unknown number": "0911 111 111 " * 256,
        "a Vietnamese phrase": "Chuyển khoản vào STK 0011 2233 44 nhé, hoặc gọi Zalo 0922333444. "
                               * 200,
        "distinct domains": "".join("d%d.vn " % i for i in range(300)),
    }

    def test_decoys_do_not_hide_a_scam_number(self):
        for name, decoys in self.DECOYS.items():
            with self.subTest(decoys=name):
                body = self.scan(decoys + "Gọi ngay 0912 345 678")
                self.assertEqual(body["verdict"], "block", name)
                self.assertTrue(body["truncated"], name)
                self.assertEqual(len(body["matches"]), 256, name)
                self.assertNotIn("scam", [m["verdict"] for m in body["matches"]], name)

    def test_decoys_do_not_hide_a_suspicious_number_or_an_allowlisted_one_raise(self):
        decoys = self.DECOYS["one unknown number"]
        self.assertEqual(self.scan(decoys + "nhắn 0987 654 321")["verdict"], "review")
        body = self.scan(decoys + "Hotline 1900 545 413")
        self.assertEqual(body["verdict"], "allow")
        self.assertTrue(body["truncated"])

    def test_numbers_in_groups_do_not_hide_the_next_one(self):
        # A list of numbers is read a few at a time; six unknown ones in groups of digits
        # once pushed the seventh into the cut between two reads.
        for k in range(1, 13):
            body = self.scan("0911 111 111 " * k + "0912 345 678")
            self.assertEqual(body["verdict"], "block", k)
            self.assertEqual(body["matches"][-1]["canonical"], "+84912345678", k)

    def test_a_long_link_is_judged_by_its_host(self):
        # A link too long to look up whole once went unread: now its head is looked up.
        for tail in ("a" * 3000, "%" * 1000):
            body = self.scan("Xem hxxps://evil[.]example/xac-minh/" + tail + " ngay")
            self.assertEqual(body["verdict"], "block")
            self.assertEqual(body["matches"][0]["canonical"], "https://evil.example/xac-minh/")
            self.assertEqual(body["matches"][0]["match"]["value"], "evil.example")

    def test_a_scam_link_after_the_most_decoys_the_limit_allows(self):
        # 64 KiB of distinct short domains (the densest text of indicators), the last one a
        # confirmed scam domain: still judged.
        parts, size, i = [], 0, 0
        tail = "https://evil.example/x"
        while size + len("x%d.vn " % i) + len(tail) <= 64 * 1024:
            parts.append("x%d.vn " % i)
            size += len(parts[-1])
            i += 1
        body = self.scan("".join(parts) + tail)
        self.assertEqual(body["verdict"], "block")
        self.assertEqual(len(body["matches"]), 256)
        self.assertTrue(body["truncated"])


def lookups(svc):
    """Every lookup the service has made (fraudidx_lookups_total over kinds and verdicts)."""
    return sum(v for (name, _), v in svc.metrics().items() if name == "fraudidx_lookups_total")


class BatchScan(fidxsvc.ServiceTest):
    TEXTS = [
        "Cán bộ công an 🚓 gọi: 0912.345.678, vào hxxps://evil[.]example/xac-minh ngay.",
        "Việc nhẹ lương cao, nhắn 0987 654 321 nhé",
        "Hotline Vietcombank 1900 545 413, web vietcombank.com.vn",
        "Bán áo 199.000đ, giao ngày 12/03/2024 lúc 14:30, giảm 15%",
        "",
    ]

    def setUp(self):
        super().setUp()
        snap = fidxsvc.build_snapshot(self.dir, "scan", SCAN_CSV)
        # A body limit above the batch's own 1 MiB of text, so that limit is the one reached.
        self.svc = self.start("--max-body-bytes", str(4 << 20), snapshot=snap)

    def batch(self, texts):
        r = self.svc.post_json("/v1/scan", {"texts": texts})
        self.assertEqual(r.status, 200, r)
        results = r.json()["results"]
        self.assertEqual(len(results), len(texts))
        return results

    def test_each_text_answers_as_a_single_scan_in_order(self):
        results = self.batch(self.TEXTS)
        for text, got in zip(self.TEXTS, results):
            single = self.svc.post_json("/v1/scan", {"text": text}).json()
            self.assertEqual(got, single, text)
        self.assertEqual([r["verdict"] for r in results],
                         ["block", "review", "allow", "allow", "allow"])
        self.assertEqual(self.batch([]), [])

    def test_a_bad_text_answers_its_own_error_in_place(self):
        results = self.batch(["Gọi 0912 345 678", 42, "x" * (64 * 1024 + 1), None,
                              "nhắn 0987 654 321"])
        self.assertEqual(results[0]["verdict"], "block")
        self.assertEqual(results[1]["error"]["code"], "bad_request")
        self.assertEqual(results[2]["error"]["code"], "too_large")
        self.assertEqual(results[3]["error"]["code"], "bad_request")
        self.assertEqual(results[4]["verdict"], "review")
        for r in results[1:4]:
            self.assertEqual(set(r), {"error"})
            self.assertTrue(r["error"]["message"])

    def test_a_value_in_several_texts_is_looked_up_once(self):
        texts = ["Gọi 0912 345 678 ngay", "0912.345.678 là số lừa đảo", "Chào buổi sáng",
                 "nhắn 0912345678 hoặc 0987 654 321"]
        before = lookups(self.svc)
        results = self.batch(texts)
        self.assertEqual(lookups(self.svc) - before, 2)  # two distinct numbers
        self.assertEqual([r["verdict"] for r in results], ["block", "block", "allow", "block"])
        # The repeated number's result is the same in every text that lists it.
        phone = [m for r in results for m in r["matches"] if m["canonical"] == "+84912345678"]
        self.assertEqual(len(phone), 3)
        for m in phone[1:]:
            self.assertEqual({k: v for k, v in m.items() if k not in ("text", "start", "end")},
                             {k: v for k, v in phone[0].items()
                              if k not in ("text", "start", "end")})
        self.assertEqual([(m["start"], m["end"]) for m in phone],
                         [(6, 18), (0, 12), (7, 17)])  # bytes: "ọ" and "ắ" take 3

    def test_decoys_in_one_text_do_not_hide_a_number_judged_in_an_earlier_one(self):
        # A value judged (unlisted) in one text and listed in the next gets its full result.
        decoys = "0911 111 111 " * 256
        results = self.batch([decoys + "Gọi 0912 345 678", "Gọi 0912 345 678"])
        self.assertEqual(results[0]["verdict"], "block")
        self.assertTrue(results[0]["truncated"])
        self.assertEqual(results[1]["matches"][0]["match"]["status"], "confirmed")

    def test_limits(self):
        r = self.svc.post_json("/v1/scan", {"texts": ["a"] * 101})
        self.assertError(r, 413, "too_large")
        self.assertEqual(len(self.batch(["a"] * 100)), 100)
        big = "Gọi 0912 345 678. " * 3000
        big = big.encode("utf-8")[: 60 * 1024].decode("utf-8", "ignore")
        n = (1 << 20) // len(big.encode("utf-8"))
        self.assertEqual(len(self.batch([big] * n)), n)
        r = self.svc.post_json("/v1/scan", {"texts": [big] * (n + 1)})
        self.assertError(r, 413, "too_large")
        for body in ({"text": "a", "texts": ["a"]}, {"texts": "a"}, {"texts": None}):
            self.assertError(self.svc.post_json("/v1/scan", body), 400, "bad_request")


if __name__ == "__main__":
    fidxsvc.main()
