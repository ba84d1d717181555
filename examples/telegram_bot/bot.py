#!/usr/bin/env python3
"""A Telegram group bot on fraudidx: every message (and every edit) in the groups it is in is
scanned; a post whose verdict is block is deleted with a notice (or, when the bot may not
delete, answered with a warning), a post to review is answered with a warning. In a private
chat it answers anyone who forwards it a message with the verdict. Standard library only, on
the Python client (clients/python); the decisions are in decide.py.

    TELEGRAM_BOT_TOKEN=123456:ABC… python3 examples/telegram_bot/bot.py [--no-delete] [--dry-run]

Environment: TELEGRAM_BOT_TOKEN (from @BotFather), FRAUDIDX_URL (default
http://127.0.0.1:8080), FRAUDIDX_API_KEY (optional); to post the warnings of a province into a
group: FIDX_WARNINGS_CHAT (the group's chat id), FIDX_WARNINGS_REGION (a province code, e.g.
ha-tinh; absent: every warning), FIDX_WARNINGS_STATE (what was posted; default
telegram-warnings.json). Setup and what the bot needs in a group: examples/telegram_bot/README.md.

The Bot API over HTTPS, long polling (getUpdates with a 50 s timeout); updates are taken one
batch at a time and confirmed by the next call's offset. When fraudidx cannot answer the post
is left alone (fail open) and the failure logged.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import fraudidx
except ImportError:  # not installed: the client in the repository
    sys.path.insert(0, os.path.join(HERE, "..", "..", "clients", "python"))
    import fraudidx

from decide import Action, decide, post_of  # noqa: E402
from warn import Posted, post_round, quote_text  # noqa: E402

log = logging.getLogger("fraudidx-telegram")
POLL_SECONDS = 50
WARNINGS_EVERY = 60  # seconds between two polls of fraudidx's warnings (answered 304-cheap)


class TelegramError(Exception):
    def __init__(self, method: str, description: str, code: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{method}: {description}")
        self.code = code
        self.retry_after = retry_after


class Telegram:
    """The Bot API's methods: POST https://api.telegram.org/bot<token>/<method> with JSON."""

    def __init__(self, token: str, base: str = "https://api.telegram.org") -> None:
        self.url = f"{base}/bot{token}/"

    def call(self, method: str, http_timeout: float = 20, **params: Any) -> Any:
        body = {k: v for k, v in params.items() if v is not None}
        req = urllib.request.Request(self.url + method, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=http_timeout) as resp:
                answer = json.load(resp)
        except urllib.error.HTTPError as e:  # the Bot API answers errors in JSON too
            answer = json.load(e)
        if not answer.get("ok"):
            retry = (answer.get("parameters") or {}).get("retry_after")
            raise TelegramError(method, str(answer.get("description")),
                                answer.get("error_code"), retry)
        return answer["result"]


def perform(tg: Telegram, a: Action, dry_run: bool) -> None:
    if a.kind == "none":
        return
    if dry_run:
        log.info("would %s message %s in chat %s: %s", a.kind, a.message_id, a.chat_id, a.text)
        return
    if a.kind == "delete":
        try:
            tg.call("deleteMessage", chat_id=a.chat_id, message_id=a.message_id)
        except TelegramError as e:  # not an admin, or the message is too old to delete
            log.warning("cannot delete message %s in chat %s (%s)", a.message_id, a.chat_id, e)
            if a.fallback:
                perform(tg, a.fallback, dry_run)
            return
        tg.call("sendMessage", chat_id=a.chat_id, text=a.text,
                link_preview_options={"is_disabled": True})
    elif a.kind == "reply":
        tg.call("sendMessage", chat_id=a.chat_id, text=a.text,
                reply_parameters={"message_id": a.message_id,
                                  "allow_sending_without_reply": True},
                link_preview_options={"is_disabled": True})


def related_quote(fx: fraudidx.Client, scan: fraudidx.ScanResult, base_url: str) -> str | None:
    """The words of the first warning the scan names (the police's own), or None."""
    if not scan.warnings or scan.verdict == "allow":
        return None
    try:
        return quote_text(fx.warning(scan.warnings[0]), base_url)
    except fraudidx.FraudidxError as e:  # retracted in between, or fraudidx busy: no quote
        log.warning("cannot read warning %s (%s)", scan.warnings[0], e)
        return None


