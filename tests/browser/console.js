#!/usr/bin/env node
/* The analysts' console (issue 14; docs/CONSOLE.md) in a real browser: headless Chromium
 * (Debian's) driven by playwright-core, against the real fraudidx-service with a tokens file
 * and a data directory, through the whole workflow: sign in; three citizens' reports of one
 * number make one group; approve it as reported and the public check says `suspicious`;
 * reject another by keyboard; upload a CSV with a bad row (the preview names its line), then
 * confirm; search a value and see the load and the review in its history; delist and undo; a
 * reviewer sees no load or delist controls and its forged POST gets 403; a POST without the
 * CSRF token is refused; labels, keyboard, contrast, no request to another host, no script
 * error. Screenshots of the queue, search and dashboard (FIDX_SCREENSHOTS=docs refreshes the
 * ones in docs/). Run by ctest (label browser); plain node, no test framework.
 *
 * Exit 0 when every test passed, 1 when one failed, 77 when Chromium is not installed. */
"use strict";

const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const http = require("http");
const os = require("os");
const path = require("path");

const HERE = __dirname;
const SOURCE_DIR = process.env.FIDX_SOURCE_DIR || path.resolve(HERE, "..", "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SERVICE = process.env.FIDX_SERVICE;
const INDEXER = process.env.FIDX_INDEXER;

const ADMIN_TOKEN = "console-admin-token-0123456789";
const REVIEWER_TOKEN = "console-reviewer-token-0123456789";
const GROUP_PHONE = "0912 777 888"; /* reported three times, approved as reported */
const GROUP_CANON = "+84912777888";
const REJECT_PHONE = "0913 222 333"; /* reported once, rejected */
const NEW_PHONE = "0914 555 666"; /* loaded from the CSV, delisted, undone */
const NEW_CANON = "+84914555666";
const OTHER_PHONE = "0916 777 000"; /* reported twice while a dispute waits */
const HOTLINE = "1900 54 54 13"; /* Vietcombank's, allowlisted (data/allowlist.csv) */
const HOTLINE_CANON = "1900545413";
const CSV = "kind,value,status,categories,source\n" +
            "phone," + GROUP_PHONE + ",confirmed,impersonation,police\n" +
            "phone,12,confirmed,impersonation,police\n" + /* line 3: not a phone number */
            "phone," + NEW_PHONE + ",confirmed,investment,police\n";

function fail(msg) {
  console.error("console browser tests: " + msg);
  process.exit(1);
}

if (!fs.existsSync(CHROMIUM)) {
  console.log("console browser tests skipped: Chromium is not installed at " + CHROMIUM);
  process.exit(77);
}
if (!SERVICE || !INDEXER) {
  fail("FIDX_SERVICE and FIDX_INDEXER are not set: run these tests through ctest (label browser)");
}

function loadPlaywright() {
  try {
    return require("playwright-core");
  } catch (e) {
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, stdio: "inherit" });
    if (r.status !== 0) fail("npm ci failed in " + HERE);
    return require("playwright-core");
  }
}

/* ---- the service ---- */

function buildSnapshot(dir) {
  const sample = path.join(SOURCE_DIR, "data", "sample");
  const inputs = fs.readdirSync(sample).sort().map((f) => path.join(sample, f));
  inputs.push(path.join(SOURCE_DIR, "data", "allowlist.csv"));
  const out = path.join(dir, "sample.fidx");
  const r = spawnSync(INDEXER, ["build", "-o", out].concat(inputs), { encoding: "utf8" });
  if (r.status !== 0) fail("indexer build failed: " + r.stderr);
  return out;
}

