/* VietQR payloads made by an independent generator, the npm package vietnam-qr-pay (pinned in
 * package-lock.json), for the EMVCo parser's tests (tests/unit/core/normalize/emvco_test.c
 * reads vectors.tsv). The payloads are generated here, never typed by hand, so the parser is
 * checked against another implementation's reading of the NAPAS/EMVCo format.
 *
 *   node gen.js > vectors.tsv        regenerate (after changing the cases below)
 *   node gen.js --check vectors.tsv  exit 1 when the file differs from what the generator
 *                                    makes now (ctest: vectors.vietqr)
 *
 * One tab-separated line per payload: expect ("ok" or "refused"), the generator's bank key,
 * its bank short name, BIN, account or card number, service, amount, purpose, payload. The
 * npm dependency is installed (npm ci) when missing. */
"use strict";

const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const HERE = __dirname;

function loadGenerator() {
  try {
    return require("vietnam-qr-pay");
  } catch (e) {
    process.stderr.write("installing the npm dependencies (npm ci) in " + HERE + "\n");
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, stdio: "inherit" });
    if (r.status !== 0) {
      process.stderr.write("npm ci failed in " + HERE + "\n");
      process.exit(1);
    }
    return require("vietnam-qr-pay");
  }
}

/* Deterministic digits (a linear congruential generator), so the file is stable. */
let seed = 20261202;
function digits(n, prefix) {
  let s = prefix || "";
  while (s.length < n) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    s += String(Math.floor(seed / 65536) % 10);
  }
  return s;
}

/* [bank key, account length, amount, purpose, card]: 24 banks, accounts of 6 to 19 digits,
 * static (no amount) and dynamic payloads, purposes with spaces, two card transfers, and one
 * bank (Liobank) whose BIN is not in the project's table. */
const CASES = [
  ["vietcombank", 13, "", "", false],
  ["vietcombank", 10, "50000", "chuyen tien hoc phi", false],
  ["vietinbank", 12, "1500000", "thanh toan don hang 8841", false],
  ["bidv", 14, "", "", false],
  ["agribank", 13, "200000", "ung ho", false],
  ["mbbank", 9, "99000", "phi xac minh tai khoan", false],
  ["mbbank", 19, "", "", false],
  ["techcombank", 14, "3000000", "nop phi giai ngan", false],
  ["acb", 6, "", "", false],
  ["vpbank", 9, "10000", "Chuyen tien", false],
  ["tpbank", 11, "25000000", "dau tu sinh loi", false],
  ["sacombank", 12, "180000", "thanh toan don hang", false],
  ["vib", 15, "", "", false],
  ["shb", 10, "750000", "hoan tien", false],
  ["hdbank", 16, "", "", false],
  ["ocb", 13, "1", "test", false],
  ["msb", 14, "45000", "", false],
  ["seabank", 12, "", "tien coc", false],
  ["lpbank", 12, "300000", "tra no", false],
  ["eximbank", 12, "", "", false],
  ["cake", 10, "120000", "mua hang online", false],
  ["timo", 10, "", "", false],
  ["momo", 10, "20000", "nap tien", false],
  ["liobank", 10, "5000", "bank not in the table", false],
  ["vietcombank", 16, "", "", true],
  ["bidv", 19, "640000", "rut tien the", true],
];

function vectors(qr) {
  const lines = [];
  for (const [key, len, amount, purpose, card] of CASES) {
    const bank = qr.BanksObject[key];
    if (!bank || !bank.bin) throw new Error("the generator has no bank " + key);
    const account = card ? digits(len, "9704") : digits(len);
    const service = card ? qr.VietQRService.BY_CARD_NUMBER : qr.VietQRService.BY_ACCOUNT_NUMBER;
    const pay = qr.QRPay.initVietQR({
      bankBin: bank.bin,
      bankNumber: account,
      amount: amount || undefined,
      purpose: purpose || undefined,
      service,
    });
    const payload = pay.build();
    lines.push(["ok", key, bank.shortName, bank.bin, account, service, amount, purpose, payload]);
  }
  /* Another scheme's merchant payload (VNPAY-QR, tag 26): well formed, CRC right, not VietQR. */
  const vnpay = qr.QRPay.initVNPayQR({
    merchantId: "0102154778",
    merchantName: "TUGIACOMPANY",
    store: "TU GIA COMPUTER",
    terminal: "TUGIACO1",
    amount: "20000",
  });
  lines.push(["refused", "vnpay", "", "", "", "", "20000", "", vnpay.build()]);
  return lines.map((f) => f.join("\t")).join("\n") + "\n";
}

function main() {
  const text = vectors(loadGenerator());
  const i = process.argv.indexOf("--check");
  if (i < 0) {
    process.stdout.write(text);
    return;
  }
  const file = path.resolve(process.argv[i + 1] || path.join(HERE, "vectors.tsv"));
  const have = fs.readFileSync(file, "utf8");
  if (have !== text) {
    process.stderr.write(file + " differs from what vietnam-qr-pay makes now:\n" + text);
    process.exit(1);
  }
  console.log(file + " is what vietnam-qr-pay makes");
}

main();
