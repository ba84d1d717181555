/* fraudidx: a client of the fraudidx service (Vietnam's fraud-indicator lookups) for bots, apps
 * and pages. No dependencies: the global fetch and AbortController (Node 18+, browsers).
 *
 * Results are the service's JSON as it is (docs/openapi.json; types in index.d.ts). Errors are
 * one family (FraudidxError). Retries follow the same policy as the Python client
 * (docs/CLIENTS.md): lookups are retried on any failure that may pass (no connection, a reset,
 * a timeout, 429, 502, 503, 504); a report only when it cannot have been stored (the connection
 * was refused, or 429/503 with Retry-After), never after a timeout or a connection lost once it
 * was sent, since the service may have stored it and a resend would file it twice.
 *
 * This file is the source; index.cjs is made from it by scripts/build-cjs.mjs. */

export const VERSION = "0.1.0";

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);
const MAX_SCAN_BATCH_BYTES = 1024 * 1024;
/* Errors of a connection that was never made: nothing of the request left the client. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH",
                          "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

export class FraudidxError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/* The service answered with an error status: status, the contract's code (null when the body
 * was not the contract's error object) and message, the headers and the parsed body. */
export class HTTPError extends FraudidxError {
  constructor(status, code, message, headers = {}, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.body = body;
  }
}

/* 400 invalid_value: the value cannot be read as its kind. */
export class InvalidValue extends HTTPError {}

/* 401: the key or token is missing or not valid. */
export class Unauthorized extends HTTPError {}

/* 429: retryAfter is the seconds the service asked to wait (null if it did not say). */
export class RateLimited extends HTTPError {
  constructor(status, code, message, headers, body, retryAfter) {
    super(status, code, message, headers, body);
    this.retryAfter = retryAfter;
  }
}

/* The service could not answer: 503 (or a proxy's 502/504), or no answer at all (status
 * null: refused, reset, timed out). */
export class Unavailable extends FraudidxError {
  constructor(message, { status = null, code = null, retryAfter = null, cause } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    if (cause !== undefined) {
      this.cause = cause;
    }
  }
}

/* No answer within the timeout. A report may have been stored all the same. */
export class Timeout extends Unavailable {}

