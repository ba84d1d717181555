#!/usr/bin/env node
/* The citizens' page in a real browser: headless Chromium (Debian's) driven by playwright-core,
 * against the real fraudidx-service serving the sample snapshot (data/sample + the allowlist,
 * indexed here with the real indexer). Run by ctest (label browser); plain node, no test
 * framework.
 *
 * Environment: FIDX_SERVICE, FIDX_INDEXER (the binaries), FIDX_SOURCE_DIR (the repository),
 * CHROMIUM (default /usr/bin/chromium), FIDX_SCREENSHOTS (where screenshots go; default a
 * temporary directory; `docs` to refresh the ones the README shows), FIDX_BROWSER_ONLY (a
 * regular expression: only the tests whose name matches).
 *
 * Exit 0 when every test passed, 1 when one failed, 77 (ctest: skipped) when Chromium is not
 * installed. The npm dependencies are installed (npm ci) when missing. */
"use strict";

const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const HERE = __dirname;
const SOURCE_DIR = process.env.FIDX_SOURCE_DIR || path.resolve(HERE, "..", "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SERVICE = process.env.FIDX_SERVICE;
const INDEXER = process.env.FIDX_INDEXER;
/* FIDX_BROWSER_ONLY=REGEX runs only the tests whose name matches (while working on them). */
const ONLY = process.env.FIDX_BROWSER_ONLY ? new RegExp(process.env.FIDX_BROWSER_ONLY) : null;

const SCAM_PHONE = "0910 001 001"; /* confirmed, police (data/sample/indicators.csv) */
const UNKNOWN_PHONE = "0911 111 111";
const HOTLINE = "1900 54 54 13"; /* Vietcombank's, allowlisted (data/allowlist.csv) */
const SCAM_ACCOUNT = "0000 1000 2001"; /* Vietcombank, confirmed */
const REPORT_BURST = 3;
/* The SMS of issue 15: a confirmed scam number and a confirmed scam account. */
const SMS = "Cán bộ công an gọi 0910.001.001, chuyển tiền vào STK Vietcombank 0000 1000 2001 " +
            "để xác minh.\nKhông chuyển sẽ bị khởi tố.";
/* Both look-alike shapes of issue 15, and the real site. */
const FAKE_SITES = ["https://vietcombank.com.vn.xac-minh.top/login", "vietcombank-xacminh.top"];
const REAL_SITE = "https://vietcombank.com.vn/";
const OPERATOR = "Nhóm thử nghiệm fraudidx";
const OPERATOR_URL = "https://example.org/lien-he";
const SIZES = [{ width: 360, height: 800 }, { width: 1280, height: 800 }];
/* What each language says, for the tests that run in both. */
const WORDS = {
  vi: { scam: "LỪA ĐẢO", msgScam: "Tin nhắn này chứa số điện thoại và số tài khoản ngân hàng lừa đảo",
        owner: "kênh chính thức của: Vietcombank — tổng đài chính thức", fake: "Giả mạo trang web chính thức",
        real: "Trang web thật", updated: "Dữ liệu cập nhật lúc", runs: "Trang này do " + OPERATOR + " vận hành",
        copied: "Đã chép lời cảnh báo", plainAccount: "Vietcombank · 0000 1000 2001" },
  en: { scam: "SCAM", msgScam: "This message contains a phone number and a bank account confirmed as a scam",
        owner: "an official channel of: Vietcombank — tổng đài chính thức", fake: "Imitates the official website",
        real: "The real website", updated: "Data updated at", runs: "This page is run by " + OPERATOR,
        copied: "The warning and its link are copied", plainAccount: "Vietcombank · 0000 1000 2001" },
};

function fail(msg) {
  console.error("browser tests: " + msg);
  process.exit(1);
}

if (!fs.existsSync(CHROMIUM)) {
  console.log("browser tests skipped: Chromium is not installed at " + CHROMIUM +
              " (apt-get install chromium, or `make deps`)");
  process.exit(77);
}
if (!SERVICE || !INDEXER) {
  fail("FIDX_SERVICE and FIDX_INDEXER are not set: run these tests through ctest (label browser)");
}

function loadPlaywright() {
  try {
    require.resolve("axe-core/axe.min.js"); /* the accessibility engine the warnings' pages use */
    return require("playwright-core");
  } catch (e) {
    console.log("installing the npm dependencies (npm ci) in " + HERE);
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, stdio: "inherit" });
    if (r.status !== 0) {
      fail("npm ci failed in " + HERE + (r.error ? ": " + r.error.message : ""));
    }
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
  if (r.status !== 0) {
    fail("indexer build failed: " + r.stderr);
  }
  return out;
}

/* The service the tests use (the rate limit they test: REPORT_BURST reports per address), or,
 * with args, one of other flags. */
function startService(snapshot, dataDir, args) {
  return new Promise((resolve, reject) => {
    args = ["--snapshot", snapshot, "--listen", "127.0.0.1:0", "--threads", "2",
            "--data-dir", dataDir].concat(args || ["--report-rate", "1/h", "--report-burst",
                                                   String(REPORT_BURST), "--operator-name",
                                                   OPERATOR, "--operator-url", OPERATOR_URL,
                                                   /* a loaded machine reads a picture slowly:
                                                    * the tests judge what is read, not when */
                                                   "--image-timeout", "300"]);
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

/* ---- a tiny harness ---- */

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

function assert(cond, msg) {
  if (!cond) {
    throw new Error(msg);
  }
}

function assertIncludes(text, part, what) {
  assert(text.includes(part), (what || "text") + " does not contain " + JSON.stringify(part) +
         ":\n" + text.slice(0, 600));
}

/* ---- helpers on a page ---- */

const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"];

let browser, base, shots, service, dataDir;
/* A second service without a rate limit, with an analysts' token: reports and disputes in
 * every size, language and mode, decided by the test as an analyst would. */
let follow, followBase, followData;
const ADMIN_TOKEN = "browser-admin-token-0123456789abcdef";
const foreign = []; /* requests to any other host */
const errors = []; /* script errors and console errors, from every page */

async function newPage(options) {
  const context = await browser.newContext(Object.assign({ viewport: { width: 1000, height: 900 } },
                                                         options || {}));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base + "/") || (followBase && url.startsWith(followBase + "/"))) {
      return route.continue();
    }
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push("page error on " + page.url() + ": " + e.message));
  page.on("console", (m) => {
    /* Chromium logs every 4xx answer to a fetch; 400 (a value that is not read) and 429 (the
     * rate limit) are answers these tests ask for, not errors of the page; so is the 404 of a
     * report's status page for an id the service does not hold (the page itself, not a file). */
    const asked = /^Failed to load resource: .* status of (400|429) /.test(m.text()) ||
      (/^Failed to load resource: .* status of 404 /.test(m.text()) &&
       /^\/report\/r[0-9]+$/.test(new URL(m.location().url || "http://x/").pathname));
    if (m.type() === "error" && !asked) {
      errors.push("console error on " + page.url() + ": " + m.text());
    }
  });
  return page;
}

