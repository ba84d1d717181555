/* The JavaScript client against the real fraudidx-service (the starter of the contract tests,
 * tests/contract/fidxsvc.mjs): every method, every error, the retry policy (429 with
 * Retry-After from the reports' rate limit, 503 from the connection limit, a frozen service for
 * timeouts, a closed port for refused connections), cancellation and keep-alive. The package is
 * imported by its own name, through the "exports" of package.json. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  Client, FraudidxError, HTTPError, InvalidValue, RateLimited, Timeout, Unauthorized,
  Unavailable, VERSION, isItemError, parseRetryAfter,
} from "fraudidx";
import { buildSample, startService, tempDir } from "../../../tests/contract/fidxsvc.mjs";

const SCAM_PHONE = "0910001001"; /* confirmed (data/sample/indicators.csv) */
const ANALYST_TOKEN = "js-client-analyst-0123456789abc";
const BOT_KEY = "js-client-bot-key-0123456789abc";

let dir;
let snapshot;
let seq = 0;
const running = [];

before(() => {
  dir = tempDir("fidx-js-");
  snapshot = buildSample(dir);
});

after(async () => {
  for (const s of running) {
    await s.stop();
  }
});

/* A service on the sample snapshot with its own data directory (and tokens file). */
async function start(args = [], { tokens = false, threads = 2 } = {}) {
  const data = path.join(dir, "data-" + ++seq);
  const extra = ["--data-dir", data];
  if (tokens) {
    const file = path.join(dir, "tokens-" + seq);
    fs.writeFileSync(file, "js " + ANALYST_TOKEN + "\n", { mode: 0o600 });
    extra.push("--tokens", file);
  }
  const s = await startService(snapshot, [...extra, ...args], { threads });
  s.data = data;
  running.push(s);
  return s;
}

/* Stops the process (SIGSTOP) and waits until each of its threads has stopped: kill(2)
 * returns before they do, and on a busy machine a worker thread still answered a request sent
 * just after it. */