/* Retry-After as seconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value) {
  if (value === null || value === undefined || value === "") {
    return null;
  }
  const v = String(value).trim();
  if (/^\d+$/.test(v)) {
    return Number(v);
  }
  const when = Date.parse(v);
  return Number.isNaN(when) ? null : Math.max(0, (when - Date.now()) / 1000);
}

export function isItemError(x) {
  return x !== null && typeof x === "object" && "error" in x;
}

function errorOf(status, headers, text) {
  let code = null;
  let message = "";
  let body = null;
  try {
    body = JSON.parse(text);
    code = String(body.error.code);
    message = String(body.error.message);
  } catch {
    message = text.slice(0, 200).trim();
  }
  message = message || "HTTP " + status;
  const ra = parseRetryAfter(headers["retry-after"]);
  if (status === 429) {
    return new RateLimited(status, code, message, headers, body, ra);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new Unavailable(message, { status, code, retryAfter: ra });
  }
  if (status === 401) {
    return new Unauthorized(status, code, message, headers, body);
  }
  if (status === 400 && code === "invalid_value") {
    return new InvalidValue(status, code, message, headers, body);
  }
  return new HTTPError(status, code, message, headers, body);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      if (signal) {
        signal.removeEventListener("abort", onAbort);
      }
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(t);
      reject(signal.reason);
    }
    if (signal) {
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
}

function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

function utf8Length(s) {
  return new TextEncoder().encode(s).length;
}

function toItem(item) {
  if (typeof item === "string") {
    return item;
  }
  const { value, q, kind, platform } = item;
  if (kind == null && platform == null && value !== undefined) {
    return value;
  }
  const o = { q: q !== undefined ? q : value };
  if (kind != null) {
    o.kind = kind;
  }
  if (platform != null) {
    o.platform = platform;
  }
  return o;
}

export class Client {
  /* baseUrl: "http://host:port" (a path prefix is kept). Options: apiKey (sent as
   * Authorization: Bearer), timeout (ms, each attempt), retries, backoff and maxBackoff (ms),
   * maxRetryAfter (seconds: a longer Retry-After is not waited for), userAgent (where the
   * platform lets it be set), batchSize, scanBatchSize, onRetry(event), fetch (another
   * fetch implementation). */
  constructor(baseUrl = "http://127.0.0.1:8080", options = {}) {
    const u = new URL(baseUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new TypeError("baseUrl must be http:// or https://, not " + baseUrl);
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey || null;
    this.timeout = options.timeout ?? 5000;
    this.retries = options.retries ?? 2;
    this.backoff = options.backoff ?? 200;
    this.maxBackoff = options.maxBackoff ?? 5000;
    this.maxRetryAfter = options.maxRetryAfter ?? 60;
    this.batchSize = options.batchSize ?? 1000;
    this.scanBatchSize = options.scanBatchSize ?? 100;
    this.onRetry = options.onRetry || null;
    this.userAgent = options.userAgent ||
      (typeof process !== "undefined" && process.versions && process.versions.node
        ? "fraudidx-js/" + VERSION + " node/" + process.versions.node : null);
    this.fetch = options.fetch || globalThis.fetch;
    if (typeof this.fetch !== "function") {
      throw new TypeError("no fetch: Node 18 or later, a browser, or options.fetch");
    }
    if (!(this.retries >= 0 && this.timeout > 0 && this.batchSize >= 1 &&
          this.scanBatchSize >= 1)) {
      throw new RangeError("retries must be >= 0, timeout > 0, batch sizes >= 1");
    }
  }

  /* GET /v1/check: one value's verdict. InvalidValue when it cannot be read as its kind. */
  async check(value, { kind, platform, signal } = {}) {
    const params = { q: value };
    if (kind) {
      params.kind = kind;
    }
    if (platform) {
      params.platform = platform;
    }
    return this.#json("GET", "/v1/check", { params, signal });
  }

  /* POST /v1/check, batchSize items a request: a CheckResult or ItemError per item, in order.
   * An item is a value, or {value (or q), kind, platform}. */
  async checkBatch(items, { signal } = {}) {
    const payload = Array.from(items, toItem);
    const out = [];
    for (const chunk of chunks(payload, this.batchSize)) {
      const a = await this.#json("POST", "/v1/check", { json: { items: chunk }, signal });
      out.push(...resultsOf(a, chunk.length));
    }
    return out;
  }

  /* POST /v1/scan: every indicator in a post and its verdict (block, review, allow). */
  async scan(text, { signal } = {}) {
    return this.#json("POST", "/v1/scan", { json: { text }, signal });
  }

  /* POST /v1/scan {"texts":[…]}: scanBatchSize texts (at most 1 MiB) a request; a ScanResult
   * or ItemError ({error}, no query) per text, in order. A value found in several posts of a
   * request is looked up once. */
  async scanMany(texts, { signal } = {}) {
    const out = [];
    for (const chunk of this.#scanChunks(Array.from(texts))) {
      const a = await this.#json("POST", "/v1/scan", { json: { texts: chunk }, signal });
      out.push(...resultsOf(a, chunk.length));
    }
    return out;
  }
  /* The name scanMany had before the service took batches. */
  async scanBatch(texts, options) {
    return this.scanMany(texts, options);
  }


  /* POST /v1/image: a screenshot or photo (PNG, JPEG or WebP bytes: a Uint8Array, Buffer,
   * ArrayBuffer or Blob; at most 4 MiB and 24 megapixels) → {verdict, image, codes, text,
   * scan, ocr}: its QR codes checked as values (a VietQR code as the account it pays, with
   * qr), its text read and scanned. Reading takes a second or so: give the client a timeout
   * of several seconds. Nothing is stored, so it is retried like a lookup. */
  async checkImage(bytes, { signal } = {}) {
    return this.#json("POST", "/v1/image", {
      body: bytes, contentType: "application/octet-stream", signal });
  }

  /* POST /v1/reports: {value, kind, category, description, bank, platform} → {id, status}.
   * Stored as pending for analysts; rate-limited (RateLimited); not retried once it may have
   * been stored. */
  async report(report, { signal } = {}) {
    const body = {};
    for (const k of ["kind", "value", "category", "description", "bank", "platform"]) {
      if (report[k] != null) {
        body[k] = report[k];
      }
    }
    return this.#json("POST", "/v1/reports", { json: body, idempotent: false, signal });
  }

  /* GET /v1/warnings, every page: the warnings published (or retracted since) and changed
   * at or after `since` (an RFC 3339 time such as the newest `updated` seen before, or
   * YYYY-MM-DD; absent: all), of `region` (a province code: its warnings and the whole
   * country's),
   * newest publication first. A bot remembers the newest `updated` it saw and asks again with
   * it: what comes back is new or changed (or of that very second again: tell them by id and
   * rev; a retraction: state "retracted"). */
  async warnings(since, { region, category, signal } = {}) {
    const params = { limit: "200" };
    for (const [k, v] of [["since", since], ["region", region], ["category", category]]) {
      if (v) {
        params[k] = v;
      }
    }
    const out = [];
    for (;;) {
      const page = await this.#json("GET", "/v1/warnings", { params, signal });
      out.push(...page.warnings);
      if (!page.next) {
        return out;
      }
      params.after = page.next;
    }
  }

  /* GET /v1/warnings/ID: one published warning (check and scan answers name their ids). */
  async warning(id, { signal } = {}) {
    return this.#json("GET", "/v1/warnings/" + encodeURIComponent(id), { signal });
  }

  /* GET /v1/info: the snapshot in use, the service's version and limits. */
  async info({ signal } = {}) {
    return this.#json("GET", "/v1/info", { signal });
  }

  /* GET /healthz: true when serving, false when the service cannot answer. */
  async health({ signal } = {}) {
    try {
      return (await this.#json("GET", "/healthz", { signal })).status === "ok";
    } catch (e) {
      if (e instanceof Unavailable) {
        return false;
      }
      throw e;
    }
  }

  /* Any route (the analysts' /v1/admin/…, a route newer than this client): the answer's JSON,
   * or its text for another Content-Type. */
  async request(method, path, { params, json, body, contentType, idempotent, signal } = {}) {
    method = method.toUpperCase();
    const a = await this.#call(method, path, {
      params, json, body, contentType, signal,
      idempotent: idempotent ?? IDEMPOTENT.has(method) });
    return /^application\/json/.test(a.headers["content-type"] || "") ? decode(a) : a.text;
  }

  async #json(method, path, opts) {
    return decode(await this.#call(method, path, { idempotent: true, ...opts }));
  }

  * #scanChunks(texts) {
    let chunk = [];
    let size = 0;
    for (const t of texts) {
      const n = utf8Length(JSON.stringify(t)) + 1;
      if (chunk.length && (chunk.length >= this.scanBatchSize ||
                           size + n > MAX_SCAN_BATCH_BYTES - 64)) {
        yield chunk;
        chunk = [];
        size = 0;
      }
      chunk.push(t);
      size += n;
    }
    if (chunk.length) {
      yield chunk;
    }
  }

  async #call(method, path, { params, json, body, contentType, idempotent, signal }) {
    let url = this.baseUrl + path;
    if (params) {
      url += "?" + new URLSearchParams(params).toString();
    }
    const headers = { Accept: "application/json" };
    if (this.userAgent) {
      headers["User-Agent"] = this.userAgent;
    }
    if (this.apiKey) {
      headers.Authorization = "Bearer " + this.apiKey;
    }
    if (json !== undefined) {
      body = JSON.stringify(json);
      contentType = contentType || "application/json";
    }
    if (contentType) {
      headers["Content-Type"] = contentType;
    }
    for (let attempt = 0; ; attempt++) {
      const o = await this.#tryOnce(url, { method, headers, body }, idempotent, signal);
      if (o.answer) {
        return o.answer;
      }
      if (!o.mayRetry || attempt >= this.retries) {
        throw o.error;
      }
      const delay = this.#delay(attempt, o.retryAfter);
      if (this.onRetry) {
        this.onRetry({ attempt: attempt + 2, delay, error: o.error });
      }
      await sleep(delay, signal);
    }
  }

  /* One attempt: {answer}, or {error, mayRetry, retryAfter}. */
  async #tryOnce(url, init, idempotent, signal) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Timeout("no answer from " + this.baseUrl +
                                                         " within " + this.timeout + " ms")),
                             this.timeout);
    const onAbort = () => ctl.abort(signal.reason);
    if (signal) {
      if (signal.aborted) {
        clearTimeout(timer);
        throw signal.reason;
      }
      signal.addEventListener("abort", onAbort, { once: true });
    }
    let res;
    let text;
    try {
      res = await this.fetch(url, { ...init, signal: ctl.signal });
      text = await res.text();
    } catch (e) {
      if (signal && signal.aborted) {
        throw signal.reason; /* the caller's own cancel: not retried */
      }
      if (ctl.signal.aborted && ctl.signal.reason instanceof Timeout) {
        return { error: ctl.signal.reason, mayRetry: idempotent, retryAfter: null };
      }
      const code = e && e.cause && e.cause.code;
      const notSent = NOT_SENT.has(code);
      const error = new Unavailable((notSent ? "cannot connect to " : "the connection to ") +
                                    this.baseUrl + (notSent ? ": " : " failed: ") +
                                    (code || (e && e.message) || e), { cause: e });
      return { error, mayRetry: notSent || idempotent, retryAfter: null };
    } finally {
      clearTimeout(timer);
      if (signal) {
        signal.removeEventListener("abort", onAbort);
      }
    }
    const headers = {};
    res.headers.forEach((v, k) => { headers[k.toLowerCase()] = v; });
    if (res.status < 400) {
      return { answer: { status: res.status, headers, text } };
    }
    const error = errorOf(res.status, headers, text);
    if (!(error instanceof RateLimited || error instanceof Unavailable)) {
      return { error, mayRetry: false };
    }
    const ra = error.retryAfter;
    if (ra !== null && ra > this.maxRetryAfter) {
      return { error, mayRetry: false };
    }
    /* Without Retry-After a 503 may come after the request was taken (an analyst's change
     * waiting for a failed disk): only idempotent calls are sent again then. */
    return { error, mayRetry: idempotent || ra !== null, retryAfter: ra };
  }

  #delay(attempt, retryAfter) {
    if (retryAfter !== null && retryAfter !== undefined) {
      return retryAfter * 1000 + Math.random() * this.backoff;
    }
    const cap = Math.min(this.maxBackoff, this.backoff * 2 ** attempt);
    return cap / 2 + Math.random() * cap / 2;
  }
}

function decode(a) {
  try {
    return JSON.parse(a.text);
  } catch (e) {
    throw new FraudidxError("the service answered " + a.status + " with a body that is not " +
                            "JSON: " + e.message);
  }
}

function resultsOf(answer, n) {
  const r = answer && answer.results;
  if (!Array.isArray(r) || r.length !== n) {
    throw new FraudidxError("the service answered a batch of " + n + " without " + n +
                            " results");
  }
  return r;
}