async function closePage(page) {
  await page.context().close();
}

async function verdictOf(page) {
  const section = page.locator("#result > [data-verdict]");
  await section.waitFor({ timeout: 10000 });
  return section.getAttribute("data-verdict");
}

/* Checks value with the form as a person would (Enter in the field) and waits for the new
 * answer to be in place with the focus on its heading; returns its verdict. */
async function check(page, value) {
  await page.evaluate(() => {
    const old = document.querySelector("#result > [data-verdict]");
    if (old) old.setAttribute("data-stale", "1");
  });
  await page.fill("#q", value);
  await page.press("#q", "Enter");
  await page.waitForFunction(() => {
    const s = document.querySelector("#result > [data-verdict]:not([data-stale])");
    return s && document.activeElement && document.activeElement.id === "result-h";
  }, null, { timeout: 10000 });
  return verdictOf(page);
}

/* The page from its top to the end of the answer. */
async function shot(page, name) {
  const file = path.join(shots, name);
  await page.evaluate(() => window.scrollTo(0, 0)); /* boxes are measured from the top */
  const box = await page.locator("#result").boundingBox();
  const width = page.viewportSize().width;
  await page.screenshot({ path: file, fullPage: true,
                          clip: { x: 0, y: 0, width, height: Math.ceil(box.y + box.height) } });
  return file;
}

function reportsInStore(dir) {
  const file = path.join(dir || dataDir, "reports.jsonl");
  if (!fs.existsSync(file)) {
    return [];
  }
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/* ---- the tests ---- */

test("a confirmed scam shows the warning, in Vietnamese by default, answered in place",
     async () => {
  const page = await newPage();
  await page.goto(base + "/");
  assert((await page.getAttribute("html", "lang")) === "vi", "the page is not in Vietnamese");
  assert((await check(page, SCAM_PHONE)) === "scam", "not called a scam");
  const text = await page.innerText("#result");
  assertIncludes(text, "Đã được xác nhận là lừa đảo", "the answer");
  assertIncludes(text.toUpperCase(), "LỪA ĐẢO", "the badge");
  assertIncludes(text, "Giả danh công an", "the categories in words");
  assertIncludes(text, "gọi 113", "what to do");
  assert(/\d+ lần, từ ngày \d\d\/\d\d\/\d{4}/.test(text), "no count and dates: " + text);
  assert(new URL(page.url()).pathname === "/check", "the address does not show the question");
  assert((await page.title()).startsWith("Lừa đảo: "), "title: " + (await page.title()));
  await shot(page, "screenshot-scam-vi.png");
  await closePage(page);
});

test("an unknown number is not called a scam, nor safe", async () => {
  const page = await newPage();
  await page.goto(base + "/");
  assert((await check(page, UNKNOWN_PHONE)) === "unknown", "verdict is not unknown");
  const text = await page.innerText("#result");
  assertIncludes(text, "Không có trong cơ sở dữ liệu — điều này KHÔNG có nghĩa là an toàn");
  assert(!text.includes("Đã được xác nhận là lừa đảo"), "an unknown number called a scam");
  assert(!/chính thức/i.test(await page.innerText("#result h2")), "an unknown number called official");
  await closePage(page);
});

test("the English switch is remembered; an allowlisted hotline shows as official", async () => {
  const page = await newPage();
  await page.goto(base + "/");
  await page.click("#lang-switch");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assertIncludes(await page.innerText("h1"), "Is this number, account or link a scam?");
  assert((await check(page, HOTLINE)) === "safe", "the hotline is not official");
  const text = await page.innerText("#result");
  assertIncludes(text, "On the list of official numbers and websites", "the answer");
  assertIncludes(text.toUpperCase(), "OFFICIAL", "the badge");
  assertIncludes(text, "scammers can fake the number", "the caution");
  await shot(page, "screenshot-official-en.png");
  /* An address that names no language opens in the remembered one. */
  await page.goto(base + "/");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert(page.url().includes("lang=en"), "not reloaded in English: " + page.url());
  /* And back. */
  await page.click("#lang-switch");
  await page.waitForFunction(() => document.documentElement.lang === "vi");
  await page.goto(base + "/");
  assert((await page.getAttribute("html", "lang")) === "vi", "Vietnamese not remembered");
  await closePage(page);
});

test("a bank chosen from the list and the kind chosen by hand", async () => {
  const page = await newPage();
  await page.goto(base + "/");
  await page.click(".more summary");
  await page.selectOption("#bank", "970436");
  assert((await check(page, SCAM_ACCOUNT)) === "scam", "the Vietcombank account is not a scam");
  assertIncludes(await page.innerText("#result"), "Vietcombank · 0000 1000 2001", "plain words");
  /* The technical form is behind "Chi tiết". */
  assert(!(await page.innerText("#result")).includes("970436:000010002001"), "jargon in view");
  await page.click("#result details.tech summary");
  assertIncludes(await page.innerText("#result"), "970436:000010002001", "the details");
  await page.selectOption("#bank", "");
  await page.selectOption("#kind", "phone");
  assert((await check(page, "12")) === "invalid", "a two-digit phone was accepted");
  assertIncludes(await page.innerText("#result"), "Số này ngắn hơn một số điện thoại");
  await closePage(page);
});

test("the report form sends, validates in place, and is rate-limited", async () => {
  const page = await newPage();
  await page.goto(base + "/");
  const before = reportsInStore().length;
  /* A value that does not read as anything: marked, not sent, no allowance used. */
  await page.fill("#r-value", "không phải số");
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#r-value[aria-invalid=true]");
  assertIncludes(await page.innerText("#report-status"), "Chưa gửi được");
  assert(await page.evaluate(() => document.activeElement.id === "r-value"), "focus not on the field");
  /* A real one. */
  await page.selectOption("#r-kind", "phone");
  await page.fill("#r-value", "0987 000 111");
  await page.selectOption("#r-category", "impersonation");
  await page.fill("#r-description", "Gọi tự xưng công an, bảo chuyển tiền để xác minh.");
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#report-status .notice.ok");
  const ok = await page.innerText("#report-status");
  assertIncludes(ok, "Cảm ơn bạn!");
  const id = /mã (r[0-9a-f]{28})/.exec(ok);
  assert(id, "no reference in: " + ok);
  const stored = reportsInStore();
  assert(stored.length === before + 1, "not stored");
  const last = stored[stored.length - 1];
  assert(last.id === id[1] && last.value === "+84987000111" && last.category === "impersonation",
         "stored wrongly: " + JSON.stringify(last));
  assert((await page.inputValue("#r-value")) === "", "the form was not cleared");
  /* Until the allowance is used up (the other tests send the rest of it). */
  let limited = "";
  for (let i = 0; i < REPORT_BURST + 1 && !limited; i++) {
    await page.fill("#r-value", "0987 000 11" + i);
    await page.click("#report-form button[type=submit]");
    await page.waitForSelector("#report-status .notice:not(.pending)");
    const t = await page.innerText("#report-status");
    if (t.includes("thử lại sau")) {
      limited = t;
    }
  }
  assertIncludes(limited, "Vui lòng thử lại sau khoảng 60 phút", "the rate limit message");
  await closePage(page);
});

test("without JavaScript: the plain forms and server-rendered pages", async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(base + "/?lang=en");
  await page.fill("#q", SCAM_PHONE);
  await Promise.all([page.waitForNavigation(), page.click("#check-form button[type=submit]")]);
  assert(new URL(page.url()).pathname === "/check", "no page load: " + page.url());
  assert((await verdictOf(page)) === "scam", "no verdict on the server-rendered page");
  assertIncludes(await page.innerText("#result"), "Confirmed as a scam");
  /* "Report this number" leads to the prefilled form. */
  await Promise.all([page.waitForNavigation(), page.click("#report-this")]);
  assert((await page.inputValue("#r-value")) === SCAM_PHONE, "the report form is not prefilled");
  await page.fill("#r-description", "Called twice.");
  await Promise.all([page.waitForNavigation(), page.click("#report-form button[type=submit]")]);
  const status = await page.innerText("#report-status");
  assert(status.includes("Thank you!") || status.includes("You have sent many reports"),
         "no outcome after the plain form: " + status);
  await closePage(page);
});

