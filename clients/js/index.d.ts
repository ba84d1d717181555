/* Types of the fraudidx client (index.js). Hand-written: the code is plain JavaScript with no
 * build step, and these are checked against a usage file by tsc in the tests. The result
 * shapes follow docs/openapi.json. */

export declare const VERSION: string;

export type Kind = "phone" | "bank_account" | "url" | "domain" | "social_account" | "email";
export type Status = "confirmed" | "reported" | "allowlisted";
export type Category =
  | "impersonation" | "task_job" | "investment" | "loan" | "romance" | "shopping"
  | "account_takeover" | "phishing" | "malware_app" | "recovery" | "gambling" | "other";
/** scam: a confirmed entry decided; suspicious: a reported one; safe: an allowlisted one. */
export type Verdict = "scam" | "suspicious" | "safe" | "unknown";
/** block: a scam indicator is in the post; review: only suspicious ones; allow: neither. */
export type PostVerdict = "block" | "review" | "allow";

/** The entry that decided a verdict. */
export interface Match {
  kind: Kind;
  /** The entry's canonical value; for a URL, the lookup expression that matched. */
  value: string;
  status: Status;
  categories: Category[];
  reports: number;
  /** YYYY-MM-DD */
  first_seen?: string;
  last_seen?: string;
  sources: string[];
}

/** What a VietQR payload (a bank transfer's QR code) asks besides its account; null where
 * the payload does not say. */
export interface VietQR {
  /** The bank's short name ("Vietcombank"); null for a BIN not in the table. */
  bank: string | null;
  bin: string;
  account: string;
  /** A transfer to a card number. */
  card: boolean;
  amount: string | null;
  /** "VND" */
  currency: string | null;
  purpose: string | null;
  name: string | null;
}

export interface CheckResult {
  /** The value as sent. */
  query: string;
  kind: Kind;
  canonical: string;
  verdict: Verdict;
  /** Absent exactly when the verdict is unknown. */
  match?: Match;
  /** The value was a VietQR payload, checked as the bank account it names. */
  source?: "vietqr";
  qr?: VietQR;
  /** Ids of the published warnings that concern the value (Client.warning reads one). */
  warnings?: string[];
}

export interface ErrorBody {
  code: string;
  message: string;
}

/** A batch item that could not be answered (the others were). */
export interface ItemError {
  /** The item's value (null when it had none); absent for a text of scanMany. */
  query?: string | null;
  error: ErrorBody;
}

export interface ScanMatch {
  /** The indicator as written in the post. */
  text: string;
  /** Byte offsets into the UTF-8 text. */
  start: number;
  end: number;
  kind: Kind;
  canonical: string;
  verdict: Verdict;
  match?: Match;
  /** A VietQR payload pasted in the post. */
  source?: "vietqr";
  qr?: VietQR;
}

export interface ScanResult {
  verdict: PostVerdict;
  matches: ScanMatch[];
  /** More indicators than one scan lists. */
  truncated: boolean;
  /** Ids of the published warnings that concern the post's values. */
  warnings?: string[];
}

/** Texts of a warning: Vietnamese, and English when written (else null). */
export interface WarningTexts {
  vi: string | null;
  en: string | null;
}

/** A warning to the public (docs/WARNINGS.md). Times are RFC 3339 (null: not set). */
export interface Warning {
  id: string;
  uuid: string;
  rev: number;
  state: "published" | "retracted" | "draft";
  created: string;
  updated: string;
  published: string | null;
  retracted: string | null;
  title: WarningTexts;
  text: WarningTexts;
  advice: WarningTexts;
  category: string | null;
  /** Province codes, or ["all"]. */
  regions: string[];
  indicators: Array<{ kind: Kind; value: string }>;
  valid_from: string | null;
  valid_until: string | null;
  severity: "low" | "medium" | "high";
  issuer: string | null;
  /** Why it was retracted. */
  reason: string | null;
}

/** An image checked: its QR codes (each as a value), its text (OCR) scanned as a post, and
 * the image's verdict. */
export interface ImageResult {
  verdict: PostVerdict;
  image: { format: "png" | "jpeg" | "webp"; width: number; height: number };
  codes: Array<CheckResult | ItemError>;
  codes_dropped: number;
  /** The recognised text; scan's offsets are bytes into its UTF-8. */
  text: string;
  scan: ScanResult;
  ocr: { read: boolean; timed_out: boolean; truncated: boolean };
}