function startService(snapshot, dir) {
  const tokens = path.join(dir, "tokens");
  fs.writeFileSync(tokens, "ana " + ADMIN_TOKEN + " analyst\nrevi " + REVIEWER_TOKEN + " reviewer\n",
                   { mode: 0o600 });
  return new Promise((resolve, reject) => {
    const args = ["--snapshot", snapshot, "--listen", "127.0.0.1:0", "--threads", "2",
                  "--data-dir", path.join(dir, "data"), "--tokens", tokens,
                  "--report-burst", "100", "--keep-log", "0"];
    const proc = spawn(SERVICE, args, { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    const timer = setTimeout(() => reject(new Error("the service did not start:\n" + log)), 15000);
    proc.stderr.on("data", (chunk) => {
      log += chunk.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m && !proc.port) {
        proc.port = Number(m[1]);
        clearTimeout(timer);
        resolve(proc);
      }
    });
    proc.log = () => log;
    proc.on("exit", (code) => {
      if (!proc.port) {
        clearTimeout(timer);
        reject(new Error("the service exited (" + code + "):\n" + log));
      }
    });
  });
}

/* A plain HTTP call from outside the browser: a citizen's report, a public check. */
function request(method, p, body, from) {
  return new Promise((resolve, reject) => {
    const data = body ? Buffer.from(JSON.stringify(body)) : null;
    const req = http.request({ host: "127.0.0.1", port: service.port, method, path: p,
                               localAddress: from || "127.0.0.1",
                               headers: data ? { "Content-Type": "application/json",
                                                 "Content-Length": data.length } : {} },
                             (res) => {
      let text = "";
      res.on("data", (c) => { text += c; });
      res.on("end", () => resolve({ status: res.statusCode, json: () => JSON.parse(text) }));
    });
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

async function citizenReport(value, from, description) {
  const r = await request("POST", "/v1/reports", { kind: "phone", value, category: "impersonation",
    description, channel: "call", date: "2026-11-30", amount_vnd: 2000000 }, from);
  assert(r.status === 202, "report not accepted: " + r.status);
  return r.json().id;
}

async function verdict(value) {
  const r = await request("GET", "/v1/check?q=" + encodeURIComponent(value));
  return r.json().verdict;
}

/* ---- a tiny harness ---- */

const tests = [];
function test(name, fn) { tests.push({ name, fn }); }
function assert(cond, msg) { if (!cond) throw new Error(msg); }

const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"];

let browser, base, shots, service;
const foreign = [];
const errors = [];

async function newPage(options) {
  const context = await browser.newContext(Object.assign({ viewport: { width: 1280, height: 900 } },
                                                         options || {}));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base + "/") || url.startsWith("blob:")) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push("page error on " + page.url() + ": " + e.message));
  page.on("console", (m) => {
    /* 401 (before sign-in) and 403 (the refusals these tests ask for) are logged by Chromium
     * for every such fetch: answers, not errors of the page. */
    if (m.type() === "error" && !/^Failed to load resource: .* status of (401|403) /.test(m.text())) {
      errors.push("console error on " + page.url() + ": " + m.text());
    }
  });
  return page;
}

async function signIn(page, token) {
  await page.goto(base + "/admin/");
  await page.waitForSelector("#token", { state: "visible" });
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await page.waitForSelector("#menu a");
}

async function screen(page, id, arg) {
  await page.evaluate((h) => { location.hash = h; }, id + (arg ? "/" + encodeURIComponent(arg) : ""));
  await page.waitForSelector("#menu-" + id + "[aria-current=page]");
}

/* The accessibility and contrast problems of what the page shows now. */
async function problems(page) {
  return page.evaluate(() => {
    const bad = [];
    const ids = new Set();
    for (const el of document.querySelectorAll("[id]")) {
      if (ids.has(el.id)) bad.push("duplicate id " + el.id);
      ids.add(el.id);
    }
    for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
      if (el.offsetParent && (!el.labels || !el.labels.length) && !el.getAttribute("aria-label"))
        bad.push("unlabelled " + (el.id || el.name));
    }
    for (const el of document.querySelectorAll("a, button")) {
      if (el.offsetParent && !el.textContent.trim() && !el.getAttribute("aria-label"))
        bad.push("a " + el.tagName + " without a name");
      if (el.tagName === "A" && !el.getAttribute("href")) bad.push("a link without href");
    }
    for (const el of document.querySelectorAll("[tabindex]")) {
      if (Number(el.getAttribute("tabindex")) > 0) bad.push("positive tabindex on " + el.id);
    }
    for (const el of document.querySelectorAll("[aria-labelledby]")) {
      for (const id of el.getAttribute("aria-labelledby").split(/\s+/)) {
        if (!document.getElementById(id)) bad.push("aria-labelledby names a missing #" + id);
      }
    }
    if (!document.documentElement.lang) bad.push("no lang on html");
    function rgb(c) {
      const m = c.match(/rgba?\(([^)]+)\)/);
      const v = m ? m[1].split(",").map(Number) : [0, 0, 0, 0];
      return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
    }
    function lum(c) {
      const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    }
    function background(el) {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    }
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest("svg")) continue; /* chart labels: checked by their fill below */
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
      const r = el.getBoundingClientRect();
      if (!own || r.width === 0 || r.height === 0) continue;
      const fg = rgb(getComputedStyle(el).color), bg = background(el);
      const l1 = lum(fg), l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      if (ratio < 4.5) bad.push("contrast " + ratio.toFixed(2) + " of " + el.tagName + "." + el.className +
                                " '" + el.textContent.trim().slice(0, 30) + "'");
    }
    for (const t of document.querySelectorAll("svg text")) {
      const fg = rgb(getComputedStyle(t).fill), bg = background(t.closest("svg"));
      const l1 = lum(fg), l2 = lum(bg);
      if ((Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05) < 4.5) bad.push("chart text contrast");
    }
    return bad;
  });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name), fullPage: true });
}