def handle(tg: Telegram, fx: fraudidx.Client, update: dict[str, Any], bot_id: int,
           delete_blocked: bool, dry_run: bool) -> None:
    post = post_of(update, bot_id)
    if post is None:
        return
    try:
        scan = fx.scan(post.text)
    except fraudidx.FraudidxError as e:
        log.error("fraudidx could not scan message %s in chat %s (%s): left alone",
                  post.message_id, post.chat_id, e)
        return
    action = decide(post, scan, delete_blocked, related_quote(fx, scan, fx.base_url))
    log.info("chat %s message %s: %s -> %s", post.chat_id, post.message_id, scan.verdict,
             action.kind)
    try:
        perform(tg, action, dry_run)
    except (TelegramError, OSError) as e:
        log.error("chat %s message %s: %s failed: %s", post.chat_id, post.message_id,
                  action.kind, e)


class Warnings:
    """Posting each new warning of a province into one chat, once (warn.py)."""

    def __init__(self, chat_id: int, region: str | None, state_path: str) -> None:
        self.chat_id, self.region, self.state_path = chat_id, region, state_path
        self.posted = Posted.load(state_path)
        self.last = 0.0

    def poll(self, tg: Telegram, fx: fraudidx.Client, dry_run: bool) -> None:
        if time.monotonic() - self.last < WARNINGS_EVERY:
            return
        self.last = time.monotonic()

        def send(text: str) -> None:
            if dry_run:
                log.info("would post to chat %s: %s", self.chat_id, text)
            else:
                tg.call("sendMessage", chat_id=self.chat_id, text=text,
                        link_preview_options={"is_disabled": True})
        try:
            n = post_round(fx, send, self.region, self.posted, self.state_path, fx.base_url)
        except (fraudidx.FraudidxError, TelegramError, OSError) as e:
            log.warning("warnings not posted this time (%s)", e)
            return
        if n:
            log.info("posted %d warning messages to chat %s", n, self.chat_id)


def run(tg: Telegram, fx: fraudidx.Client, delete_blocked: bool, dry_run: bool,
        warnings: Warnings | None = None) -> None:
    me = tg.call("getMe")
    log.info("running as @%s", me.get("username"))
    offset = None
    failures = 0
    while True:
        if warnings:
            warnings.poll(tg, fx, dry_run)
        try:
            updates = tg.call("getUpdates", http_timeout=POLL_SECONDS + 10, offset=offset,
                              timeout=POLL_SECONDS,
                              allowed_updates=["message", "edited_message"])
            failures = 0
        except TelegramError as e:
            if e.code == 401:
                raise
            failures += 1
            time.sleep(e.retry_after or min(60, 2 ** failures))
            continue
        except (OSError, ValueError) as e:  # the network, or an answer that is not JSON
            failures += 1
            log.warning("getUpdates failed (%s); trying again", e)
            time.sleep(min(60, 2 ** failures))
            continue
        for update in updates:
            offset = update["update_id"] + 1
            handle(tg, fx, update, me["id"], delete_blocked, dry_run)


def main() -> int:
    p = argparse.ArgumentParser(description="A Telegram group bot on fraudidx.")
    p.add_argument("--no-delete", action="store_true",
                   help="answer blocked posts with a warning instead of deleting them")
    p.add_argument("--dry-run", action="store_true", help="log the actions, take none")
    a = p.parse_args()
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if not token:
        p.error("TELEGRAM_BOT_TOKEN is not set (ask @BotFather for one)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    fx = fraudidx.Client(os.environ.get("FRAUDIDX_URL", "http://127.0.0.1:8080"),
                         os.environ.get("FRAUDIDX_API_KEY"), timeout=3.0, retries=2)
    chat = os.environ.get("FIDX_WARNINGS_CHAT")
    warnings = Warnings(int(chat), os.environ.get("FIDX_WARNINGS_REGION") or None,
                        os.environ.get("FIDX_WARNINGS_STATE", "telegram-warnings.json")
                        ) if chat else None
    try:
        run(Telegram(token), fx, not a.no_delete, a.dry_run, warnings)
    except KeyboardInterrupt:
        return 0
    except TelegramError as e:
        log.error("%s", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