export interface Report {
  id: string;
  status: "pending";
}

/** A batch item: a value, or a value with its kind (and the platform of a bare handle). */
export type BatchItem =
  | string
  | { value: string; kind?: Kind | null; platform?: string | null }
  | { q: string; kind?: Kind | null; platform?: string | null };

export interface ReportInput {
  value: string;
  /** Absent or null: detected from the value. */
  kind?: Kind | null;
  category?: Category | null;
  description?: string | null;
  /** The bank of an account: BIN or name. */
  bank?: string | null;
  platform?: string | null;
}

export interface RetryEvent {
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  /** Milliseconds it waits first. */
  delay: number;
  error: FraudidxError;
}

export interface ClientOptions {
  /** Sent as Authorization: Bearer (a bot's key; an analyst's token for request()). */
  apiKey?: string | null;
  /** Milliseconds for each attempt (default 5000). */
  timeout?: number;
  /** Tries after the first (default 2). */
  retries?: number;
  /** Milliseconds (defaults 200 and 5000). */
  backoff?: number;
  maxBackoff?: number;
  /** Seconds: a longer Retry-After is raised at once, not waited for (default 60). */
  maxRetryAfter?: number;
  userAgent?: string;
  /** Items a batch request (defaults 1000 and 100). */
  batchSize?: number;
  scanBatchSize?: number;
  onRetry?: ((event: RetryEvent) => void) | null;
  /** Another fetch (the global one by default). */
  fetch?: (input: string, init?: any) => Promise<any>;
}

export interface CallOptions {
  /** Cancels the call, its retries and waits included (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface RequestOptions extends CallOptions {
  params?: Record<string, string>;
  /** A body sent as JSON. */
  json?: unknown;
  /** A body sent as is, with contentType. */
  body?: string;
  contentType?: string;
  /** Default: true for GET, HEAD, OPTIONS, PUT and DELETE. */
  idempotent?: boolean;
}

export declare class Client {
  constructor(baseUrl?: string, options?: ClientOptions);
  readonly baseUrl: string;
  check(value: string,
        options?: CallOptions & { kind?: Kind; platform?: string }): Promise<CheckResult>;
  checkBatch(items: Iterable<BatchItem>,
             options?: CallOptions): Promise<Array<CheckResult | ItemError>>;
  scan(text: string, options?: CallOptions): Promise<ScanResult>;
  scanMany(texts: Iterable<string>,
           options?: CallOptions): Promise<Array<ScanResult | ItemError>>;
  /** The older name of scanMany. */
  scanBatch(texts: Iterable<string>,
            options?: CallOptions): Promise<Array<ScanResult | ItemError>>;
  checkImage(bytes: Uint8Array | ArrayBuffer | Blob,
             options?: CallOptions): Promise<ImageResult>;
  report(report: ReportInput, options?: CallOptions): Promise<Report>;
  warnings(since?: string | null,
           options?: CallOptions & { region?: string; category?: string }): Promise<Warning[]>;
  warning(id: string, options?: CallOptions): Promise<Warning>;
  info(options?: CallOptions): Promise<Record<string, any>>;
  health(options?: CallOptions): Promise<boolean>;
  request(method: string, path: string, options?: RequestOptions): Promise<any>;
}

export declare function isItemError(x: unknown): x is ItemError;
/** Retry-After in seconds (delta-seconds or an HTTP date), or null. */
export declare function parseRetryAfter(value: string | null | undefined): number | null;

export declare class FraudidxError extends Error {}

export declare class HTTPError extends FraudidxError {
  readonly status: number;
  /** The contract's error code (invalid_value, bad_request, …), or null. */
  readonly code: string | null;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}
export declare class InvalidValue extends HTTPError {}
export declare class Unauthorized extends HTTPError {}
export declare class RateLimited extends HTTPError {
  /** Seconds the service asked to wait, or null. */
  readonly retryAfter: number | null;
}
export declare class Unavailable extends FraudidxError {
  /** 503 (or a proxy's 502/504), or null when no answer came. */
  readonly status: number | null;
  readonly code: string | null;
  readonly retryAfter: number | null;
}
export declare class Timeout extends Unavailable {}
