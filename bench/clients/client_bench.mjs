/* The JavaScript client's cost per call against bare fetch: N sequential GET /v1/check, modes
 * interleaved REPS times, median calls per second (bench/clients/run.sh).
 *   node client_bench.mjs PORT N REPS */
import { Client } from "../../clients/js/index.js";

const VALUES = ["0910 001 001", "0911 111 111", "https://vietcombank.com.vn/", "VCB 0000111122",
                "scam@example.com", "0700.001.003"];
const [port, n, reps] = process.argv.slice(2).map(Number);
const base = "http://127.0.0.1:" + port;

async function bare() {
  for (let i = 0; i < n; i++) {
    const q = new URLSearchParams({ q: VALUES[i % VALUES.length] });
    const r = await fetch(base + "/v1/check?" + q);
    JSON.parse(await r.text());
    if (r.status !== 200) throw new Error("status " + r.status);
  }
}

async function client() {
  const fx = new Client(base, { retries: 0 });
  for (let i = 0; i < n; i++) {
    await fx.check(VALUES[i % VALUES.length]);
  }
}

const modes = { fetch: bare, fraudidx: client };
const rates = { fetch: [], fraudidx: [] };
for (let r = 0; r < reps; r++) {
  for (const [name, fn] of Object.entries(modes)) {
    const t0 = performance.now();
    await fn();
    rates[name].push(n / ((performance.now() - t0) / 1000));
  }
}
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log("| mode | calls/s (median of " + reps + ") | µs per call | vs fetch |");
console.log("| --- | --- | --- | --- |");
for (const [name, r] of Object.entries(rates)) {
  const m = median(r);
  console.log("| " + name + " | " + m.toFixed(0) + " | " + (1e6 / m).toFixed(0) + " | " +
              (m / median(rates.fetch)).toFixed(2) + " |");
}