/* ---- the workflow ---- */

let admin; /* the analyst's page, signed in for the whole workflow */

test("sign in: the token is typed once and kept nowhere the page can read", async () => {
  admin = await newPage();
  await admin.goto(base + "/admin/");
  await admin.waitForSelector("#token", { state: "visible" });
  assert((await admin.getAttribute("html", "lang")) === "vi", "not Vietnamese by default");
  await admin.fill("#token", "not-the-token-000000000");
  await admin.press("#token", "Enter");
  await admin.waitForFunction(() => document.getElementById("signin-error").textContent.length > 0);
  await admin.fill("#token", ADMIN_TOKEN);
  await admin.click("#signin-button");
  await admin.waitForSelector("#menu a");
  const kept = await admin.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) +
                                          document.cookie + location.href +
                                          document.getElementById("token").value);
  assert(!kept.includes(ADMIN_TOKEN), "the token is kept by the page: " + kept);
  assert(!kept.includes("fidx_session"), "the session cookie is readable by scripts");
  assert((await admin.textContent("#who")).includes("ana"), "who is signed in is not shown");
});

test("three citizens' reports of one number are one group in the queue", async () => {
  for (let i = 2; i <= 4; i++) await citizenReport(GROUP_PHONE, "127.0.0." + i, "Gọi tự xưng công an lần " + i);
  await citizenReport(REJECT_PHONE, "127.0.0.5", "Tin nhắn quảng cáo");
  await screen(admin, "queue");
  await admin.click("#queue-reload");
  const group = admin.locator(".group[data-value='" + GROUP_CANON + "']");
  await group.waitFor();
  assert((await admin.locator(".group[data-value='" + GROUP_CANON + "']").count()) === 1, "not one group");
  const text = await group.textContent();
  assert(text.includes("3 báo cáo"), "the group does not count 3 reports: " + text);
  assert(text.includes(GROUP_PHONE), "the value as written is missing");
  assert(text.includes("Gọi tự xưng công an lần 2") && text.includes("cuộc gọi") && text.includes("2026-11-30"),
         "reporters' texts, channels or dates are missing: " + text);
  /* Most reported first. */
  const first = await admin.getAttribute(".group >> nth=0", "data-value");
  assert(first === GROUP_CANON, "the most reported group is not first: " + first);
  await shot(admin, "console-queue.png");
});

test("approve the group as reported with a reason: the public check says suspicious", async () => {
  assert((await verdict(GROUP_PHONE)) === "unknown", "listed before the review");
  const box = admin.locator(".group[data-value='" + GROUP_CANON + "']");
  const id = await box.getAttribute("id");
  await admin.selectOption("#" + id + "-action", "approve_reported");
  const explain = await admin.textContent("#" + id + "-explain");
  assert(explain.includes("đáng ngờ"), "the difference of reported and confirmed is not said: " + explain);
  await admin.click("#" + id + "-decide"); /* no reason: refused */
  await admin.waitForFunction((gid) => document.querySelector("#" + gid + " [role=alert]").textContent.length > 0, id);
  await admin.fill("#" + id + "-reason", "Ba người dân báo cùng một số");
  await admin.click("#" + id + "-decide");
  await admin.waitForSelector(".group[data-value='" + GROUP_CANON + "']", { state: "detached" });
  assert((await verdict(GROUP_PHONE)) === "suspicious", "the public check does not say suspicious");
});

