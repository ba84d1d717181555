"""fraudidx: a client of the fraudidx service (Vietnam's fraud-indicator lookups) for bots and
apps. Standard library only.

    from fraudidx import Client
    with Client("http://127.0.0.1:8080") as fx:
        fx.check("0912 345 678").verdict          # scam | suspicious | safe | unknown
        fx.scan("Gọi 0910.001.001 nhận quà").verdict  # block | review | allow

docs/CLIENTS.md has the whole API and the retry policy.
"""

__version__ = "0.1.0"

from .client import Client, RetryEvent  # noqa: E402  (client reads __version__)
from .errors import (FraudidxError, HTTPError, InvalidValue, RateLimited,  # noqa: E402
                     Timeout, Unauthorized, Unavailable)
from .models import (CheckResult, ImageResult, ItemError, Match, Query, Report,  # noqa: E402
                     ScamWarning, ScanMatch, ScanResult, VietQR)

__all__ = [
    "Client", "RetryEvent",
    "FraudidxError", "HTTPError", "InvalidValue", "RateLimited", "Timeout", "Unauthorized",
    "Unavailable",
    "CheckResult", "ImageResult", "ItemError", "Match", "Query", "Report", "ScanMatch",
    "ScanResult", "ScamWarning", "VietQR",
    "__version__",
]
