"""The exceptions a Client raises.

    FraudidxError                 anything this package raises
    ├── HTTPError                 the service answered with an error status
    │   ├── InvalidValue          400 invalid_value: the value cannot be read as its kind
    │   ├── Unauthorized          401: the key or token is missing or not valid
    │   └── RateLimited           429: too many requests; retry_after says when to come back
    └── Unavailable               the service could not answer: 502/503/504, or no answer
        └── Timeout               no answer within the timeout

Unavailable has status 503 (or 502/504 from a proxy) when the service or a proxy said so, and
None when no answer came at all (connection refused or reset, or a timeout).
"""

from __future__ import annotations

from typing import Any, Mapping


class FraudidxError(Exception):
    """Base of every error this package raises."""


class HTTPError(FraudidxError):
    """The service answered with an error: status, and the contract's error code and message
    ({"error":{"code","message"}}); code is None when the body was not such an object (a
    proxy's page, say)."""

    def __init__(self, status: int, code: str | None, message: str,
                 headers: Mapping[str, str] | None = None, body: Any = None) -> None:
        super().__init__(f"{status} {code or 'error'}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers: Mapping[str, str] = dict(headers or {})
        self.body = body


class InvalidValue(HTTPError):
    """400 invalid_value: the value cannot be read as its kind; message says why."""


class Unauthorized(HTTPError):
    """401: the API key (or analyst token) is missing or not valid."""


class RateLimited(HTTPError):
    """429: too many requests from this client; retry_after is the seconds the service asked
    to wait (None if it did not say)."""

    def __init__(self, status: int, code: str | None, message: str,
                 headers: Mapping[str, str] | None = None, body: Any = None,
                 retry_after: float | None = None) -> None:
        super().__init__(status, code, message, headers, body)
        self.retry_after = retry_after


class Unavailable(FraudidxError):
    """The service could not answer: 503 (or a proxy's 502/504), or no answer at all (status
    None: connection refused or reset). retry_after is the service's Retry-After, if any."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after


class Timeout(Unavailable):
    """No answer within the client's timeout. For a report this does not mean it was not
    stored: the service may have stored it after the client gave up (so it is not resent)."""
