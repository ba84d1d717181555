"""The Telegram bot's decisions, as pure functions (no I/O, unit-tested on recorded updates):

    post_of(update, bot_id)          Telegram Update (JSON) -> the Post to scan, or None
    decide(post, scan, delete=True)  Post + fraudidx ScanResult -> the Action to take

In a group: a post whose verdict is block is deleted (with a short notice in the chat), or, when
the bot may not delete or is told not to, answered with a warning; review is answered with a
warning; allow is left alone. In a private chat (someone forwards a message they doubt to the
bot) the bot answers with the verdict whatever it is.

What is scanned is what a reader sees and can follow: the text or a photo's caption, the targets
of links hidden behind words (text_link entities) and of link buttons, and Telegram @mentions
(read as t.me/NAME, the Telegram account they name). The bot's own texts never repeat an
indicator: a link in them would be shown with a preview, and the number or account is in the
message it answers anyway.

Telegram objects as the Bot API documents them: https://core.telegram.org/bots/api#update
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from fraudidx import ScanResult

GROUP_CHATS = ("group", "supergroup")

KIND_VI = {
    "phone": "số điện thoại",
    "bank_account": "số tài khoản ngân hàng",
    "url": "đường link",
    "domain": "trang web",
    "social_account": "tài khoản mạng xã hội",
    "email": "địa chỉ e-mail",
}

CATEGORY_VI = {
    "impersonation": "giả danh công an, ngân hàng, người quen",
    "task_job": "việc nhẹ lương cao, làm nhiệm vụ online",
    "investment": "đầu tư, tiền ảo",
    "loan": "cho vay online",
    "romance": "lừa tình cảm",
    "shopping": "mua bán online",
    "account_takeover": "chiếm đoạt tài khoản",
    "phishing": "trang giả mạo lấy mật khẩu, OTP",
    "malware_app": "ứng dụng độc hại",
    "recovery": "hứa lấy lại tiền đã bị lừa",
    "gambling": "cờ bạc online",
    "other": "lừa đảo",
}


@dataclass(frozen=True)
class Post:
    """A message to scan: where it is, who sent it, and the text a reader sees and follows."""

    chat_id: int
    chat_type: str  # private | group | supergroup
    message_id: int
    text: str
    author: str
    edited: bool = False
    forwarded_from: str | None = None


@dataclass(frozen=True)
class Action:
    """none; delete (message_id in chat_id, then text as a notice in the chat, or fallback if
    the message cannot be deleted); reply (text, answering message_id)."""

    kind: str
    reason: str = ""  # the post's verdict, for logs
    chat_id: int = 0
    message_id: int = 0
    text: str = ""
    fallback: Action | None = None


NOTHING = Action("none")


def utf16_slice(text: str, offset: int, length: int) -> str:
    """Entity offsets and lengths count UTF-16 code units (Bot API, MessageEntity)."""
    units = text.encode("utf-16-le")
    return units[2 * offset:2 * (offset + length)].decode("utf-16-le", "replace")


def _followed(text: str, entities: list[Mapping[str, Any]],
              markup: Mapping[str, Any] | None) -> list[str]:
    """What a reader can follow that the text does not show: hidden link targets, @mentions
    as Telegram accounts, link buttons."""
    out = []
    for e in entities:
        if e.get("type") == "text_link" and e.get("url"):
            out.append(str(e["url"]))
        elif e.get("type") == "mention":
            name = utf16_slice(text, int(e.get("offset", 0)), int(e.get("length", 0)))
            if name.startswith("@") and len(name) > 1:
                out.append("https://t.me/" + name[1:])
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if button.get("url"):
                out.append(str(button["url"]))
    return out


def _name(user: Mapping[str, Any] | None, chat: Mapping[str, Any] | None = None) -> str:
    if chat and chat.get("title"):
        return str(chat["title"])
    if not user:
        return "ai đó"
    name = " ".join(str(user[k]) for k in ("first_name", "last_name") if user.get(k))
    return name or ("@" + str(user["username"]) if user.get("username") else "ai đó")


def _forwarded_from(m: Mapping[str, Any]) -> str | None:
    """Who a forwarded message came from: forward_origin (Bot API 7.0) or the older fields."""
    o = m.get("forward_origin")
    if o:
        kind = o.get("type")
        if kind == "user":
            return _name(o.get("sender_user"))
        if kind == "hidden_user":
            return str(o.get("sender_user_name") or "ai đó")
        if kind in ("chat", "channel"):
            return _name(None, o.get("sender_chat") or o.get("chat"))
        return "ai đó"
    if m.get("forward_sender_name"):
        return str(m["forward_sender_name"])
    if m.get("forward_from") or m.get("forward_from_chat"):
        return _name(m.get("forward_from"), m.get("forward_from_chat"))
    return None


def post_of(update: Mapping[str, Any], bot_id: int | None = None) -> Post | None:
    """The post an update brings, or None: not a new or edited message in a group or a private
    chat, sent by the bot itself, or nothing to read (a photo without caption, someone
    joining)."""
    edited = "edited_message" in update
    m = update.get("edited_message") if edited else update.get("message")
    if not isinstance(m, Mapping):
        return None
    chat = m.get("chat") or {}
    if chat.get("type") not in GROUP_CHATS + ("private",):
        return None
    sender = m.get("from") or {}
    if bot_id is not None and sender.get("id") == bot_id:
        return None
    text = m.get("text")
    entities = m.get("entities", [])
    if text is None:
        text, entities = m.get("caption") or "", m.get("caption_entities", [])
    parts = [text] if text else []
    parts += _followed(text, entities, m.get("reply_markup"))
    if not parts:
        return None
    return Post(chat_id=int(chat["id"]), chat_type=str(chat["type"]),
                message_id=int(m["message_id"]), text="\n".join(parts),
                author=_name(sender, m.get("sender_chat")), edited=edited,
                forwarded_from=_forwarded_from(m))


def _what(scan: ScanResult, verdict: str) -> str:
    """The kinds and categories of the matches with that verdict, in words."""
    seen: list[str] = []
    for m in scan.matches:
        if m.verdict != verdict:
            continue
        cats = [CATEGORY_VI.get(c, c) for c in (m.match.categories if m.match else ())]
        what = KIND_VI.get(m.kind, m.kind) + (" (" + "; ".join(cats) + ")" if cats else "")
        if what not in seen:
            seen.append(what)
    return ", ".join(seen)


def block_warning(scan: ScanResult) -> str:
    return ("🚫 Cảnh báo lừa đảo: tin nhắn này có " + _what(scan, "scam") +
            " đã được xác nhận là lừa đảo. Đừng gọi, đừng bấm link, đừng chuyển tiền.")


def review_warning(scan: ScanResult) -> str:
    return ("⚠️ Cẩn thận: tin nhắn này có " + _what(scan, "suspicious") +
            " bị cộng đồng báo cáo là lừa đảo (chưa được xác minh). Đừng chuyển tiền, đừng "
            "đưa mã OTP cho ai.")


ALLOW_ANSWER = ("✅ Không thấy số điện thoại, tài khoản hay đường link nào đã bị báo cáo lừa đảo "
                "trong tin nhắn này. Nếu vẫn nghi ngờ, đừng chuyển tiền và hỏi người thân.")


def decide(post: Post, scan: ScanResult, delete_blocked: bool = True,
           quote: str | None = None) -> Action:
    """The action for a post, given its scan (a fraudidx ScanResult: verdict, matches). quote:
    a line the bot adds to a warning or notice (a related warning's words, warn.quote_text)."""
    def reply(text: str) -> Action:
        return Action("reply", scan.verdict, post.chat_id, post.message_id,
                      text + ("\n" + quote if quote and scan.verdict != "allow" else ""))

    if post.chat_type == "private":
        if scan.verdict == "block":
            return reply(block_warning(scan))
        return reply(review_warning(scan) if scan.verdict == "review" else ALLOW_ANSWER)
    if scan.verdict == "block":
        flag = reply(block_warning(scan))
        if not delete_blocked:
            return flag
        origin = f" (chuyển tiếp từ {post.forwarded_from})" if post.forwarded_from else ""
        notice = (f"🚫 Đã xoá một tin nhắn của {post.author}{origin}: có {_what(scan, 'scam')} "
                  "đã được xác nhận là lừa đảo." + ("\n" + quote if quote else ""))
        return Action("delete", "block", post.chat_id, post.message_id, notice, fallback=flag)
    if scan.verdict == "review":
        return reply(review_warning(scan))
    return NOTHING
