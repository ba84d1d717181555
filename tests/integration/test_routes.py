"""Every route of fraudidx-service and every error code it answers, through a real HTTP client:
GET /v1/check, POST /v1/check, /healthz, /v1/info, /metrics, 404, 405 with Allow, HEAD."""

import json
import urllib.parse

import fidxsvc
from fidxsvc import CANON_SCAM_PHONE, SCAM_PHONE


def check_path(q, **params):
    params = dict(q=q, **params)
    return "/v1/check?" + urllib.parse.urlencode(params)


class CheckGet(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start()

    def test_scam_phone_answers_as_the_contract_shows(self):
        r = self.svc.get(check_path("0912 345 678"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["content-type"], "application/json; charset=utf-8")
        body = r.json()
        self.assertEqual(body["query"], "0912 345 678")
        self.assertEqual(body["kind"], "phone")
        self.assertEqual(body["canonical"], CANON_SCAM_PHONE)
        self.assertEqual(body["verdict"], "scam")
        m = body["match"]
        self.assertEqual(m["value"], CANON_SCAM_PHONE)
        self.assertEqual(m["status"], "confirmed")
        self.assertEqual(m["categories"], ["impersonation"])
        self.assertEqual(m["reports"], 12)
        self.assertEqual(m["first_seen"], "2024-03-01")
        self.assertEqual(m["last_seen"], "2024-04-02")
        self.assertEqual(m["sources"], ["police"])

    def test_verdicts(self):
        cases = [("0987654321", "suspicious"), ("0911111111", "unknown"),
                 ("https://evil.example/path", "scam"), ("Scam@Example.COM", "suspicious")]
        for q, verdict in cases:
            with self.subTest(q=q):
                body = self.svc.get(check_path(q)).json()
                self.assertEqual(body["verdict"], verdict, body)
                self.assertEqual("match" in body, verdict != "unknown", body)

    def test_query_decoding_plus_and_percent(self):
        for path in ["/v1/check?q=0912+345+678", "/v1/check?q=0912%20345%20678",
                     "/v1/check?kind=phone&q=%2B84%20912%20345%20678&unused=1"]:
            with self.subTest(path=path):
                body = self.svc.get(path).json()
                self.assertEqual(body["canonical"], CANON_SCAM_PHONE, body)
                self.assertEqual(body["verdict"], "scam")

    def test_kind_and_platform_parameters(self):
        body = self.svc.get(check_path(SCAM_PHONE, kind="phone")).json()
        self.assertEqual(body["kind"], "phone")
        body = self.svc.get(check_path("@scam_bot", kind="social_account",
                                       platform="telegram")).json()
        self.assertEqual(body["canonical"], "telegram:scam_bot", body)
        self.assertEqual(body["verdict"], "unknown")

    def test_missing_q_is_bad_request(self):
        for path in ["/v1/check", "/v1/check?kind=phone", "/v1/check?q="]:
            with self.subTest(path=path):
                msg = self.assertError(self.svc.get(path), 400, "bad_request")
                self.assertIn("missing q", msg)

    def test_unknown_kind_is_bad_request(self):
        self.assertError(self.svc.get(check_path(SCAM_PHONE, kind="telephone")), 400,
                         "bad_request")

    def test_repeated_or_malformed_parameters_are_bad_request(self):
        self.assertError(self.svc.get("/v1/check?q=1&q=2"), 400, "bad_request")
        self.assertError(self.svc.get("/v1/check?q=%zz"), 400, "bad_request")
        self.assertError(self.svc.get("/v1/check?q=%4"), 400, "bad_request")

    def test_invalid_value_says_why(self):
        msg = self.assertError(self.svc.get(check_path("abc", kind="phone")), 400,
                               "invalid_value")
        self.assertGreater(len(msg), 5)
        self.assertError(self.svc.get(check_path("x" * 3000)), 400, "invalid_value")

    def test_hostile_bytes_give_valid_json(self):
        # Quotes, backslashes, control bytes, invalid UTF-8 and U+2028 in the query: every
        # answer must be valid UTF-8 JSON whatever the verdict.
        for raw in ['"a\\b"', "\x01\x1f\x7f", "ab\u2028cd", "0912345678\x00"]:
            r = self.svc.get("/v1/check?q=" + urllib.parse.quote(raw.encode("utf-8")))
            self.assertIn(r.status, (200, 400), r)
            body = r.json()
            if r.status == 200:
                self.assertEqual(body["query"], raw)
        r = self.svc.get("/v1/check?q=%FF%FEevil.example")
        self.assertIn(r.status, (200, 400), r)
        r.json()

    def test_json_answers_are_never_sniffed(self):
        # A value can carry markup ("<script>…" as a URL's path); no browser may read an
        # answer as HTML.
        for r in (self.svc.get("/v1/check?q=" + urllib.parse.quote("https://x.example/<b>")),
                  self.svc.get("/v1/check"),
                  self.svc.post_json("/v1/check", {"items": ["<i>"]}),
                  self.svc.get("/nowhere")):
            self.assertEqual(r.headers.get("x-content-type-options"), "nosniff", r)

    def test_head_has_headers_without_body(self):
        r = self.svc.request("HEAD", check_path(SCAM_PHONE))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        get = self.svc.get(check_path(SCAM_PHONE))
        self.assertEqual(int(r.headers["content-length"]), len(get.body))


class CheckBatch(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start()

    def test_items_answer_in_order_with_errors_in_place(self):
        items = [SCAM_PHONE, {"q": "https://bad.example/login", "kind": "url"},
                 {"q": "abc", "kind": "phone"}, 42, {"q": "x", "kind": "nope"},
                 {"kind": "phone"}, "0911111111"]
        r = self.svc.post_json("/v1/check", {"items": items})
        self.assertEqual(r.status, 200, r)
        results = r.json()["results"]
        self.assertEqual(len(results), len(items))
        self.assertEqual(results[0]["verdict"], "scam")
        self.assertEqual(results[0]["query"], SCAM_PHONE)
        self.assertEqual(results[1]["verdict"], "suspicious")
        self.assertEqual(results[1]["match"]["value"], "bad.example/login")
        self.assertEqual(results[2]["query"], "abc")
        self.assertEqual(results[2]["error"]["code"], "invalid_value")
        self.assertTrue(results[2]["error"]["message"])
        for i in (3, 4, 5):
            self.assertEqual(results[i]["error"]["code"], "bad_request", results[i])
        self.assertEqual(results[6]["verdict"], "unknown")

    def test_a_long_batch_answers_each_item_as_get_does(self):
        # Items are looked up in groups (batch.c): every item, whichever its place in a group,
        # escaped or not, with options or not, invalid or not, answers as GET /v1/check does.
        kinds = [SCAM_PHONE, "0912 345 678", "+84 987 654 321", "0911111111", "abc",
                 {"q": "Vietcombank 0123456789", "kind": "bank_account"},
                 {"q": "scam@example.com", "kind": "email"}, "https://bad.example/login/x",
                 {"q": "0912.345.678", "kind": "phone"}, {"q": "x", "kind": "nope"},
                 "evil.example", "0284 3822 1111", "ngân hàng 0912345678"]
        items = [kinds[(i * 7) % len(kinds)] for i in range(53)]
        body = json.dumps({"items": items}).replace('"0912', '"\\u0030912')
        self.assertIn("\\u0030912", body)  # some values hold an escape, so are decoded
        r = self.svc.request("POST", "/v1/check", body=body.encode(),
                             headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        results = r.json()["results"]
        self.assertEqual(len(results), len(items))
        for item, got in zip(items, results):
            q = item if isinstance(item, str) else item["q"]
            params = {"q": q}
            if isinstance(item, dict):
                params["kind"] = item["kind"]
            want = self.svc.get("/v1/check?" + urllib.parse.urlencode(params)).json()
            if "error" in want:
                self.assertEqual(got["error"]["code"], want["error"]["code"], item)
                self.assertEqual(got["query"], q)
            else:
                self.assertEqual(got, want, item)

    def test_batch_limit(self):
        r = self.svc.post_json("/v1/check", {"items": ["0911111111"] * 1000})
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json()["results"]), 1000)
        self.assertError(self.svc.post_json("/v1/check", {"items": ["0911111111"] * 1001}), 413,
                         "too_large")

    def test_bad_json_and_bad_shapes(self):
        post = lambda body, ct="application/json": self.svc.request(
            "POST", "/v1/check", body=body, headers={"Content-Type": ct})
        self.assertError(post(b'{"items":['), 400, "invalid_json")
        self.assertError(post(b''), 400, "invalid_json")
        self.assertError(post(b'\xff\xfe'), 400, "invalid_json")
        self.assertError(post(b'{"items":[],"items":[]}'), 400, "invalid_json")
        self.assertError(post(b'[1,2]'), 400, "bad_request")
        self.assertError(post(b'{"items":"0912345678"}'), 400, "bad_request")
        self.assertError(post(b'{"items":[]}', "text/csv"), 400, "bad_request")

    def test_content_type_is_lenient(self):
        body = json.dumps({"items": [SCAM_PHONE]}).encode()
        for headers in [{}, {"Content-Type": "application/json; charset=utf-8"},
                        {"Content-Type": "application/x-www-form-urlencoded"}]:
            with self.subTest(headers=headers):
                r = self.svc.request("POST", "/v1/check", body=body, headers=headers)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["results"][0]["verdict"], "scam")

    def test_escaping_round_trips(self):
        items = ['he said "hi"\\', "tab\there\nline", "\u2028\u2029", "ngân hàng", "\x00",
                 "0912345678\x00"]
        r = self.svc.post_json("/v1/check", {"items": items})
        self.assertEqual(r.status, 200, r)
        results = r.json()["results"]
        self.assertEqual([x["query"] for x in results], items)
        for x in results:
            self.assertEqual(x["error"]["code"], "invalid_value", x)


class Operations(fidxsvc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.svc = self.start()

    def test_healthz(self):
        r = self.svc.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})

    def test_info_counts_match_the_built_snapshot(self):
        info = self.svc.get("/v1/info").json()
        snap = info["snapshot"]
        self.assertEqual(snap["version"], 2)  # format 2: public labels (docs/SNAPSHOT.md)
        self.assertEqual(snap["total"], sum(fidxsvc.BASE_COUNTS.values()))
        self.assertEqual(snap["kinds"], fidxsvc.BASE_COUNTS)
        self.assertEqual(snap["statuses"], {"confirmed": 3, "reported": 3, "allowlisted": 0})
        self.assertEqual(snap["sources"], {"police": 2, "community": 3, "bank": 1})
        self.assertRegex(snap["build_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(info["service"]["threads"], 2)
        self.assertEqual(info["service"]["limits"]["max_batch"], 1000)

    def test_metrics(self):
        for q in [SCAM_PHONE, SCAM_PHONE, "0911111111"]:
            self.svc.get(check_path(q))
        self.svc.get("/nope")
        self.svc.post_json("/v1/check", {"items": [SCAM_PHONE]})
        r = self.svc.get("/metrics")
        self.assertTrue(r.headers["content-type"].startswith("text/plain; version=0.0.4"), r)
        m = self.svc.metrics()

        def v(name, **labels):
            return m.get((name, frozenset(labels.items())))
        self.assertEqual(v("fraudidx_http_requests_total", route="/v1/check", method="GET",
                           status="200"), 3)
        self.assertEqual(v("fraudidx_http_requests_total", route="/v1/check", method="POST",
                           status="200"), 1)
        self.assertEqual(v("fraudidx_http_requests_total", route="other", method="other",
                           status="404"), 1)
        self.assertEqual(v("fraudidx_lookups_total", kind="phone", verdict="scam"), 3)
        self.assertEqual(v("fraudidx_lookups_total", kind="phone", verdict="unknown"), 1)
        self.assertEqual(v("fraudidx_http_request_duration_seconds_count", route="/v1/check",
                           method="GET"), 3)
        self.assertEqual(v("fraudidx_http_request_duration_seconds_bucket", route="/v1/check",
                           method="GET", le="+Inf"), 3)
        self.assertGreaterEqual(v("fraudidx_open_connections"), 1)
        self.assertGreaterEqual(v("fraudidx_snapshot_age_seconds"), 0)
        self.assertEqual(v("fraudidx_snapshot_entries", kind="phone"), 2)
        # Buckets are cumulative.
        buckets = sorted((float(dict(k[1])["le"]), val) for k, val in m.items()
                         if k[0] == "fraudidx_http_request_duration_seconds_bucket"
                         and dict(k[1])["route"] == "/v1/check" and dict(k[1])["method"] == "GET"
                         and dict(k[1])["le"] != "+Inf")
        self.assertEqual([b[1] for b in buckets], sorted(b[1] for b in buckets))

    def test_not_found(self):
        for path in ["/nope", "/v1", "/v1/check/", "/healthz/x", "/V1/CHECK"]:
            with self.subTest(path=path):
                self.assertError(self.svc.get(path), 404, "not_found")

    def test_method_not_allowed_says_allow(self):
        cases = [("DELETE", "/v1/check", "GET, HEAD, POST"), ("PUT", "/v1/check", None),
                 ("POST", "/healthz", "GET, HEAD"), ("POST", "/v1/info", "GET, HEAD"),
                 ("DELETE", "/metrics", "GET, HEAD")]
        for method, path, allow in cases:
            with self.subTest(method=method, path=path):
                r = self.svc.request(method, path, body=b"" if method != "DELETE" else None)
                self.assertError(r, 405, "method_not_allowed")
                self.assertIn("GET", r.headers["allow"])
                if allow:
                    self.assertEqual(r.headers["allow"], allow)


if __name__ == "__main__":
    fidxsvc.main()
