/* How a bot uses the client, type-checked by tsc against index.d.ts (through package.json's
 * "exports", import condition). Never run. The @ts-expect-error lines must be errors: were a
 * type loose (any), tsc would fail on the unused directive. */
import {
  Client, HTTPError, InvalidValue, RateLimited, Unavailable, isItemError,
  type CheckResult, type ImageResult, type ItemError, type ScanResult, type Verdict,
} from "fraudidx";

export async function moderate(text: string): Promise<"delete" | "warn" | "keep"> {
  const fx = new Client("http://127.0.0.1:8080", {
    apiKey: "bot-key", timeout: 2000, retries: 3,
    onRetry: (ev) => console.log(ev.attempt, ev.delay, ev.error.message),
  });
  let post: ScanResult;
  try {
    post = await fx.scan(text);
  } catch (e) {
    if (e instanceof RateLimited) {
      const wait: number | null = e.retryAfter;
      console.log(wait, e.status, e.code);
    } else if (e instanceof Unavailable) {
      const status: number | null = e.status;
      console.log(status);
    }
    return "keep";
  }
  for (const m of post.matches) {
    const where: [number, number] = [m.start, m.end];
    console.log(where, m.match?.categories.join(", "), m.match?.first_seen);
  }
  // @ts-expect-error a post's verdict is block, review or allow
  const wrong: Verdict = post.verdict;
  void wrong;
  return post.verdict === "block" ? "delete" : post.verdict === "review" ? "warn" : "keep";
}

export async function lookups(fx: Client): Promise<number> {
  const one: CheckResult = await fx.check("0912345678", { kind: "phone" });
  const many = await fx.checkBatch(["0912345678", { value: "x", kind: "url" },
                                    { q: "@a", kind: "social_account", platform: "telegram" }]);
  let errors = 0;
  for (const r of many) {
    if (isItemError(r)) {
      const e: ItemError = r;
      errors += e.error.code.length;
    } else {
      const v: Verdict = r.verdict;
      void v;
    }
  }
  for (const r of await fx.scanMany(["Gọi 0912 345 678", "Chào"])) {
    errors += isItemError(r) ? r.error.code.length : r.matches.length;
  }
  const report = await fx.report({ value: "0912345678", category: "impersonation" });
  const id: string = report.id;
  try {
    await fx.check("hello", { kind: "phone" });
  } catch (e) {
    if (e instanceof InvalidValue || e instanceof HTTPError) {
      errors += e.status;
    }
  }
  // @ts-expect-error kinds are a closed list
  await fx.check("0912345678", { kind: "fax" });
  // @ts-expect-error categories are a closed list
  await fx.report({ value: "0912345678", category: "spam" });
  // @ts-expect-error a report needs its value
  await fx.report({ kind: "phone" });
  // @ts-expect-error match is absent when the verdict is unknown
  const reports: number = one.match.reports;
  return errors + id.length + reports;
}

export async function screenshot(fx: Client, png: Uint8Array): Promise<string | null> {
  const r: ImageResult = await fx.checkImage(png);
  for (const c of r.codes) {
    if (!isItemError(c) && c.qr) {
      const pays: [string | null, string, string | null] = [c.qr.bank, c.qr.account, c.qr.amount];
      console.log(pays, c.source);
    }
  }
  console.log(r.text.length, r.scan.matches.length, r.ocr.timed_out);
  // @ts-expect-error an image's verdict is block, review or allow
  const wrong: Verdict = r.verdict;
  void wrong;
  return r.verdict === "block" ? r.text : null;
}