test("fits a 360 px wide screen without sideways scrolling", async () => {
  const page = await newPage({ viewport: { width: 360, height: 780 }, isMobile: true,
                               hasTouch: true, deviceScaleFactor: 2 });
  for (const url of ["/", "/check?q=" + encodeURIComponent(SCAM_PHONE),
                     "/check?q=" + "https://very-long-host-name.example/" + "a".repeat(300),
                     "/report?kind=phone&value=0912345678",
                     "/dispute?kind=url&value=https://very-long-host-name.example/" + "a".repeat(300),
                     "/report/r0000000000000000000000000000"]) {
    await page.goto(base + url);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 360, url + " is " + width + " px wide");
  }
  /* What a phone shows once the answer is in: its first screen. */
  await page.goto(base + "/check?q=" + encodeURIComponent(SCAM_PHONE));
  await page.evaluate(() => document.getElementById("result").scrollIntoView());
  await page.screenshot({ path: path.join(shots, "screenshot-360.png") });
  await closePage(page);
});

test("labels, keyboard and visible focus", async () => {
  const page = await newPage();
  /* The address of an answer opens with the answer's heading focused. */
  await page.goto(base + "/check?q=" + encodeURIComponent(SCAM_PHONE));
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "result-h");
  await page.goto(base + "/");
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
      .filter((el) => !el.labels || el.labels.length === 0).map((el) => el.id || el.name));
  assert(unlabelled.length === 0, "fields without a label: " + unlabelled.join(", "));
  /* The first Tab reaches the skip link, and it leads to the main content. */
  await page.keyboard.press("Tab");
  assert(await page.evaluate(() => document.activeElement.classList.contains("skip")),
         "the first Tab does not reach the skip link");
  /* Every focused control shows an outline. */
  await page.focus("#q");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle + " " + s.outlineWidth;
  });
  assert(/^solid [3-9]/.test(outline), "no visible focus on the input: " + outline);
  /* The check works from the keyboard alone (Enter checks; Shift+Enter is a new line). */
  await page.fill("#q", "");
  await page.keyboard.type(UNKNOWN_PHONE);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "result-h");
  assert((await verdictOf(page)) === "unknown", "keyboard check failed");
  await closePage(page);
});

test("text contrast meets WCAG AA", async () => {
  const page = await newPage();
  const low = [];
  for (const q of [SCAM_PHONE, UNKNOWN_PHONE, HOTLINE, "0700.001.003", SMS, FAKE_SITES[0],
                   "bit.ly/x", SMS + " 1900 54 54 13 0911 111 111 0700.001.003"]) {
    await page.goto(base + "/check?q=" + encodeURIComponent(q));
    await page.$$eval("details", (ds) => ds.forEach((d) => { d.open = true; }));
    low.push(...await page.evaluate(() => {
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
      const bad = [];
      const seen = new Set();
      for (const el of document.querySelectorAll("body *")) {
        const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
        const r = el.getBoundingClientRect();
        if (!own || r.width === 0 || r.height === 0) continue;
        const fg = rgb(getComputedStyle(el).color), bg = background(el);
        const l1 = lum(fg), l2 = lum(bg);
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        const key = el.tagName + "." + el.className;
        if (ratio < 4.5 && !seen.has(key)) {
          seen.add(key);
          bad.push(key + " " + ratio.toFixed(2) + " '" + el.textContent.trim().slice(0, 30) + "'");
        }
      }
      return bad;
    }));
  }
  assert(low.length === 0, "low contrast: " + low.join("; "));
  await closePage(page);
});


/* ---- issue 15: whole messages, named owners, look-alikes, plain words, trust ---- */

/* A page of the given size in the given language (the language is chosen by its address). */
async function pageIn(lang, size, options) {
  const page = await newPage(Object.assign({ viewport: size }, size.width < 600 ?
    { isMobile: true, hasTouch: true } : {}, options || {}));
  await page.goto(base + "/?lang=" + lang);
  return page;
}

/* The answer's heading is on the screen, at least its first line, and has the focus. */
async function assertAnswerInView(page, what) {
  const where = await page.evaluate(() => {
    const h = document.getElementById("result-h");
    const r = h.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: window.innerHeight,
             focused: document.activeElement === h };
  });
  assert(where.focused, what + ": the answer's heading has not the focus");
  assert(where.top >= 0 && where.top < where.height - 40,
         what + ": the answer is not in view (its heading at " + where.top + " of " +
         where.height + " px)");
}

