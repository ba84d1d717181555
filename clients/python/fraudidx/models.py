"""Typed results: what the service answers, as dataclasses (docs/openapi.json has the schemas).

Each keeps the JSON object it was read from in `raw`, so members a newer service adds are not
lost. Members the service may leave out are None (or empty) here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Union

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Match:
    """The indicator entry that decided a verdict."""

    kind: str
    value: str
    status: str  # confirmed | reported | allowlisted
    categories: tuple[str, ...]
    reports: int
    sources: tuple[str, ...]
    first_seen: str | None = None  # YYYY-MM-DD
    last_seen: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> Match:
        return cls(kind=o["kind"], value=o["value"], status=o["status"],
                   categories=tuple(o.get("categories", ())), reports=int(o.get("reports", 0)),
                   sources=tuple(o.get("sources", ())), first_seen=o.get("first_seen"),
                   last_seen=o.get("last_seen"), raw=o)


def _match(o: Json) -> Match | None:
    m = o.get("match")
    return Match.from_json(m) if m else None


@dataclass(frozen=True)
class VietQR:
    """What a VietQR payload (a bank transfer's QR code) asks, besides the account it was
    checked as: None where the payload does not say."""

    bank: str | None  # the bank's short name ("Vietcombank"); None for a BIN not in the table
    bin: str
    account: str
    card: bool  # a transfer to a card number
    amount: str | None
    currency: str | None  # "VND"
    purpose: str | None
    name: str | None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> VietQR:
        return cls(bank=o.get("bank"), bin=o["bin"], account=o["account"],
                   card=bool(o.get("card")), amount=o.get("amount"), currency=o.get("currency"),
                   purpose=o.get("purpose"), name=o.get("name"), raw=o)


def _qr(o: Json) -> VietQR | None:
    q = o.get("qr")
    return VietQR.from_json(q) if q else None


@dataclass(frozen=True)
class CheckResult:
    """One value checked: scam (a confirmed entry decided), suspicious (a reported one), safe
    (an allowlisted one) or unknown (nothing matched; match is then None). qr is set when the
    value was a VietQR payload, checked as the bank account it names."""

    query: str
    kind: str
    canonical: str
    verdict: str
    match: Match | None = None
    qr: VietQR | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)
    # Ids of the published warnings that concern the value (Client.warning reads one).
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, o: Json) -> CheckResult:
        return cls(query=o["query"], kind=o["kind"], canonical=o["canonical"],
                   verdict=o["verdict"], match=_match(o), qr=_qr(o), raw=o,
                   warnings=tuple(o.get("warnings", ())))

    @property
    def is_scam(self) -> bool:
        return self.verdict == "scam"


@dataclass(frozen=True)
class ItemError:
    """An item of a batch that could not be answered (the others were): code invalid_value,
    too_large or bad_request, and why. query is the item's value (None if it had none)."""

    query: str | None
    code: str
    message: str
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> ItemError:
        e = o.get("error") or {}
        return cls(query=o.get("query"), code=str(e.get("code", "")),
                   message=str(e.get("message", "")), raw=o)


@dataclass(frozen=True)
class ScanMatch:
    """An indicator found in a post: where (byte offsets into the UTF-8 text), what it reads
    as, and its own verdict."""

    text: str
    start: int
    end: int
    kind: str
    canonical: str
    verdict: str
    match: Match | None = None
    qr: VietQR | None = None  # a VietQR payload pasted in the post
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> ScanMatch:
        return cls(text=o["text"], start=int(o["start"]), end=int(o["end"]), kind=o["kind"],
                   canonical=o["canonical"], verdict=o["verdict"], match=_match(o), qr=_qr(o),
                   raw=o)


@dataclass(frozen=True)
class ScanResult:
    """A post scanned: block (a confirmed scam indicator is in it), review (only reported
    ones), allow; every indicator found; truncated when there were more than one scan lists."""

    verdict: str
    matches: tuple[ScanMatch, ...]
    truncated: bool = False
    raw: Json = field(default_factory=dict, repr=False, compare=False)
    # Ids of the published warnings that concern the post's values (Client.warning reads one).
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, o: Json) -> ScanResult:
        return cls(verdict=o["verdict"],
                   matches=tuple(ScanMatch.from_json(m) for m in o.get("matches", ())),
                   truncated=bool(o.get("truncated", False)), raw=o,
                   warnings=tuple(o.get("warnings", ())))

    def flagged(self) -> tuple[ScanMatch, ...]:
        """The matches that are scam or suspicious."""
        return tuple(m for m in self.matches if m.verdict in ("scam", "suspicious"))


