"""The Telegram bot's warnings to its group (docs/WARNINGS.md): each new warning of its
province, posted once; a warning it posted and that was retracted since, taken back once; and
the words a check's related warning adds to the bot's answer. Pure functions and a small state
file; bot.py does the sending.

State: a JSON file {"since": TIME, "posted": {ID: "published" | "retracted"}}, written whole to
a temporary file and renamed over the old one after each message, so a bot restarted (or
killed) in the middle posts nothing twice: at worst a message sent just before a crash is sent
again, never one that was recorded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Callable

from fraudidx import Client, ScamWarning

SEVERITY_VI = {"high": "🚨", "medium": "📢", "low": "ℹ️"}


@dataclass
class Posted:
    """What the bot has posted: warning id → the state it posted it in; since: the newest
    `updated` it has seen (the next poll asks for what changed after it)."""

    since: str | None = None
    posted: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str) -> Posted:
        try:
            with open(path, encoding="utf-8") as f:
                o = json.load(f)
        except FileNotFoundError:
            return cls()
        return cls(since=o.get("since"), posted=dict(o.get("posted", {})))

    def save(self, path: str) -> None:
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"since": self.since, "posted": self.posted}, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


def link(base_url: str, w: ScamWarning) -> str:
    return base_url.rstrip("/") + w.path


def warning_text(w: ScamWarning, base_url: str) -> str:
    """A new warning as the group reads it: who issues it, the title, the text, the advice and
    the link to its page (the police's own words, whole)."""
    head = SEVERITY_VI.get(w.severity, "📢") + " CẢNH BÁO"
    if w.issuer:
        head += " của " + w.issuer
    parts = [head + ": " + w.title, w.text]
    if w.advice:
        parts.append("Nên làm gì: " + w.advice)
    parts.append("Chi tiết: " + link(base_url, w))
    return "\n\n".join(parts)


def retraction_text(w: ScamWarning, base_url: str) -> str:
    return ("↩️ Cảnh báo \"" + w.title + "\" đã được rút lại" +
            (": " + w.reason if w.reason else "") + ". " + link(base_url, w))


def quote_text(w: ScamWarning, base_url: str) -> str:
    """The line a check's related warning adds to the bot's answer."""
    who = w.issuer or "cơ quan chức năng"
    return "📢 Cảnh báo của " + who + ": " + w.title + " — " + link(base_url, w)


def to_post(warnings: list[ScamWarning], posted: Posted) -> list[tuple[str, ScamWarning]]:
    """What to send, oldest publication first (warnings is the service's list, newest first):
    ("new", w) for a published warning not posted yet, ("retracted", w) for one posted and
    retracted since. A warning retracted before the bot ever posted it is not mentioned."""
    out = []
    for w in reversed(warnings):
        was = posted.posted.get(w.id)
        if w.state == "published" and was is None:
            out.append(("new", w))
        elif w.state == "retracted" and was == "published":
            out.append(("retracted", w))
    return out


def post_round(fx: Client, send: Callable[[str], None], region: str | None, posted: Posted,
               state_path: str, base_url: str) -> int:
    """One poll: asks fraudidx what changed since the last one (of region), sends each message
    through send and records it at once. Returns how many were sent."""
    warnings = fx.warnings(since=posted.since, region=region)
    sent = 0
    for what, w in to_post(warnings, posted):
        send(warning_text(w, base_url) if what == "new" else retraction_text(w, base_url))
        posted.posted[w.id] = w.state
        posted.save(state_path)
        sent += 1
    newest = max((w.updated for w in warnings), default=None)
    if newest and (posted.since is None or newest > posted.since):
        posted.since = newest
        posted.save(state_path)
    return sent