for (const lang of ["vi", "en"]) {
  for (const size of SIZES) {
    const at = lang + " " + size.width + "x" + size.height;

    test("the pasted SMS shows both indicators with verdict scam (" + at + ")", async () => {
      const page = await pageIn(lang, size);
      assert((await check(page, SMS)) === "scam", "the message is not called a scam");
      await assertAnswerInView(page, "the message");
      const text = await page.innerText("#result");
      assertIncludes(text, WORDS[lang].msgScam, "the message's answer");
      const marks = await page.$$eval("#result mark", (ms) => ms.map((m) => m.className + " " + m.textContent));
      assert(marks.includes("m-scam 0910.001.001") && marks.includes("m-scam 0000 1000 2001"),
             "the indicators are not highlighted as scams: " + JSON.stringify(marks));
      const found = await page.$$eval("#result .found", (ls) => ls.map((l) => l.dataset.verdict));
      assert(found.length === 2 && found.every((v) => v === "scam"), "found: " + found);
      assertIncludes(text, WORDS[lang].plainAccount, "the account in plain words");
      /* Each badge after a highlight says the verdict in words (colour is not the only sign). */
      assert((await page.$$eval("#result .mark-v", (b) => b.length)) === 2, "no words by the marks");
      if (size.width === 360 && lang === "vi") {
        await page.screenshot({ path: path.join(shots, "screenshot-message-360.png") });
      }
      await closePage(page);
    });

    test("the official hotline names its bank (" + at + ")", async () => {
      const page = await pageIn(lang, size);
      assert((await check(page, HOTLINE)) === "safe", "the hotline is not official");
      await assertAnswerInView(page, "the hotline");
      assertIncludes(await page.innerText("#result"), WORDS[lang].owner, "the owner");
      await closePage(page);
    });

    test("both look-alike shapes answer suspicious; the real site stays safe (" + at + ")",
         async () => {
      const page = await pageIn(lang, size);
      for (const site of FAKE_SITES) {
        assert((await check(page, site)) === "suspicious", site + " is not suspicious");
        await assertAnswerInView(page, site);
        const text = await page.innerText("#result");
        assertIncludes(text, WORDS[lang].fake, site);
        assertIncludes(text, WORDS[lang].real, site);
        assert((await page.getAttribute("#result > [data-verdict]", "data-reason")) === "imitates",
               site + ": no reason");
      }
      if (size.width === 1280 && lang === "en") {
        await shot(page, "screenshot-lookalike-en.png");
      }
      assert((await check(page, REAL_SITE)) === "safe", "the real site is not safe");
      assert((await check(page, "https://bit.ly/3xYz")) === "unknown", "a short link judged");
      assert((await page.getAttribute("#result > [data-verdict]", "data-reason")) === "shortener",
             "the short link is not said to be one");
      await closePage(page);
    });

    test("the page says when its data was updated and who runs it (" + at + ")", async () => {
      const page = await pageIn(lang, size);
      const foot = await page.innerText("footer");
      assertIncludes(foot, WORDS[lang].updated, "the footer");
      assertIncludes(foot, WORDS[lang].runs, "the footer");
      assert((await page.getAttribute("footer .operator a", "href")) === OPERATOR_URL, "no link");
      assert((await check(page, SCAM_PHONE)) === "scam", "not a scam");
      assertIncludes(await page.innerText("#result"), WORDS[lang].updated, "the answer");
      await closePage(page);
    });
  }
}

test("no English on the Vietnamese page for an invalid value", async () => {
  const page = await newPage();
  /* English words that would show a message was not translated (the page's own Vietnamese
   * has none of them). */
  const english = /\b(the|is|not|cannot|tell|kind|value|phone|number|too|short|long|letters|allowed|digits|account|starts|with|must|invalid|missing|malformed)\b/i;
  const cases = [["12", "phone"], ["0912 34", "phone"], ["abc", "bank_account"],
                 ["ab@@cd", "email"], ["hello", ""], ["http://", "url"]];
  for (const [value, kind] of cases) {
    await page.goto(base + "/?lang=vi");
    if (kind) {
      await page.click(".more summary");
      await page.selectOption("#kind", kind);
    }
    assert((await check(page, value)) === "invalid", value + " was accepted");
    await page.$$eval("details", (ds) => ds.forEach((d) => { d.open = true; }));
    /* The warnings' province list names places ("Vĩnh Long"): not words of a message. */
    await page.evaluate(() => document.getElementById("warnings")?.remove());
    const text = await page.innerText("main");
    const m = english.exec(text.replace(/https?:\S+/g, ""));
    assert(!m, value + " (" + kind + "): English on the Vietnamese page: '" + (m && m[0]) +
           "' in:\n" + text.slice(0, 800));
  }
  /* The report form's refusal, answered in place, likewise. */
  await page.goto(base + "/?lang=vi");
  await page.selectOption("#r-kind", "phone");
  await page.fill("#r-value", "12");
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#report-status .notice:not(.pending)");
  const form = await page.innerText("#report");
  assert(!/too short|phone number/.test(form), "English in the report form: " + form);
  await closePage(page);
});

test("the share button shares (Web Share API) or copies the warning with its link", async () => {
  /* Copying: Chromium headless has no Web Share API. */
  const page = await newPage({ viewport: SIZES[1] });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await page.goto(base + "/");
  assert((await check(page, SCAM_PHONE)) === "scam", "not a scam");
  await page.click("#share");
  await page.waitForFunction(() => document.getElementById("share-status").textContent !== "");
  assertIncludes(await page.innerText("#share-status"), WORDS.vi.copied, "the status");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assertIncludes(copied, "0910 001 001", "the copied warning");
  assertIncludes(copied, "đã được xác nhận là lừa đảo", "the copied warning");
  assertIncludes(copied, base + "/check?kind=phone&q=0910%20001%20001", "the copied link");
  await closePage(page);
  /* Sharing, where the browser offers it (a phone): what the page hands to navigator.share. */
  const phone = await newPage({ viewport: SIZES[0], isMobile: true, hasTouch: true });
  await phone.addInitScript(() => {
    window.__shared = [];
    navigator.share = (data) => { window.__shared.push(data); return Promise.resolve(); };
  });
  await phone.goto(base + "/?lang=en");
  assert((await check(phone, SMS)) === "scam", "not a scam");
  await phone.click("#share");
  const shared = await phone.evaluate(() => window.__shared);
  assert(shared.length === 1, "navigator.share not called: " + JSON.stringify(shared));
  assertIncludes(shared[0].text, "Scam warning: 0910 001 001 is confirmed as a scam", "the text");
  assert(shared[0].url.startsWith(base + "/check?kind=phone&q=%2B84910001001"), "url " + shared[0].url);
  /* A warning only: none under an unknown value. */
  await check(phone, UNKNOWN_PHONE);
  assert((await phone.$$("#share")).length === 0, "a share button under an unknown number");
  await closePage(phone);
});

