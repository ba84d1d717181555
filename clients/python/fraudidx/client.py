"""The fraudidx HTTP client: one keep-alive connection (http.client), JSON in and out, typed
results, retries with backoff that honour Retry-After.

Retry policy (docs/CLIENTS.md):
- Lookups (check, check_batch, scan, scan_many, info) change nothing on the service, so any
  failure that may pass is retried: no connection, a connection reset, a timeout, 429, 502,
  503, 504.
- A report changes the service (it is stored). It is retried only when the service cannot have
  stored it: the connection could not be made (nothing was sent), or the answer was 429 or 503
  with Retry-After (the service refused it before storing it and said when to come back).
  Never after a timeout or a connection lost once the report was sent: the service may have
  stored it and the answer got lost, and sending it again would file it twice (a duplicate in
  the analysts' queue, and one more of the reporter's rate-limited allowance).
- The wait before attempt n+1 is Retry-After when the service sent one (plus up to `backoff`
  seconds of jitter), else half of min(max_backoff, backoff * 2**n) plus a random part of
  the same size ("equal jitter": clients that failed together do not come back together).
- A Retry-After longer than max_retry_after is not waited for: the error is raised at once
  and carries retry_after, for the caller to decide.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import random
import select
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import __version__
from .errors import (FraudidxError, HTTPError, InvalidValue, RateLimited, Timeout,
                     Unauthorized, Unavailable)
from .models import (BatchItem, CheckOutcome, CheckResult, ImageResult, Query, Report,
                     ScamWarning, ScanOutcome, ScanResult, check_outcome, scan_outcome)

MAX_SCAN_BATCH_BYTES = 1024 * 1024  # the documented limit of one batch scan body
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryEvent:
    """Passed to on_retry before each wait: the attempt about to be made (2 for the first
    retry), the seconds it will wait, and the error that made it retry."""

    attempt: int
    delay: float
    error: FraudidxError


class _NotSent(Exception):
    """The connection could not be made: nothing of the request left the client."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class _Outcome:
    """One attempt: the answer, or the error, whether it may be retried, and the service's
    Retry-After."""

    answer: _Answer | None = None
    error: FraudidxError | None = None
    may_retry: bool = False
    retry_after: float | None = None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error(a: _Answer) -> FraudidxError:
    """The exception for an error answer."""
    code: str | None = None
    body: Any = None
    message = ""
    try:
        body = json.loads(a.body.decode("utf-8"))
        code, message = str(body["error"]["code"]), str(body["error"]["message"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        message = a.body[:200].decode("utf-8", "replace").strip()
    message = message or http.client.responses.get(a.status, "error")
    ra = _retry_after(a.headers.get("retry-after"))
    if a.status == 429:
        return RateLimited(a.status, code, message, a.headers, body, retry_after=ra)
    if a.status in (502, 503, 504):
        return Unavailable(message, status=a.status, code=code, retry_after=ra)
    if a.status == 401:
        return Unauthorized(a.status, code, message, a.headers, body)
    if a.status == 400 and code == "invalid_value":
        return InvalidValue(a.status, code, message, a.headers, body)
    return HTTPError(a.status, code, message, a.headers, body)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Client:
    """A client of one fraudidx service.

    base_url: "http://host:port" (a path prefix is kept: "https://example.org/fraudidx").
    api_key: sent as "Authorization: Bearer KEY" (a bot's key once the service has keys; an
        analyst's token for request() on /v1/admin routes).
    timeout: seconds for connecting and for each read of an answer.
    retries: how many times a failed call is tried again (0: never); see the module's notes.
    batch_size / scan_batch_size: check_batch and scan_batch send this many items a request
        (the service's --max-batch is 1,000; a batch scan takes up to 100 texts).
    on_retry: called with a RetryEvent before each wait (for logs or metrics).

    One connection, kept alive between calls. Calls from several threads take turns on it;
    give each thread its own Client to call in parallel. Use as a context manager, or call
    close().
    """

    def __init__(self, base_url: str = "http://127.0.0.1:8080", api_key: str | None = None, *,
                 timeout: float = 5.0, retries: int = 2, backoff: float = 0.2,
                 max_backoff: float = 5.0, max_retry_after: float = 60.0,
                 user_agent: str | None = None, batch_size: int = 1000,
                 scan_batch_size: int = 100,
                 on_retry: Callable[[RetryEvent], None] | None = None) -> None:
        u = urllib.parse.urlsplit(base_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"base_url must be http://HOST[:PORT] or https://…, not {base_url!r}")
        if retries < 0 or timeout <= 0 or batch_size < 1 or scan_batch_size < 1:
            raise ValueError("retries must be >= 0, timeout > 0, batch sizes >= 1")
        self.base_url = base_url.rstrip("/")
        self._https = u.scheme == "https"
        self._host = u.hostname
        self._port = u.port
        self._prefix = u.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.batch_size = batch_size
        self.scan_batch_size = scan_batch_size
        self.on_retry = on_retry
        self.user_agent = user_agent or (
            f"fraudidx-python/{__version__} python/{sys.version_info[0]}.{sys.version_info[1]}")
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    # ---- the API ----

    def check(self, value: str, kind: str | None = None,
              platform: str | None = None) -> CheckResult:
        """GET /v1/check: one value's verdict. Raises InvalidValue when the value cannot be
        read as its kind (or as any kind, when kind is None)."""
        params = {"q": value}
        if kind:
            params["kind"] = kind
        if platform:
            params["platform"] = platform
        return CheckResult.from_json(self._json("GET", "/v1/check", params=params))

    def check_batch(self, items: Iterable[BatchItem]) -> list[CheckOutcome]:
        """POST /v1/check: many values, batch_size a request. Each item is a value, a Query or
        a {"q","kind","platform"} mapping; the answer has one CheckResult or ItemError per
        item, in order."""
        payload = [i.to_json() if isinstance(i, Query) else i for i in items]
        out: list[CheckOutcome] = []
        for chunk in _chunks(payload, self.batch_size):
            answer = self._json("POST", "/v1/check", body={"items": list(chunk)})
            out.extend(check_outcome(r) for r in self._results(answer, len(chunk)))
        return out

    def scan(self, text: str) -> ScanResult:
        """POST /v1/scan: every indicator in a post and the post's verdict (block, review,
        allow). A text over 64 KiB of UTF-8 is HTTPError 413."""
        return ScanResult.from_json(self._json("POST", "/v1/scan", body={"text": text}))

    def scan_many(self, texts: Iterable[str]) -> list[ScanOutcome]:
        """POST /v1/scan with {"texts":[…]}: many posts, scan_batch_size (and at most 1 MiB)
        a request; one ScanResult or ItemError per text, in order (an ItemError's query is
        None: the service does not send a text back). A value found in several posts of a
        request is looked up once."""
        out: list[ScanOutcome] = []
        for chunk in self._scan_chunks(list(texts)):
            answer = self._json("POST", "/v1/scan", body={"texts": chunk})
            out.extend(scan_outcome(r) for r in self._results(answer, len(chunk)))
        return out

    scan_batch = scan_many  # the name this method had before the service took batches

    def image(self, data: bytes) -> ImageResult:
        """POST /v1/image: a screenshot or photo (PNG, JPEG or WebP bytes, at most 4 MiB and
        24 megapixels): its QR codes checked (a VietQR code as the account it pays), its text
        read and scanned, and the image's verdict. An image takes a second or so to read:
        give this client a timeout of several seconds. HTTPError 400 invalid_image (not an
        image, or cut short), 413 too_large; Unavailable (503) when the service's image
        threads are all busy, after the retries. Nothing is stored, so it is retried."""
        a = self._call("POST", "/v1/image", params=None, json_body=None, raw=bytes(data),
                       content_type="application/octet-stream", idempotent=True)
        return ImageResult.from_json(self._decode(a))

    def report(self, kind: str | None, value: str, category: str | None = None,
               description: str | None = None, *, bank: str | None = None,
               platform: str | None = None) -> Report:
        """POST /v1/reports: report a scam. kind None: detected from the value. Stored as
        pending for analysts; a report never changes a verdict by itself. Rate-limited by the
        service (RateLimited). Not retried after it may have been stored (see the module)."""
        body: dict[str, Any] = {"value": value}
        for k, v in (("kind", kind), ("category", category), ("description", description),
                     ("bank", bank), ("platform", platform)):
            if v is not None:
                body[k] = v
        return Report.from_json(self._json("POST", "/v1/reports", body=body, idempotent=False))

    def warnings(self, since: str | None = None, region: str | None = None,
                 category: str | None = None) -> list[ScamWarning]:
        """GET /v1/warnings, every page: the warnings published (or retracted) and changed
        at or after since (an RFC 3339 time such as a previous answer's newest "updated", or
        YYYY-MM-DD; None: all), of region (a province code: its warnings and the whole
        country's), newest publication first. A bot remembers the newest updated it saw and
        asks again with it: what comes back is new or changed (or the ones of that very second
        again: tell them by id and rev) (a retraction: state
        "retracted")."""
        params = {k: v for k, v in (("since", since), ("region", region),
                                    ("category", category)) if v}
        params["limit"] = "200"
        out: list[ScamWarning] = []
        while True:
            page = self._json("GET", "/v1/warnings", params=params)
            out += [ScamWarning.from_json(w) for w in page.get("warnings", ())]
            if not page.get("next"):
                return out
            params["after"] = page["next"]

    def warning(self, warning_id: str) -> ScamWarning:
        """GET /v1/warnings/ID: one published warning (a check's result names its ids)."""
        return ScamWarning.from_json(self._json("GET", "/v1/warnings/" +
                                            urllib.parse.quote(warning_id, safe="")))

    def info(self) -> dict[str, Any]:
        """GET /v1/info: the snapshot in use, the service's version and limits."""
        return dict(self._json("GET", "/v1/info"))

    def health(self) -> bool:
        """GET /healthz: True when the service is serving, False when it cannot answer."""
        try:
            return bool(self._json("GET", "/healthz").get("status") == "ok")
        except Unavailable:
            return False

    def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                json_body: Any = None, data: bytes | str | None = None,
                content_type: str | None = None, idempotent: bool | None = None) -> Any:
        """Any route (the analysts' /v1/admin/… ones, a route newer than this client): the
        answer's JSON (or text, for another Content-Type). Errors raise as for the methods.
        idempotent defaults to True for GET, HEAD, OPTIONS, PUT and DELETE."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        raw = data.encode("utf-8") if isinstance(data, str) else data
        a = self._call(method, path, params=params, json_body=json_body, raw=raw,
                       content_type=content_type, idempotent=idempotent)
        if a.headers.get("content-type", "").startswith("application/json"):
            return self._decode(a)
        return a.body.decode("utf-8", "replace")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- helpers of the API ----

    def _json(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
              body: Any = None, idempotent: bool = True) -> Any:
        a = self._call(method, path, params=params, json_body=body, raw=None, content_type=None,
                       idempotent=idempotent)
        return self._decode(a)

    @staticmethod
    def _decode(a: _Answer) -> Any:
        try:
            return json.loads(a.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise FraudidxError(f"the service answered {a.status} with a body that is not "
                                f"JSON: {e}") from None

    @staticmethod
    def _results(answer: Any, n: int) -> list[Any]:
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != n:
            raise FraudidxError(f"the service answered a batch of {n} without {n} results")
        return results

    def _scan_chunks(self, texts: list[str]) -> Iterable[list[str]]:
        chunk: list[str] = []
        size = 0
        for t in texts:
            n = len(json.dumps(t, ensure_ascii=False).encode("utf-8")) + 1
            if chunk and (len(chunk) >= self.scan_batch_size or
                          size + n > MAX_SCAN_BATCH_BYTES - 64):
                yield chunk
                chunk, size = [], 0
            chunk.append(t)
            size += n
        if chunk:
            yield chunk

    # ---- the transport ----

    def _target(self, path: str, params: Mapping[str, str] | None) -> str:
        target = self._prefix + path
        if params:
            target += "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        return target

    def _headers(self, content_type: str | None) -> dict[str, str]:
        h = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if self.api_key:
            h["Authorization"] = "Bearer " + self.api_key
        if content_type:
            h["Content-Type"] = content_type
        return h

    def _call(self, method: str, path: str, *, params: Mapping[str, str] | None,
              json_body: Any, raw: bytes | None, content_type: str | None,
              idempotent: bool) -> _Answer:
        body = raw
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            content_type = content_type or "application/json"
        target = self._target(path, params)
        headers = self._headers(content_type)
        with self._lock:
            return self._with_retries(method, target, body, headers, idempotent)

    def _with_retries(self, method: str, target: str, body: bytes | None,
                      headers: dict[str, str], idempotent: bool) -> _Answer:
        attempt = 0
        while True:
            o = self._try_once(method, target, body, headers, idempotent)
            if o.answer is not None:
                return o.answer
            assert o.error is not None
            if not o.may_retry or attempt >= self.retries:
                raise o.error
            delay = self._delay(attempt, o.retry_after)
            if self.on_retry:
                self.on_retry(RetryEvent(attempt + 2, delay, o.error))
            time.sleep(delay)
            attempt += 1

    def _try_once(self, method: str, target: str, body: bytes | None, headers: dict[str, str],
                  idempotent: bool) -> _Outcome:
        try:
            a = self._attempt(method, target, body, headers)
        except _NotSent as e:
            return _Outcome(error=Unavailable(f"cannot connect to {self.base_url}: {e.cause}"),
                            may_retry=True)
        except TimeoutError:  # socket.timeout is TimeoutError
            return _Outcome(error=Timeout(f"no answer from {self.base_url} within "
                                          f"{self.timeout} s"), may_retry=idempotent)
        except (OSError, http.client.HTTPException) as e:
            return _Outcome(error=Unavailable(f"the connection to {self.base_url} failed: "
                                              f"{e!r}"), may_retry=idempotent)
        if a.status < 400:
            return _Outcome(answer=a)
        err = _error(a)
        if not isinstance(err, (RateLimited, Unavailable)):
            return _Outcome(error=err)
        ra = err.retry_after
        if ra is not None and ra > self.max_retry_after:
            return _Outcome(error=err)
        # Without Retry-After a 503 may come after the request was taken (a change waiting
        # for a failed disk): only lookups are sent again then.
        return _Outcome(error=err, may_retry=idempotent or ra is not None, retry_after=ra)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after + random.uniform(0, self.backoff)
        cap = min(self.max_backoff, self.backoff * 2.0 ** attempt)
        return cap / 2 + random.uniform(0, cap / 2)

    def _attempt(self, method: str, target: str, body: bytes | None,
                 headers: dict[str, str]) -> _Answer:
        conn = self._connection()
        if conn.sock is None:
            try:
                conn.connect()
            except OSError as e:
                self._drop()
                raise _NotSent(e) from e
        try:
            conn.request(method, target, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except BaseException:
            self._drop()
            raise
        answer = _Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        if resp.will_close:
            self._drop()
        return answer

    def _connection(self) -> http.client.HTTPConnection:
        c = self._conn
        if c is not None and c.sock is not None:
            # A kept-alive connection the service has closed meanwhile (its idle timeout) is
            # readable (EOF): start afresh rather than send into it.
            readable, _, _ = select.select([c.sock], [], [], 0)
            if readable:
                self._drop()
                c = None
        if c is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            c = self._conn = cls(self._host, self._port, timeout=self.timeout)
        return c

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None


__all__ = ["Client", "RetryEvent"]
