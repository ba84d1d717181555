/* The CommonJS entry (require("fraudidx") → index.cjs): the same names as the ES module, made
 * from it by scripts/build-cjs.mjs (the files must be what the script makes now), and working
 * against the real service. */
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { after, test } = require("node:test");

const fx = require("fraudidx");

const DIR = path.resolve(__dirname, "..");
let svc;

after(async () => {
  if (svc) {
    await svc.stop();
  }
});

test("index.cjs and index.d.cts are made from the current index.js and index.d.ts", async () => {
  const { buildCjs, buildDcts } = await import("../scripts/build-cjs.mjs");
  const read = (f) => fs.readFileSync(path.join(DIR, f), "utf8");
  assert.equal(read("index.cjs"), buildCjs(read("index.js")),
               "index.cjs is stale: run npm run build in clients/js");
  assert.equal(read("index.d.cts"), buildDcts(read("index.d.ts")),
               "index.d.cts is stale: run npm run build in clients/js");
});

test("require gives the ES module's names, and they work", async () => {
  const esm = await import("fraudidx");
  assert.deepEqual(Object.keys(fx).sort(), Object.keys(esm).sort());
  const { buildSample, startService, tempDir } =
    await import("../../../tests/contract/fidxsvc.mjs");
  const dir = tempDir("fidx-cjs-");
  svc = await startService(buildSample(dir), ["--data-dir", path.join(dir, "data")]);
  const client = new fx.Client(svc.url);
  assert.equal((await client.check("0910001001")).verdict, "scam");
  await assert.rejects(client.check("hello", { kind: "phone" }), fx.InvalidValue);
});