test("without JavaScript: a pasted message is answered whole", async () => {
  const page = await newPage({ javaScriptEnabled: false, viewport: SIZES[0] });
  await page.goto(base + "/");
  await page.fill("#q", SMS);
  await Promise.all([page.waitForNavigation(), page.click("#check-form button[type=submit]")]);
  assert((await verdictOf(page)) === "scam", "no verdict on the server-rendered page");
  assert((await page.getAttribute("#result > [data-verdict]", "data-kind")) === "message", "not a message");
  assert((await page.$$eval("#result .found", (l) => l.length)) === 2, "not both indicators");
  /* The page is scrolled to the answer (#result) and its heading has the focus (autofocus). */
  assert(page.url().endsWith("#result"), "the answer is not the page's target: " + page.url());
  const top = await page.evaluate(() => document.getElementById("result").getBoundingClientRect().top);
  assert(top >= 0 && top < 100, "the answer is not at the top: " + top);
  await closePage(page);
});

test("accessibility checks: landmarks, names, roles, references, contrast", async () => {
  const page = await newPage();
  const urls = ["/", "/check?q=" + encodeURIComponent(SMS), "/check?q=" + encodeURIComponent(HOTLINE),
                "/check?q=" + encodeURIComponent(FAKE_SITES[1]) + "&lang=en",
                "/check?q=bit.ly%2Fx", "/check?q=12&kind=phone", "/report?kind=phone&value=1",
                "/dispute?kind=phone&value=0910001001", "/report/r0000000000000000000000000000"];
  const problems = [];
  for (const url of urls) {
    await page.goto(base + url);
    problems.push(...(await page.evaluate(() => {
      const bad = [];
      const ids = new Set();
      for (const el of document.querySelectorAll("[id]")) {
        if (ids.has(el.id)) bad.push("duplicate id " + el.id);
        ids.add(el.id);
      }
      for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby]")) {
        for (const attr of ["aria-labelledby", "aria-describedby"]) {
          for (const id of (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
            if (!document.getElementById(id)) bad.push(attr + " names a missing #" + id);
          }
        }
      }
      if (!document.documentElement.lang) bad.push("no lang on html");
      for (const sel of ["header", "main", "footer", "[role=search]"]) {
        if (!document.querySelector(sel)) bad.push("no " + sel);
      }
      for (const el of document.querySelectorAll("a, button")) {
        if (!el.hidden && !el.textContent.trim() && !el.getAttribute("aria-label")) {
          bad.push("a " + el.tagName + " without a name");
        }
      }
      for (const el of document.querySelectorAll("[tabindex]")) {
        if (Number(el.getAttribute("tabindex")) > 0) bad.push("positive tabindex on " + el.id);
      }
      for (const el of document.querySelectorAll("[role]")) {
        const ok = ["search", "status", "alert"];
        if (!ok.includes(el.getAttribute("role"))) bad.push("unexpected role " + el.getAttribute("role"));
      }
      const h = Array.from(document.querySelectorAll("h1, h2, h3")).map((x) => Number(x.tagName[1]));
      if (h[0] !== 1) bad.push("the first heading is not h1");
      for (let i = 1; i < h.length; i++) {
        if (h[i] > h[i - 1] + 1) bad.push("heading level jumps from h" + h[i - 1] + " to h" + h[i]);
      }
      for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
        if (!el.labels || !el.labels.length) bad.push("unlabelled " + el.id);
      }
      return bad;
    })).map((p) => url + ": " + p));
  }
  assert(problems.length === 0, problems.join("\n"));
  await closePage(page);
});


/* ---- issue 15 items 5 and 6: a report's details and follow-up, disputes ---- */

const FOLLOW = {
  vi: { pending: "Đang chờ kiểm tra", approved: "Đã chấp nhận", dispute: "Đây là",
        disputeTitle: "Đề nghị gỡ vì bị báo nhầm của bạn", sent: "Đã nhận đề nghị của bạn" },
  en: { pending: "Waiting for review", approved: "Approved", dispute: "This is my",
        disputeTitle: "Your request: listed by mistake", sent: "Your request was received" },
};
/* One value a run disputes, each scam or suspicious (a look-alike too). */
const DISPUTED = [SCAM_PHONE, FAKE_SITES[1], "0700.001.003", FAKE_SITES[0]];

