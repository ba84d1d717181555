/* The real fraudidx-service for Node tests (the contract test here and the JavaScript client's
 * tests in clients/js/test/): a snapshot built from data/sample with the real indexer, an
 * analysts' tokens file, the service started on 127.0.0.1 with a port it picks (read from its
 * "listening on" log line), stopped with SIGTERM. Node built-ins only.
 *
 * Environment: FIDX_SERVICE and FIDX_INDEXER (the binaries; ctest sets them), FIDX_SOURCE_DIR
 * (the repository; default: two levels up). */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.FIDX_SOURCE_DIR || path.resolve(HERE, "..", "..");
export const SERVICE = process.env.FIDX_SERVICE;
export const INDEXER = process.env.FIDX_INDEXER;

/* A token as the tokens file holds it (16 to 512 bytes). */
export const ANALYST_TOKEN = "contract-analyst-0123456789abcdef";

const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 20000;

export function requireBinaries() {
  if (!SERVICE || !INDEXER) {
    throw new Error("FIDX_SERVICE and FIDX_INDEXER are not set: run these tests through ctest");
  }
}

/* A temporary directory, removed when the process exits. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/* DIR/sample.fidx from data/sample and the allowlist, with the real indexer. */
export function buildSample(dir) {
  requireBinaries();
  const sample = path.join(SOURCE_DIR, "data", "sample");
  const inputs = fs.readdirSync(sample).sort().map((f) => path.join(sample, f));
  inputs.push(path.join(SOURCE_DIR, "data", "allowlist.csv"));
  const out = path.join(dir, "sample.fidx");
  const r = spawnSync(INDEXER, ["build", "-o", out, ...inputs], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error("indexer build failed: " + r.stderr);
  }
  return out;
}

/* DIR/tokens with one analyst, mode 0600 (the service refuses a file others may read). */
export function writeTokens(dir) {
  const file = path.join(dir, "tokens");
  fs.writeFileSync(file, "# contract tests\ncontract " + ANALYST_TOKEN + "\n", { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

export class Service {
  constructor(proc, port) {
    this.proc = proc;
    this.port = port;
    this.host = "127.0.0.1";
    this.url = "http://127.0.0.1:" + port;
    this.pid = proc.pid;
  }

  log() {
    return this.proc.fidxLog;
  }

  /* SIGTERM and wait; resolves to the exit code. Fails on a sanitizer report in the log. */
  async stop() {
    const proc = this.proc;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (/Sanitizer|runtime error:/.test(this.log())) {
      throw new Error("a sanitizer fired in the service:\n" + this.log());
    }
    return proc.exitCode;
  }
}

/* Starts the service on snapshot with extra args; resolves to a Service. */
export function startService(snapshot, args = [], { threads = 2 } = {}) {
  requireBinaries();
  const argv = ["--snapshot", snapshot, "--listen", "127.0.0.1:0", "--threads", String(threads),
                ...args.map(String)];
  return new Promise((resolve, reject) => {
    const proc = spawn(SERVICE, argv, { stdio: ["ignore", "ignore", "pipe"] });
    proc.fidxLog = "";
    let port = 0;
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error("the service did not start:\n" + proc.fidxLog));
    }, START_TIMEOUT_MS);
    proc.stderr.on("data", (chunk) => {
      proc.fidxLog += chunk.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(proc.fidxLog);
      if (m && !port) {
        port = Number(m[1]);
        clearTimeout(timer);
        resolve(new Service(proc, port));
      }
    });
    proc.on("exit", (code) => {
      if (!port) {
        clearTimeout(timer);
        reject(new Error("the service exited (" + code + ") before listening:\n" +
                         proc.fidxLog));
      }
    });
  });
}