test("reject another report from the keyboard", async () => {
  const box = admin.locator(".group").first();
  await box.waitFor();
  await admin.focus(".group >> nth=0");
  await admin.keyboard.press("x");
  const focused = await admin.evaluate(() => document.activeElement.id);
  assert(/-reason$/.test(focused), "x did not move to the reason: " + focused);
  await admin.keyboard.type("Tin quảng cáo, không phải lừa đảo");
  await admin.keyboard.press("Enter");
  await admin.waitForSelector("#queue-list >> text=Không có báo cáo nào đang chờ.");
  assert((await verdict(REJECT_PHONE)) === "unknown", "a rejected report listed its value");
});

test("a report of an official number is flagged in red", async () => {
  await citizenReport(HOTLINE, "127.0.0.6", "Gọi bảo tôi cập nhật tài khoản");
  await admin.click("#queue-reload");
  const box = admin.locator(".group[data-value='" + HOTLINE_CANON + "']");
  await box.waitFor();
  const flag = box.locator(".flag").first();
  assert((await flag.count()) === 1, "no flag on an allowlisted value");
  const colors = await flag.evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]);
  assert(colors[0] === "rgb(164, 22, 26)", "the flag is not red: " + colors);
  const id = await box.getAttribute("id");
  await admin.selectOption("#" + id + "-action", "reject");
  await admin.fill("#" + id + "-reason", "Số tổng đài chính thức của ngân hàng");
  await admin.click("#" + id + "-decide");
  await box.waitFor({ state: "detached" });
  assert((await verdict(HOTLINE)) === "safe", "the official number changed its verdict");
});