/* What an analyst sees and does (the analysts' API of the second service). */
async function asAnalyst(method, p, body) {
  const r = await fetch(followBase + p, {
    method, headers: { Authorization: "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json() };
}

/* Submits a form: in place (JavaScript: waits for the notice) or by loading a page. */
async function submit(page, js, button, done) {
  if (js) {
    await page.click(button);
    await page.waitForSelector(done, { timeout: 10000 });
  } else {
    await Promise.all([page.waitForNavigation(), page.click(button)]);
  }
}

/* The follow-up page's heading is focused, as an answer's. */
async function followState(page) {
  const section = page.locator("#result > [data-follow]");
  await section.waitFor({ timeout: 10000 });
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "result-h",
                             null, { timeout: 10000 });
  return section.getAttribute("data-state");
}

let runs = 0;
for (const lang of ["vi", "en"]) {
  for (const size of SIZES) {
    for (const js of [true, false]) {
      const at = lang + " " + size.width + "x" + size.height + (js ? "" : ", without JavaScript");
      const n = runs++;

      test("a report with its details; its reference opens its status page (" + at + ")",
           async () => {
        const page = await newPage(Object.assign({ viewport: size, javaScriptEnabled: js },
          size.width < 600 ? { isMobile: true, hasTouch: true } : {}));
        await page.goto(followBase + "/?lang=" + lang);
        const value = "0987 001 0" + String(10 + n);
        await page.selectOption("#r-kind", "phone");
        await page.fill("#r-value", value);
        await page.selectOption("#r-channel", "zalo");
        await page.fill("#r-date", "2026-11-25");
        await page.fill("#r-amount", "5.000.000");
        await submit(page, js, "#report-form button[type=submit]", "#report-status .notice.ok");
        const code = page.locator("#report-status a.report-code");
        const id = (await code.innerText()).trim();
        assert(/^r[0-9a-f]{28}$/.test(id), "no reference: " + (await page.innerText("#report-status")));
        const stored = reportsInStore(followData).find((r) => r.id === id);
        assert(stored && stored.channel === "zalo" && stored.date === "2026-11-25" &&
               stored.amount_vnd === 5000000, "stored wrongly: " + JSON.stringify(stored));
        /* The reference opens its status page: pending, its heading focused. */
        await Promise.all([page.waitForNavigation(), code.click()]);
        assert(new URL(page.url()).pathname === "/report/" + id, "not its page: " + page.url());
        assert((await followState(page)) === "pending", "not pending");
        /* The badge is shown in capitals. */
        assertIncludes((await page.innerText("#result")).toUpperCase(),
                       FOLLOW[lang].pending.toUpperCase(), "the state");
        assertIncludes(await page.innerText("#result"), value, "what it was about");
        /* An analyst approves it; the page says so, with the day. */
        const d = await asAnalyst("POST", "/v1/admin/reports/" + id,
                                  { action: "approve", status: "reported", reason: "browser test" });
        assert(d.status === 200, "the analyst could not approve: " + JSON.stringify(d));
        await page.reload();
        assert((await followState(page)) === "approved", "not approved");
        const text = await page.innerText("#result");
        assertIncludes(text.toUpperCase(), FOLLOW[lang].approved.toUpperCase(), "the state");
        assert(/\d\d\/\d\d\/\d{4}|\d{1,2} [A-Z][a-z]{2} \d{4}/.test(text), "no day: " + text);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert(width <= size.width, "the status page is " + width + " px wide");
        if (lang === "vi" && size.width === 360 && js) {
          await page.screenshot({ path: path.join(shots, "screenshot-status-360.png") });
        }
        await closePage(page);
      });

      test("\"listed by mistake?\" under a warning files a dispute for the analysts (" + at + ")",
           async () => {
        const page = await newPage(Object.assign({ viewport: size, javaScriptEnabled: js },
          size.width < 600 ? { isMobile: true, hasTouch: true } : {}));
        const value = DISPUTED[n % DISPUTED.length];
        await page.goto(followBase + "/check?lang=" + lang + "&q=" + encodeURIComponent(value));
        const verdict = await verdictOf(page);
        assert(verdict === "scam" || verdict === "suspicious", value + " is " + verdict);
        const link = page.locator("#dispute-this");
        assertIncludes(await link.innerText(), FOLLOW[lang].dispute, "the link");
        await Promise.all([page.waitForNavigation(), link.click()]);
        assert((await followState(page)) === "form", "no dispute form");
        assert((await page.inputValue("#d-value")) === value, "the form is not prefilled");
        const why = lang === "vi" ? "Đây là số của cửa hàng tôi từ năm 2019." :
                                    "This has been my shop's number since 2019.";
        await page.fill("#d-contact", "0909 111 2" + String(10 + n));
        if (lang === "en" && size.width === 1280 && js) {
          await page.fill("#d-why", why);
          await shot(page, "screenshot-dispute-en.png");
          await page.fill("#d-why", "");
        }
        /* Without a reason it is not sent; what was typed stays. */
        await Promise.all([page.waitForNavigation(), page.click("#dispute-form button[type=submit]")]);
        assert((await page.getAttribute("#d-why", "aria-invalid")) === "true", "no reason asked for");
        assert((await page.inputValue("#d-contact")).startsWith("0909 111 2"), "the contact was lost");
        await page.fill("#d-why", why + " (" + at + ")");
        await Promise.all([page.waitForNavigation(), page.click("#dispute-form button[type=submit]")]);
        assertIncludes(await page.innerText("#dispute-status"), FOLLOW[lang].sent, "the outcome");
        const code = page.locator("#dispute-status a.report-code");
        const id = (await code.innerText()).trim();
        /* It is in the analysts' queue, as a dispute. */
        const q = await asAnalyst("GET", "/v1/admin/reports?type=dispute&status=pending&limit=1000");
        const found = q.body.reports.find((r) => r.id === id);
        assert(found && found.type === "dispute", "not in the queue: " + id + " " + JSON.stringify(q.body));
        await Promise.all([page.waitForNavigation(), code.click()]);
        assert((await followState(page)) === "pending", "its status page is not pending");
        assertIncludes(await page.innerText("#result"), FOLLOW[lang].disputeTitle, "the status page");
        await closePage(page);
      });
    }
  }
}

test("the report's details are checked in place, the field at fault marked", async () => {
  const page = await newPage();
  await page.goto(followBase + "/?lang=vi");
  await page.selectOption("#r-kind", "phone");
  await page.fill("#r-value", "0987 002 001");
  await page.fill("#r-amount", "năm triệu");
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#r-amount[aria-invalid=true]");
  assert(await page.evaluate(() => document.activeElement.id === "r-amount"), "focus not on the amount");
  await page.fill("#r-amount", "");
  await page.fill("#r-date", "2999-01-01");
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#r-date[aria-invalid=true]");
  assertIncludes(await page.innerText("#report"), "Ngày không đúng dạng hoặc ở tương lai");
  assert(!reportsInStore(followData).some((r) => r.query === "0987 002 001"), "a refused report stored");
  await closePage(page);
});

/* ---- warnings to the public (issue 19; docs/WARNINGS.md) ---- */

/* Published warnings as the data directory holds them (warnings.jsonl, read at start): one of
 * Hà Nội naming the scam number, one of the whole country, one retracted. */
const WARNING_IDS = { hanoi: "w6b1100000000000a", national: "w6b1100000000000b",
                      retracted: "w6b1100000000000c" };
function writeWarnings(dir) {
  const base = { rev: 2, state: "published", created: "2026-12-01T01:00:00Z",
                 retracted: null, category: "impersonation", valid_from: null,
                 valid_until: "2099-12-31T16:59:59Z", severity: "high", reason: null, by: "t" };
  const lines = [
    Object.assign({}, base, { id: WARNING_IDS.hanoi, uuid: "0e6c5d2a-1b3c-4d5e-8f70-000000000001",
      updated: "2026-12-01T02:00:00Z", published: "2026-12-01T02:00:00Z",
      title: { vi: "Giả danh công an Hà Nội gọi điện đòi chuyển tiền",
               en: "Fake Hanoi police calls asking for money" },
      text: { vi: "Đối tượng gọi từ số 0910 001 001, tự xưng công an quận.\nChúng yêu cầu chuyển tiền.",
              en: "They call from 0910 001 001 claiming to be district police." },
      advice: { vi: "Không chuyển tiền, gọi 113.", en: "Do not send money; call 113." },
      regions: ["ha-noi"], indicators: [{ kind: "phone", value: "+84910001001" }],
      issuer: "Công an TP Hà Nội" }),
    Object.assign({}, base, { id: WARNING_IDS.national, uuid: "0e6c5d2a-1b3c-4d5e-8f70-000000000002",
      updated: "2026-12-01T03:00:00Z", published: "2026-12-01T03:00:00Z", category: "task_job",
      severity: "medium", title: { vi: "Lừa đảo việc nhẹ lương cao qua Telegram", en: null },
      text: { vi: "Tuyển cộng tác viên làm nhiệm vụ, yêu cầu nạp tiền trước.", en: null },
      advice: { vi: null, en: null }, regions: ["all"], indicators: [], issuer: null }),
    Object.assign({}, base, { id: WARNING_IDS.retracted, uuid: "0e6c5d2a-1b3c-4d5e-8f70-000000000003",
      rev: 3, state: "retracted", updated: "2026-12-01T05:00:00Z",
      published: "2026-12-01T04:00:00Z", retracted: "2026-12-01T05:00:00Z", reason: "Nhầm số",
      title: { vi: "Cảnh báo đã rút lại", en: null }, text: { vi: "Nội dung cũ.", en: null },
      advice: { vi: null, en: null }, regions: ["all"], indicators: [], issuer: null }),
  ];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "warnings.jsonl"),
                   lines.map((l) => JSON.stringify(l)).join("\n") + "\n", { mode: 0o600 });
}

