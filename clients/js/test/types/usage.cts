/* The CommonJS side (require condition: index.d.cts), type-checked by tsc. Never run. */
import { Client, Timeout } from "fraudidx";

export async function check(value: string): Promise<boolean> {
  const fx = new Client(process_url(), { retries: 1 });
  try {
    return (await fx.check(value)).verdict === "scam";
  } catch (e) {
    if (e instanceof Timeout) {
      return false;
    }
    throw e;
  }
}

function process_url(): string {
  return "http://127.0.0.1:8080";
}

// @ts-expect-error scan takes a text
export const bad = new Client().scan(42);