@dataclass(frozen=True)
class ImageResult:
    """An image checked (POST /v1/image): its QR codes, each checked as a value (a CheckResult,
    with qr for a VietQR payload, or an ItemError for a code that is no indicator or a damaged
    payload), its text as OCR read it, scanned as a post (offsets are bytes into text), and the
    image's verdict: block, review or allow."""

    verdict: str
    format: str  # png | jpeg | webp
    width: int
    height: int
    codes: tuple[CheckOutcome, ...]
    text: str
    scan: ScanResult
    codes_dropped: int = 0
    ocr_timed_out: bool = False  # the time limit stopped OCR: text is what was read by then
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> ImageResult:
        img = o.get("image") or {}
        return cls(verdict=o["verdict"], format=str(img.get("format", "")),
                   width=int(img.get("width", 0)), height=int(img.get("height", 0)),
                   codes=tuple(check_outcome(c) for c in o.get("codes", ())),
                   text=str(o.get("text", "")), scan=ScanResult.from_json(o["scan"]),
                   codes_dropped=int(o.get("codes_dropped", 0)),
                   ocr_timed_out=bool((o.get("ocr") or {}).get("timed_out", False)), raw=o)


@dataclass(frozen=True)
class Report:
    """A report stored as pending review."""

    id: str
    status: str
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> Report:
        return cls(id=o["id"], status=o["status"], raw=o)


@dataclass(frozen=True)
class Query:
    """A batch item with its kind (and, for a bare handle, its platform) given."""

    value: str
    kind: str | None = None
    platform: str | None = None

    def to_json(self) -> Any:
        if self.kind is None and self.platform is None:
            return self.value
        o: dict[str, Any] = {"q": self.value}
        if self.kind is not None:
            o["kind"] = self.kind
        if self.platform is not None:
            o["platform"] = self.platform
        return o


BatchItem = Union[str, Query, Mapping[str, Any]]
CheckOutcome = Union[CheckResult, ItemError]
ScanOutcome = Union[ScanResult, ItemError]


def check_outcome(o: Json) -> CheckOutcome:
    return ItemError.from_json(o) if "error" in o else CheckResult.from_json(o)


def scan_outcome(o: Json) -> ScanOutcome:
    return ItemError.from_json(o) if "error" in o else ScanResult.from_json(o)


@dataclass(frozen=True)
class ScamWarning:
    """A warning to the public (docs/WARNINGS.md): published, or retracted since (then reason
    says why). title, text and advice are Vietnamese; their English, when written, is in
    raw["title"]["en"] and so on. Times are RFC 3339 strings (None when not set)."""

    id: str
    state: str  # published | retracted
    title: str
    text: str
    advice: str | None
    category: str | None
    regions: tuple[str, ...]  # province codes, or ("all",)
    indicators: tuple[tuple[str, str], ...]  # (kind, canonical value)
    severity: str  # low | medium | high
    issuer: str | None
    published: str | None
    updated: str
    valid_until: str | None = None
    reason: str | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Json) -> ScamWarning:
        return cls(id=o["id"], state=o["state"], title=o["title"]["vi"], text=o["text"]["vi"],
                   advice=(o.get("advice") or {}).get("vi"), category=o.get("category"),
                   regions=tuple(o.get("regions", ())),
                   indicators=tuple((i["kind"], i["value"]) for i in o.get("indicators", ())),
                   severity=o.get("severity", "medium"), issuer=o.get("issuer"),
                   published=o.get("published"), updated=o["updated"],
                   valid_until=o.get("valid_until"), reason=o.get("reason"), raw=o)

    @property
    def path(self) -> str:
        """The warning's page on the service (join it to the base URL to share it)."""
        return "/warnings/" + self.id