/* axe-core (npm) over the page as it is: the serious and critical violations, as text. The
 * page's CSP forbids injected scripts, so the context that runs it bypasses CSP. */
async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const v = await page.evaluate(async () => (await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  })).violations.map((x) => x.id + " (" + x.impact + "): " + x.nodes.map((n) => n.target.join(" "))
                     .slice(0, 3).join("; ")));
  return v;
}

test("warnings: the start page lists the current ones, a province chosen without JavaScript",
     async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await page.goto(base + "/");
  const all = await page.innerText("#warnings");
  assertIncludes(all, "Giả danh công an Hà Nội gọi điện đòi chuyển tiền", "the start page");
  assertIncludes(all, "Lừa đảo việc nhẹ lương cao qua Telegram", "the start page");
  assert(!all.includes("Cảnh báo đã rút lại"), "a retracted warning is listed as current");
  await page.selectOption("#province", "ho-chi-minh");
  await Promise.all([page.waitForNavigation(), page.click("#warnings button[type=submit]")]);
  assert(new URL(page.url()).searchParams.get("province") === "ho-chi-minh", page.url());
  const hcm = await page.innerText("#warnings");
  assertIncludes(hcm, "Cảnh báo mới ở TP. Hồ Chí Minh", "the province's list");
  assert(!hcm.includes("Hà Nội gọi điện"), "Hà Nội's warning shown in Hồ Chí Minh City");
  assertIncludes(hcm, "Lừa đảo việc nhẹ lương cao", "the whole country's warning");
  await Promise.all([page.waitForNavigation(),
                     page.click("#warnings a[href^='/warnings/" + WARNING_IDS.national + "']")]);
  assert((await page.innerText("h1")).includes("Lừa đảo việc nhẹ lương cao"), "not its page");
  await closePage(page);
});

test("warnings: a warning's page at 360 px in both languages, axe-clean", async () => {
  const page = await newPage({ viewport: { width: 360, height: 780 }, isMobile: true,
                               hasTouch: true, deviceScaleFactor: 2, bypassCSP: true });
  const problems = [];
  for (const [lang, h1, words] of [
    ["vi", "Giả danh công an Hà Nội gọi điện đòi chuyển tiền", ["Đơn vị phát hành: Công an TP Hà Nội",
                                                                "Nên làm gì", "Khu vực: Hà Nội"]],
    ["en", "Fake Hanoi police calls asking for money", ["Issued by Công an TP Hà Nội", "What to do",
                                                         "Regions: Hanoi"]]]) {
    await page.goto(base + "/warnings/" + WARNING_IDS.hanoi + (lang === "en" ? "?lang=en" : ""));
    assert((await page.getAttribute("html", "lang")) === lang, "the page's language");
    assert((await page.innerText("h1")) === h1, "h1: " + (await page.innerText("h1")));
    const text = await page.innerText("main");
    for (const w of words) assertIncludes(text, w, lang + " page");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 360, lang + ": the page is " + width + " px wide");
    await page.screenshot({ path: path.join(shots, "warning-360-" + lang + ".png"), fullPage: true });
    problems.push(...(await axeViolations(page)).map((v) => lang + ": " + v));
    /* Its indicator leads to its check, whose answer names the warning back. */
    await Promise.all([page.waitForNavigation(), page.click(".w-ind a")]);
    assert((await verdictOf(page)) === "scam", "the indicator's check");
    assertIncludes(await page.innerText("#result"), lang === "vi" ? "Cảnh báo liên quan"
                                                                  : "Related warnings");
    problems.push(...(await axeViolations(page)).map((v) => lang + " answer: " + v));
  }
  for (const url of ["/", "/?province=ha-noi&lang=en", "/warnings/" + WARNING_IDS.retracted]) {
    await page.goto(base + url);
    problems.push(...(await axeViolations(page)).map((v) => url + ": " + v));
  }
  assert(problems.length === 0, "axe: " + problems.join("\n"));
  await closePage(page);
});

test("warnings: a checked scam names its warning in place (JavaScript)", async () => {
  const page = await newPage();
  await page.goto(base + "/");
  assert((await check(page, SCAM_PHONE)) === "scam", "not a scam");
  const related = page.locator("#result .related a");
  assert((await related.count()) === 1, "no related warning in the answer");
  const href = await related.getAttribute("href");
  assert(href.startsWith("/warnings/" + WARNING_IDS.hanoi), "its link: " + href);
  await closePage(page);
});

/* ---- issue 17 item 3: a QR code or a screenshot ---- */

/* A VietQR payload (EMVCo, NAPAS tag 38, CRC-16/CCITT-FALSE), as a bank's app writes it. */
function vietqr(bin, account, amount) {
  const tlv = (tag, v) => tag + String(v.length).padStart(2, "0") + v;
  const t38 = tlv("00", "A000000727") + tlv("01", tlv("00", bin) + tlv("01", account)) +
              tlv("02", "QRIBFTTA");
  const p = tlv("00", "01") + tlv("01", "12") + tlv("38", t38) + tlv("53", "704") +
            tlv("54", amount) + tlv("58", "VN") + "6304";
  let crc = 0xffff;
  for (const b of Buffer.from(p)) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) {
      crc = (crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xffff;
    }
  }
  return p + crc.toString(16).toUpperCase().padStart(4, "0");
}