test("upload a CSV with a bad row: the preview names its line, then confirm", async () => {
  await screen(admin, "load");
  await admin.setInputFiles("#load-file", { name: "feed.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
  await admin.waitForSelector("#load-rejected");
  const line = await admin.textContent("#load-rejected tbody td");
  const reason = await admin.textContent("#load-rejected tbody td >> nth=1");
  assert(line === "3" && reason.includes("too short"), "the preview does not name line 3: " + line + " " + reason);
  assert((await admin.textContent("#preview-load_new")) === "1", "preview: not 1 new");
  assert((await admin.textContent("#preview-load_changed")) === "1", "preview: not 1 changed");
  assert((await verdict(NEW_PHONE)) === "unknown", "the preview wrote something");
  await admin.click("#load-confirm");
  await admin.waitForSelector("#load-done-title");
  assert((await verdict(NEW_PHONE)) === "scam", "the upload is not live");
  await admin.click("#load-audit-link");
  await admin.waitForSelector("#audit-rows tr");
  const audit = await admin.textContent("#audit-rows");
  assert(audit.includes("add") && audit.includes("ana"), "the load's audit line is not shown: " + audit);
});

test("search a value: its load and its review are in its history", async () => {
  await screen(admin, "search");
  await admin.fill("#search-q", GROUP_PHONE);
  await admin.press("#search-q", "Enter");
  await admin.waitForSelector("#entry-0");
  const text = await admin.textContent("#search-out");
  for (const part of ["approve", "add", "Ba người dân báo cùng một số", "ana", "police"]) {
    assert(text.includes(part), "the history lacks " + part + ": " + text.slice(0, 800));
  }
  await shot(admin, "console-search.png");
});

test("delist with a reason, then undo the delisting from the history", async () => {
  await screen(admin, "search", NEW_PHONE);
  await admin.waitForSelector("#d0-reason");
  await admin.fill("#d0-reason", "Số của một doanh nghiệp thật");
  await admin.click("#d0-delist");
  await admin.waitForFunction(() => !document.getElementById("d0-reason") && document.getElementById("entry-0"));
  assert((await verdict(NEW_PHONE)) === "unknown", "not delisted");
  const row = admin.locator("#search-out tr", { hasText: "delist" }).first();
  admin.once("dialog", (d) => d.accept("Gỡ nhầm"));
  await row.locator("button").click();
  await admin.waitForSelector("#d0-reason");
  assert((await verdict(NEW_PHONE)) === "scam", "the undo did not list it again");
});

test("a dispute of a listed value is on top of the queue, and upheld", async () => {
  for (let i = 7; i <= 8; i++) await citizenReport(OTHER_PHONE, "127.0.0." + i, "Lừa đầu tư lần " + i);
  const r = await request("POST", "/v1/reports", { kind: "phone", value: NEW_PHONE, type: "dispute",
    description: "Đây là số của cửa hàng tôi", contact: "chu-cua-hang@example.org" }, "127.0.0.9");
  assert(r.status === 202, "dispute not accepted: " + r.status);
  await screen(admin, "queue");
  await admin.click("#queue-reload");
  const first = admin.locator(".group").first();
  await first.waitFor();
  assert((await first.getAttribute("data-value")) === NEW_CANON,
         "the dispute of a listed value is not on top: " + (await first.getAttribute("data-value")));
  assert((await first.textContent()).includes("Khiếu nại về giá trị đang bị liệt kê"), "not flagged as urgent");
  const id = await first.getAttribute("id");
  await admin.focus("#" + id);
  await admin.keyboard.press("u");
  await admin.keyboard.type("Chủ cửa hàng gửi giấy phép kinh doanh");
  await admin.keyboard.press("Enter");
  await admin.locator(".group[data-value='" + NEW_CANON + "']").waitFor({ state: "detached" });
  assert((await verdict(NEW_PHONE)) === "unknown", "the upheld dispute did not delist the value");
});

test("a POST without the CSRF token is refused", async () => {
  const r = await admin.evaluate(async () => {
    const a = await fetch("/v1/admin/indicators", { method: "POST", headers: { "Content-Type": "text/csv" },
      body: "kind,value\nphone,0915 000 111\n" });
    const b = await fetch("/admin/session", { method: "DELETE" });
    return [a.status, (await a.json()).error.code, b.status];
  });
  assert(r[0] === 403 && r[1] === "csrf" && r[2] === 403, "not refused: " + r);
  assert((await verdict("0915 000 111")) === "unknown", "the forged upload was applied");
});

test("the dashboard draws its charts", async () => {
  await screen(admin, "dashboard");
  await admin.waitForSelector("figure svg rect");
  await admin.waitForFunction(() => /\d/.test(document.querySelector("#dash-lookups .big").textContent));
  const pending = await admin.textContent("#dash-pending .big");
  assert(pending === "2", "pending backlog (the two reports of OTHER_PHONE): " + pending);
  assert((await admin.locator("figure svg").count()) >= 2, "charts missing");
  await admin.waitForSelector("#dash-lookups svg");
  await shot(admin, "console-dashboard.png");
});

test("warnings: write, preview as citizens will read it, publish, its page, retract", async () => {
  await screen(admin, "warnings");
  await admin.click("#w-new");
  const title = "Giả danh công an gọi điện đòi chuyển tiền";
  await admin.fill("#w-title-vi", title);
  await admin.fill("#w-text-vi", "Đối tượng gọi điện tự xưng công an.\nYêu cầu chuyển tiền.");
  await admin.fill("#w-advice-vi", "Không chuyển tiền.");
  await admin.fill("#w-regions", "ha-noi, ha-tinh");
  await admin.fill("#w-indicators", "0912 345 670");
  await admin.fill("#w-issuer", "Công an TP Hà Nội");
  await admin.selectOption("#w-severity", "high");
  await admin.click("#w-preview-button");
  const preview = await admin.innerText("#w-preview");
  assert(preview.includes(title) && preview.includes("Công an TP Hà Nội") &&
         preview.includes("0912 345 670"), "the preview: " + preview);
  await shot(admin, "console-warning-preview.png");
  await admin.click("#w-publish");
  const item = admin.locator("#w-list li", { hasText: title });
  await item.waitFor();
  assert((await item.innerText()).includes("Đã đăng"), "not published: " + (await item.innerText()));
  const id = (await item.getAttribute("id")).replace("w-item-", "");
  /* The citizens' page of it, and the public list. */
  const citizen = await newPage();
  await citizen.goto(base + "/warnings/" + id);
  assert((await citizen.innerText("h1")) === title, "its page");
  await citizen.context().close();
  await admin.fill("#w-reason-" + id, "Nhầm số điện thoại");
  await admin.press("#w-reason-" + id, "Enter");
  await admin.locator("#w-list li", { hasText: "Đã rút lại" }).waitFor();
  const pub = await (await fetch(base + "/v1/warnings")).json();
  assert(pub.warnings[0].id === id && pub.warnings[0].state === "retracted" &&
         pub.warnings[0].reason === "Nhầm số điện thoại", JSON.stringify(pub.warnings[0]));
});

test("every screen: controls labelled, contrast AA, in both languages", async () => {
  const all = [];
  for (const lang of ["vi", "en"]) {
    for (const id of ["queue", "search", "load", "dashboard", "audit", "warnings"]) {
      await screen(admin, id, id === "search" ? GROUP_PHONE : "");
      await admin.waitForTimeout(300);
      if (id === "dashboard") await admin.waitForSelector("figure svg");
      if (id === "search") await admin.waitForSelector("#entry-0");
      all.push(...(await problems(admin)).map((p) => lang + " " + id + ": " + p));
    }
    await admin.click("#lang");
  }
  assert((await admin.getAttribute("html", "lang")) === "vi", "the switch did not come back");
  assert(all.length === 0, all.join("\n"));
});

test("the English switch", async () => {
  await admin.click("#lang");
  await admin.waitForSelector("#menu-queue >> text=Review queue");
  assert((await admin.getAttribute("html", "lang")) === "en", "lang is not en");
  await admin.click("#lang");
});

test("the menu and forms work from the keyboard alone", async () => {
  await screen(admin, "dashboard");
  await admin.focus("#menu-search");
  await admin.keyboard.press("Enter");
  await admin.waitForSelector("#menu-search[aria-current=page]");
  await admin.focus("#search-q");
  await admin.keyboard.type(NEW_PHONE);
  await admin.keyboard.press("Enter");
  await admin.waitForSelector("#entry-0");
});

test("a reviewer sees no load or delist controls, and its forged POST gets 403", async () => {
  const page = await newPage({ viewport: { width: 820, height: 1180 } }); /* a tablet */
  await signIn(page, REVIEWER_TOKEN);
  const menu = await page.textContent("#menu");
  assert(!menu.includes("Nạp"), "the reviewer's menu offers loading: " + menu);
  await screen(page, "search", NEW_PHONE);
  await page.waitForSelector("#entry-0");
  assert((await page.locator("#d0-delist, #e0-save, [id^=undo-]").count()) === 0,
         "the reviewer sees load or delist controls");
  const r = await page.evaluate(async () => {
    const me = await (await fetch("/admin/session")).json();
    const a = await fetch("/v1/admin/indicators", { method: "POST",
      headers: { "Content-Type": "text/csv", "X-CSRF-Token": me.csrf }, body: "kind,value\nphone,0915 000 222\n" });
    return [a.status, (await a.json()).error.code];
  });
  assert(r[0] === 403 && r[1] === "forbidden", "the forged load was not refused: " + r);
  assert((await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)),
         "the console does not fit a tablet's width");
  await page.context().close();
});

test("sign out ends the session", async () => {
  await admin.click("#signout");
  await admin.waitForSelector("#token", { state: "visible" });
  const s = await admin.evaluate(async () => (await fetch("/v1/admin/status")).status);
  assert(s === 401, "the session still works after sign-out: " + s);
  await admin.context().close();
});

test("no request to another host", async () => {
  assert(foreign.length === 0, "requests to other hosts: " + foreign.join(", "));
});

test("no script error", async () => {
  assert(errors.length === 0, errors.join("\n"));
});

/* ---- run ---- */

async function main() {
  const { chromium } = loadPlaywright();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fidx-console-"));
  const snapshot = buildSnapshot(tmp);
  shots = process.env.FIDX_SCREENSHOTS ? path.resolve(SOURCE_DIR, process.env.FIDX_SCREENSHOTS)
                                       : path.join(os.tmpdir(), "fidx-console-screenshots");
  fs.mkdirSync(shots, { recursive: true });
  service = await startService(snapshot, tmp);
  base = "http://127.0.0.1:" + service.port;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  let passed = 0, failed = 0;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    try {
      await t.fn();
      passed++;
      console.log("ok " + (i + 1) + " - " + t.name);
    } catch (e) {
      failed++;
      console.log("not ok " + (i + 1) + " - " + t.name + "\n  " + String(e && e.stack || e).split("\n").join("\n  "));
    }
  }
  await browser.close();
  service.kill("SIGTERM");
  await new Promise((r) => service.on("exit", r));
  if (/Sanitizer|runtime error:/.test(service.log())) {
    failed++;
    console.log("not ok - a sanitizer fired in the service:\n" + service.log());
  }
  console.log("screenshots in " + shots);
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  console.log(passed + " passed, " + failed + " failed");
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e && e.stack || e);
  if (service) service.kill("SIGKILL");
  process.exit(1);
});