async function freeze(pid) {
  process.kill(pid, "SIGSTOP");
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const states = [];
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        states.push(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]);
      } catch {
        /* a thread that ended meanwhile */
      }
    }
    if (states.length && states.every((s) => s === "T" || s === "t")) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} did not stop within 10 s`);
}

function storedReports(svc) {
  const file = path.join(svc.data, "reports.jsonl");
  return fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/* /metrics on a connection of its own, parsed to {"name{labels}": value}. */
function metrics(svc) {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port: svc.port, path: "/metrics", agent: false }, (res) => {
      let text = "";
      res.on("data", (c) => { text += c; });
      res.on("end", () => {
        const out = {};
        for (const line of text.split("\n")) {
          const m = /^([^#\s][^ ]*) (\S+)$/.exec(line);
          if (m) {
            out[m[1]] = Number(m[2]);
          }
        }
        resolve(out);
      });
    }).on("error", reject);
  });
}

/* A loopback port nobody listens on, below the kernel's ephemeral range: services started with
   port 0 take theirs from that range, so none of them can be listening there (see
   tests/deploy/deploykit.py's free_port). */
async function freePort() {
  let low = 32768;
  try {
    low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]);
  } catch { /* keep the usual bound */ }
  for (let i = 0; i < 200; i++) {
    const port = Math.max(1024, low - 12000) + Math.floor(Math.random() * Math.min(12000, low - 1024));
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free loopback port");
}

/* A service with --max-connections 1 and that connection held. */
async function holdTheOnlyConnection() {
  const svc = await start(["--max-connections", "1"], { threads: 1 });
  const held = net.connect(svc.port, "127.0.0.1");
  await new Promise((resolve) => {
    held.once("data", resolve);
    held.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  });
  return { svc, held };
}

describe("lookups", () => {
  let svc;
  let fx;
  before(async () => {
    /* Image threads run at nice 19: on a loaded machine an image may wait long. */
    svc = await start(["--report-burst", "100", "--image-timeout", "300"], { tokens: true });
    fx = new Client(svc.url, { timeout: 10000 });
  });

  test("check: verdicts and the match", async () => {
    const r = await fx.check("0910 001 001");
    assert.deepEqual([r.query, r.kind, r.canonical, r.verdict],
                     ["0910 001 001", "phone", "+84910001001", "scam"]);
    assert.equal(r.match.status, "confirmed");
    assert.ok(r.match.categories.includes("impersonation"));
    assert.match(r.match.first_seen, /^\d{4}-\d\d-\d\d$/);
    const unknown = await fx.check("0911 111 111");
    assert.deepEqual([unknown.verdict, unknown.match], ["unknown", undefined]);
    const safe = await fx.check("https://vietcombank.com.vn/");
    assert.deepEqual([safe.kind, safe.verdict, safe.match.kind], ["url", "safe", "domain"]);
    const h = await fx.check("@viec_lam_000", { kind: "social_account", platform: "telegram" });
    assert.deepEqual([h.canonical, h.verdict], ["telegram:viec_lam_000", "suspicious"]);
    const odd = await fx.check("https://evil.example/a b?c=1&d=2#x");
    assert.equal(odd.query, "https://evil.example/a b?c=1&d=2#x");
  });

  test("check: InvalidValue and HTTPError", async () => {
    const e = await fx.check("hello", { kind: "phone" }).catch((x) => x);
    assert.ok(e instanceof InvalidValue && e instanceof HTTPError && e instanceof FraudidxError);
    assert.deepEqual([e.name, e.status, e.code], ["InvalidValue", 400, "invalid_value"]);
    assert.ok(e.message);
    const bad = await fx.check("0912345678", { kind: "fax" }).catch((x) => x);
    assert.ok(bad instanceof HTTPError && !(bad instanceof InvalidValue));
    assert.deepEqual([bad.status, bad.code], [400, "bad_request"]);
  });

  test("checkBatch: in order, errors in place", async () => {
    const items = [SCAM_PHONE, { value: "https://vietcombank.com.vn/", kind: "url" },
                   { q: "@viec_lam_000", kind: "social_account", platform: "telegram" },
                   { value: "12", kind: "phone" }, { q: "x", kind: "fax" }];
    const out = await fx.checkBatch(items);
    assert.deepEqual(out.map((o) => isItemError(o) ? o.error.code : o.verdict),
                     ["scam", "safe", "suspicious", "invalid_value", "bad_request"]);
    assert.equal(out[3].query, "12");
    assert.deepEqual(await fx.checkBatch([]), []);
  });

  test("scan", async () => {
    const text = "Cán bộ công an gọi 0910.001.001, chuyển tiền vào STK Vietcombank " +
                 "0000 1000 2001";
    const r = await fx.scan(text);
    assert.deepEqual([r.verdict, r.truncated], ["block", false]);
    const raw = Buffer.from(text, "utf8");
    for (const m of r.matches) { /* offsets are bytes into the UTF-8 text */
      assert.equal(raw.subarray(m.start, m.end).toString("utf8"), m.text);
    }
    assert.equal((await fx.scan("Đầu tư lãi cao, gọi 0700 001 003")).verdict, "review");
    assert.deepEqual(await fx.scan("Chào buổi sáng"),
                     { matches: [], truncated: false, verdict: "allow" });
    const big = await fx.scan("x".repeat(70000)).catch((x) => x);
    assert.deepEqual([big.status, big.code], [413, "too_large"]);
  });

  test("checkImage: a VietQR code of a listed account", async () => {
    /* Vietcombank 0000 1000 2001, confirmed in data/sample (a payload with its CRC). */
    const tlv = (id, v) => id + String(v.length).padStart(2, "0") + v;
    const napas = tlv("00", "A000000727") + tlv("01", tlv("00", "970436") +
                  tlv("01", "000010002001")) + tlv("02", "QRIBFTTA");
    const p = tlv("00", "01") + tlv("01", "12") + tlv("38", napas) + tlv("53", "704") +
              tlv("54", "800000") + tlv("58", "VN") + "6304";
    let crc = 0xffff;
    for (const b of Buffer.from(p, "latin1")) {
      crc ^= b << 8;
      for (let i = 0; i < 8; i++) {
        crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
    }
    const payload = p + crc.toString(16).toUpperCase().padStart(4, "0");
    const png = execFileSync("qrencode", ["-o", "-", "-s", "6", payload]);
    const slow = new Client(svc.url, { timeout: 300000 }); /* OCR on a loaded machine */
    const r = await slow.checkImage(new Uint8Array(png));
    assert.deepEqual([r.verdict, r.image.format, r.codes.length], ["block", "png", 1]);
    assert.deepEqual([r.codes[0].source, r.codes[0].canonical, r.codes[0].qr.amount],
                     ["vietqr", "970436:000010002001", "800000"]);
    assert.equal((await fx.check(payload)).qr.bank, "Vietcombank");
    const bad = await slow.checkImage(Buffer.from("not an image")).catch((x) => x);
    assert.deepEqual([bad.status, bad.code], [400, "invalid_image"]);
  });

  test("scanMany", async () => {
    const out = await fx.scanMany(["Gọi 0910.001.001 nhận quà", "Chào", "x".repeat(70000),
                                   "Lãi cao: 0700 001 003"]);
    assert.deepEqual(out.map((o) => isItemError(o) ? o.error.code : o.verdict),
                     ["block", "allow", "too_large", "review"]);
    assert.equal(out[2].query, undefined);
    assert.equal((await fx.scanBatch(["Gọi 0910.001.001"]))[0].verdict, "block"); /* older name */
    const small = new Client(svc.url, { timeout: 10000, scanBatchSize: 2 });
    const many = await small.scanMany(["Gọi 0910.001.001", "Chào", "Gọi 0910.001.001", "Chào"]);
    assert.deepEqual(many.map((o) => o.verdict), ["block", "allow", "block", "allow"]);
  });

  test("report", async () => {
    const before = storedReports(svc).length;
    const r = await fx.report({ kind: "phone", value: "0912 345 678",
                                category: "impersonation",
                                description: "Gọi tự xưng công an, đòi chuyển tiền" });
    assert.match(r.id, /^r[0-9a-f]{28}$/);
    assert.equal(r.status, "pending");
    const b = await fx.report({ value: "0000 1111 22", bank: "Vietcombank", kind: null });
    const stored = storedReports(svc).slice(before);
    assert.deepEqual(stored.map((x) => x.id), [r.id, b.id]);
    assert.equal(stored[1].value, "970436:0000111122");
    await assert.rejects(fx.report({ kind: "phone", value: "hello" }), InvalidValue);
    const e = await fx.report({ value: SCAM_PHONE, category: "spam" }).catch((x) => x);
    assert.equal(e.code, "bad_request");
  });

  test("other routes through request()", async () => {
    assert.equal(await fx.health(), true);
    assert.equal((await fx.info()).service.limits.max_batch, 1000);
    const u = await fx.request("GET", "/v1/admin/status").catch((x) => x);
    assert.ok(u instanceof Unauthorized);
    assert.deepEqual([u.status, u.code], [401, "unauthorized"]);
    const nf = await fx.request("GET", "/v1/nothing").catch((x) => x);
    assert.deepEqual([nf.constructor, nf.status, nf.code], [HTTPError, 404, "not_found"]);
    /* The key goes out as a bearer token: an analyst's token opens the admin routes. */
    const analyst = new Client(svc.url, { apiKey: ANALYST_TOKEN });
    assert.equal((await analyst.request("GET", "/v1/admin/status")).writable, true);
    const up = await analyst.request("POST", "/v1/admin/indicators", {
      body: "kind,value,status\nphone,0912000999,confirmed\n", contentType: "text/csv" });
    assert.equal(up.accepted, 1);
    assert.match(await analyst.request("GET", "/metrics"), /fraudidx_http_requests_total/);
    assert.equal((await fx.check("0912 000 999")).verdict, "scam");
  });

  test("warnings(since) and the related ids of check and scan", async () => {
    assert.deepEqual(await fx.warnings(), []);
    const analyst = new Client(svc.url, { apiKey: ANALYST_TOKEN });
    const ids = [];
    for (const [i, region] of ["ha-tinh", "all"].entries()) {
      const w = await analyst.request("POST", "/v1/admin/warnings", { json: {
        title: "Cảnh báo " + i, text: "Nội dung", regions: [region],
        indicators: i === 0 ? ["0910 001 001"] : [] } });
      await analyst.request("POST", "/v1/admin/warnings/" + w.id + "/publish", { json: {} });
      ids.push(w.id);
    }
    const every = await fx.warnings();
    assert.deepEqual(every.map((w) => w.id), [ids[1], ids[0]]);
    assert.deepEqual(every[1].indicators, [{ kind: "phone", value: "+84910001001" }]);
    assert.deepEqual((await fx.warnings(null, { region: "ha-noi" })).map((w) => w.id), [ids[1]]);
    assert.deepEqual(await fx.warnings("2099-01-01"), []);
    assert.deepEqual((await fx.check("0910 001 001")).warnings, [ids[0]]);
    assert.deepEqual((await fx.scan("Gọi 0910.001.001")).warnings, [ids[0]]);
    assert.equal((await fx.warning(ids[0])).title.vi, "Cảnh báo 0");
  });

  test("one connection is kept alive", async () => {
    const key = "fraudidx_connections_accepted_total";
    await fx.check(SCAM_PHONE);
    const before = (await metrics(svc))[key];
    for (let i = 0; i < 5; i++) {
      await fx.check(SCAM_PHONE);
      await fx.scan(SCAM_PHONE);
    }
    assert.equal((await metrics(svc))[key] - before, 1); /* the second scrape's own */
  });
});

describe("API keys", () => {
  test("a key's bucket and its name on reports; a wrong key is Unauthorized", async () => {
    /* Declared a trusted proxy, the test's own requests are limited (loopback alone is not). */
    const keys = path.join(dir, "api-keys");
    fs.writeFileSync(keys, "js-bot " + BOT_KEY + " 3/min\n", { mode: 0o600 });
    const svc = await start(["--api-keys", keys, "--trusted-proxy", "127.0.0.1"],
                            { tokens: true });
    const bot = new Client(svc.url, { apiKey: BOT_KEY, retries: 0 });
    assert.equal((await bot.check(SCAM_PHONE)).verdict, "scam");
    assert.equal((await bot.scan("Goi " + SCAM_PHONE)).verdict, "block");
    const rep = await bot.report({ kind: "phone", value: "0912 000 777" });
    const e = await bot.check(SCAM_PHONE).catch((x) => x);
    assert.ok(e instanceof RateLimited, String(e));
    assert.ok(e.retryAfter >= 1);
    assert.equal(e.headers["ratelimit-policy"], '"key";q=3;w=60');
    const analyst = new Client(svc.url, { apiKey: ANALYST_TOKEN });
    assert.equal((await analyst.request("GET", "/v1/admin/reports/" + rep.id)).reporter,
                 "js-bot");
    const wrong = new Client(svc.url, { apiKey: "not-a-key-000000000000", retries: 0 });
    const u = await wrong.check(SCAM_PHONE).catch((x) => x);
    assert.ok(u instanceof Unauthorized, String(u));
    assert.match(u.message, /API key/);
  });
});

describe("retries", () => {
  test("429 is retried after Retry-After", async () => {
    const svc = await start(["--report-rate", "1/s", "--report-burst", "2"]);
    /* Three different numbers: the same one again from the same address is the pending
       report (202 with its id), not a new one. */
    const once = new Client(svc.url, { retries: 0 });
    await once.report({ value: "0912000001" });
    await once.report({ value: "0912000002" });
    const e = await once.report({ value: "0912000003" }).catch((x) => x);
    assert.ok(e instanceof RateLimited);
    assert.ok(e.retryAfter >= 1);
    const events = [];
    const fx = new Client(svc.url, { retries: 3, onRetry: (ev) => events.push(ev) });
    assert.equal((await fx.report({ value: "0912000003" })).status, "pending");
    assert.ok(events.length >= 1);
    assert.ok(events[0].error instanceof RateLimited);
    assert.equal(events[0].attempt, 2);
    assert.ok(events[0].delay >= events[0].error.retryAfter * 1000);
    assert.equal(storedReports(svc).length, 3);
  });

  test("a Retry-After too long is not waited for", async () => {
    const svc = await start(["--report-rate", "1/h", "--report-burst", "1"]);
    const events = [];
    const fx = new Client(svc.url, { retries: 3, maxRetryAfter: 60,
                                     onRetry: (ev) => events.push(ev) });
    await fx.report({ value: SCAM_PHONE });
    const e = await fx.report({ value: SCAM_PHONE }).catch((x) => x);
    assert.ok(e instanceof RateLimited && e.retryAfter > 60);
    assert.deepEqual(events, []);
  });

  test("503 with Retry-After is retried, for lookups and reports", async () => {
    const { svc, held } = await holdTheOnlyConnection();
    try {
      const e = await new Client(svc.url, { retries: 0 }).check(SCAM_PHONE).catch((x) => x);
      assert.ok(e instanceof Unavailable, String(e));
      assert.ok(e.retryAfter >= 1, "every 503 says when to come back");
      const events = [];
      const fx = new Client(svc.url, { retries: 8, backoff: 100, onRetry: (ev) => {
        events.push(ev);
        held.destroy(); /* the connection is free again */
      } });
      assert.equal((await fx.check(SCAM_PHONE)).verdict, "scam");
      assert.ok(events[0].error instanceof Unavailable);
    } finally {
      held.destroy();
    }
  });

  test("timeouts: lookups are retried, a report never", async () => {
    const svc = await start(["--report-burst", "10"]);
    await freeze(svc.pid); /* the kernel still takes connections */
    try {
      const events = [];
      const fx = new Client(svc.url, { timeout: 300, retries: 1, backoff: 50,
                                       onRetry: (ev) => events.push(ev) });
      await assert.rejects(fx.check(SCAM_PHONE), Timeout);
      assert.equal(events.length, 1);
      assert.ok(events[0].error instanceof Timeout);
      await assert.rejects(fx.report({ value: SCAM_PHONE, description: "sent once" }), Timeout);
      assert.equal(events.length, 1);
    } finally {
      process.kill(svc.pid, "SIGCONT");
    }
    /* Why: the service, running again, reads the report and stores it. */
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && storedReports(svc).length === 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(storedReports(svc).map((x) => x.description), ["sent once"]);
  });

  test("refused connections are retried, even for reports", async () => {
    const url = "http://127.0.0.1:" + await freePort();
    const events = [];
    const fx = new Client(url, { retries: 2, backoff: 10, onRetry: (ev) => events.push(ev) });
    const e = await fx.check(SCAM_PHONE).catch((x) => x);
    assert.ok(e instanceof Unavailable && !(e instanceof Timeout));
    assert.equal(e.status, null);
    assert.equal(events.length, 2);
    await assert.rejects(fx.report({ value: SCAM_PHONE }), Unavailable);
    assert.equal(events.length, 4); /* nothing was sent: safe to try again */
    assert.equal(await fx.health(), false);
  });

  test("a signal cancels the call and its retries", async () => {
    const url = "http://127.0.0.1:" + await freePort();
    const ctl = new AbortController();
    const events = [];
    const fx = new Client(url, { retries: 5, backoff: 5000, onRetry: (ev) => {
      events.push(ev);
      ctl.abort(new Error("the bot is shutting down"));
    } });
    await assert.rejects(fx.check(SCAM_PHONE, { signal: ctl.signal }),
                         /the bot is shutting down/);
    assert.equal(events.length, 1);
  });
});

describe("batches and units", () => {
  test("batches are split to the service's limit", async () => {
    const svc = await start(["--max-batch", "10"]);
    const values = Array.from({ length: 25 }, (_, i) => "09100010" + String(i).padStart(2, "0"));
    const out = await new Client(svc.url, { batchSize: 10 }).checkBatch(values);
    assert.deepEqual(out.map((o) => o.query), values);
    const m = await metrics(svc);
    assert.equal(m['fraudidx_http_requests_total{route="/v1/check",method="POST",status="200"}'],
                 3);
    const e = await new Client(svc.url).checkBatch(values).catch((x) => x);
    assert.deepEqual([e.status, e.code], [413, "too_large"]);
  });

  test("Retry-After forms, options, names", () => {
    assert.equal(parseRetryAfter("7"), 7);
    assert.equal(parseRetryAfter(null), null);
    assert.equal(parseRetryAfter("soon"), null);
    const later = parseRetryAfter(new Date(Date.now() + 120000).toUTCString());
    assert.ok(later > 100 && later <= 120, String(later));
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
    assert.throws(() => new Client("ftp://x"), TypeError);
    assert.throws(() => new Client("http://x", { retries: -1 }), RangeError);
    assert.match(new Client().userAgent, new RegExp("^fraudidx-js/" + VERSION + " node/"));
    assert.ok(Timeout.prototype instanceof Unavailable);
    assert.equal(new Timeout("t").name, "Timeout");
  });
});