/* A phone's screenshot: a message and, below it, a VietQR code of the listed Vietcombank
 * account 0000 1000 2001, 500,000 dong (Debian's qrencode and ImageMagick). */
let screenshotFile;
function screenshotWithCode() {
  if (screenshotFile) {
    return screenshotFile;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fidx-browser-img-"));
  const qr = path.join(dir, "qr.png");
  screenshotFile = path.join(dir, "screenshot.png");
  for (const [cmd, args] of [
    ["qrencode", ["-s", "8", "-m", "4", "-o", qr, vietqr("970436", "000010002001", "500000")]],
    ["convert", ["-size", "1080x1500", "xc:#f2f2f7", "-font", "DejaVu-Sans", "-fill", "#111111",
                 "-pointsize", "46", "-annotate", "+60+160",
                 "Phí xác minh hồ sơ: 500.000đ\nQuét mã QR để chuyển khoản", qr,
                 "-geometry", "+340+420", "-composite", "-strip", "PNG24:" + screenshotFile]]]) {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    if (r.status !== 0) {
      throw new Error(cmd + " failed (apt-get install qrencode imagemagick): " +
                      (r.error ? r.error.message : r.stderr));
    }
  }
  return screenshotFile;
}

const IMAGE_WORDS = {
  vi: { title: "Ảnh này có số tài khoản, số điện thoại hoặc đường link lừa đảo đã được xác nhận",
        amount: "500.000 đ", bank: "Ngân hàng" },
  en: { title: "This picture holds an account, phone number or link confirmed as a scam",
        amount: "500,000 dong", bank: "Bank" },
};

for (const lang of ["vi", "en"]) {
  for (const size of SIZES) {
    for (const js of lang === "en" && size.width === 1280 ? [true, false] : [true]) {
      const at = lang + " " + size.width + "x" + size.height + (js ? "" : ", without JavaScript");
      test("a screenshot with a listed VietQR code answers scam on the page (" + at + ")",
           async () => {
        const page = await newPage(Object.assign({ viewport: size, javaScriptEnabled: js },
          size.width < 600 ? { isMobile: true, hasTouch: true } : {}));
        await page.goto(base + "/?lang=" + lang);
        /* Both ways in: a picture chosen, or one taken with the camera. */
        assert((await page.getAttribute("#image-camera", "capture")) === "environment",
               "no camera input");
        assert((await page.getAttribute("#image-camera", "accept")) === "image/*", "accept");
        await page.setInputFiles("#image-file", screenshotWithCode());
        /* Reading a picture takes seconds (OCR), more on a loaded machine: a generous wait. */
        await Promise.all([page.waitForNavigation({ timeout: 180000 }),
                           page.click("#image-form button[type=submit]", { noWaitAfter: true })]);
        assert(new URL(page.url()).pathname === "/image", "not answered: " + page.url());
        const verdict = await verdictOf(page);
        assert(verdict === "scam", "the picture is not called a scam (" + verdict + "): " +
               (await page.innerText("#result")).slice(0, 400));
        assert((await page.getAttribute("#result > [data-verdict]", "data-kind")) === "image",
               "not an image's answer");
        await page.waitForFunction(() => document.activeElement &&
                                   document.activeElement.id === "result-h");
        const text = await page.innerText("#result");
        assertIncludes(text, IMAGE_WORDS[lang].title, "the answer");
        assertIncludes(text, "Vietcombank · 0000 1000 2001", "the account");
        assertIncludes(text, IMAGE_WORDS[lang].amount, "the amount");
        assertIncludes(text, IMAGE_WORDS[lang].bank, "the bank");
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert(width <= size.width, "the answer is " + width + " px wide");
        if (lang === "vi" && size.width === 360) {
          await page.screenshot({ path: path.join(shots, "screenshot-image-360.png") });
        }
        await closePage(page);
      });
    }
  }
}

test("no request to another host", async () => {
  assert(foreign.length === 0, "requests to other hosts: " + foreign.join(", "));
});

test("no script error", async () => {
  assert(errors.length === 0, errors.join("\n"));
});

/* ---- run ---- */

async function main() {
  const { chromium } = loadPlaywright();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fidx-browser-"));
  const snapshot = buildSnapshot(tmp);
  dataDir = path.join(tmp, "data");
  writeWarnings(dataDir);
  shots = process.env.FIDX_SCREENSHOTS ? path.resolve(SOURCE_DIR, process.env.FIDX_SCREENSHOTS)
                                       : path.join(os.tmpdir(), "fidx-browser-screenshots");
  fs.mkdirSync(shots, { recursive: true });
  service = await startService(snapshot, dataDir);
  base = "http://127.0.0.1:" + service.port;
  const tokens = path.join(tmp, "tokens");
  fs.writeFileSync(tokens, "browser " + ADMIN_TOKEN + " reviewer\n", { mode: 0o600 });
  followData = path.join(tmp, "follow-data");
  follow = await startService(snapshot, followData, ["--report-rate", "0", "--tokens", tokens]);
  followBase = "http://127.0.0.1:" + follow.port;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  let passed = 0, failed = 0;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    if (ONLY && !ONLY.test(t.name)) {
      continue;
    }
    try {
      await t.fn();
      passed++;
      console.log("ok " + (i + 1) + " - " + t.name);
    } catch (e) {
      failed++;
      console.log("not ok " + (i + 1) + " - " + t.name + "\n  " +
                  String(e && e.stack || e).split("\n").join("\n  "));
    }
  }
  await browser.close();
  for (const svc of [service, follow]) {
    if (svc.exitCode === null && svc.signalCode === null) { /* not already gone (a crash) */
      const gone = new Promise((r) => svc.on("exit", r));
      svc.kill("SIGTERM");
      await gone;
    }
    if (/Sanitizer|runtime error:/.test(svc.log())) {
      failed++;
      console.log("not ok - a sanitizer fired in the service:\n" + svc.log());
    }
  }
  console.log("screenshots in " + shots);
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  console.log(passed + " passed, " + failed + " failed");
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e && e.stack || e);
  for (const svc of [service, follow]) {
    if (svc) {
      svc.kill("SIGKILL");
    }
  }
  process.exit(1);
});
