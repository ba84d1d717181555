"""The Telegram bot's decisions (decide.py) on recorded Telegram updates.

tests/updates/NAME.json are Update objects as the Bot API sends them (text, captions, entities
with url, text_link and mention, edited and forwarded messages, a photo without caption, a link
button, a channel post, members joining, the bot's own message). tests/scans/NAME.json are the
answers of fraudidx's POST /v1/scan to each post's text, recorded from the real service on the
sample snapshot (data/sample): the decisions are tested on them as pure functions, and one test
asks the real service again to check the recordings still hold. To record them again:

    FIDX_SERVICE=build/service/fraudidx-service FIDX_INDEXER=build/indexer/fraudidx-indexer \\
        python3 examples/telegram_bot/tests/test_decide.py --record
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BOT_DIR = os.path.dirname(HERE)
SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR", os.path.dirname(os.path.dirname(BOT_DIR)))
sys.path.insert(0, BOT_DIR)
sys.path.insert(0, os.path.join(SOURCE_DIR, "clients", "python"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "clients", "python", "tests"))

from decide import Action, Post, decide, post_of, utf16_slice  # noqa: E402

from fraudidx import ScanResult  # noqa: E402

BOT_ID = 7012345678
UPDATES = os.path.join(HERE, "updates")
SCANS = os.path.join(HERE, "scans")
GROUP = -1001876543210


def update(name: str) -> dict:
    with open(os.path.join(UPDATES, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def recorded_scan(name: str) -> ScanResult:
    with open(os.path.join(SCANS, name + ".json"), encoding="utf-8") as f:
        return ScanResult.from_json(json.load(f))


def names() -> list[str]:
    return sorted(f[:-5] for f in os.listdir(UPDATES) if f.endswith(".json"))


# What the bot does with each recorded update: (action, chat, message, words in its text).
EXPECTED = {
    "group_scam_phone": ("delete", GROUP, 48211, ["CSKH Vietcombank", "số điện thoại",
                                                  "giả danh"]),
    "group_hidden_link": ("delete", GROUP, 48212, ["đường link", "trang giả mạo"]),
    "group_photo_caption_account": ("delete", GROUP, 48213, ["số tài khoản ngân hàng"]),
    "group_inline_button": ("delete", GROUP, 48219, ["đường link", "ứng dụng độc hại"]),
    "forwarded_user_scam_link": ("delete", GROUP, 48221, ["Hùng",
                                                          "chuyển tiếp từ Tổ Dân Phố 5"]),
    "edited_review_phone": ("reply", GROUP, 48190, ["⚠️", "số điện thoại", "đầu tư"]),
    "forwarded_channel_link": ("reply", GROUP, 48215, ["⚠️", "đường link", "mua bán"]),
    "group_mention": ("reply", GROUP, 48218, ["⚠️", "tài khoản mạng xã hội",
                                              "việc nhẹ lương cao"]),
    "private_forwarded": ("reply", 5123456789, 1207, ["⚠️", "tài khoản mạng xã hội"]),
    "private_clean": ("reply", 6234567890, 1208, ["✅"]),
    "group_clean": ("none", 0, 0, []),
    "group_official_link": ("none", 0, 0, []),
}
NOT_POSTS = ["group_photo_no_caption", "own_message", "channel_post", "new_members"]


class Posts(unittest.TestCase):
    def test_every_recorded_update_is_covered(self) -> None:
        self.assertEqual(sorted(EXPECTED) + sorted(NOT_POSTS), sorted(EXPECTED) +
                         sorted(set(names()) - set(EXPECTED)))
        self.assertEqual(sorted(f[:-5] for f in os.listdir(SCANS)), sorted(EXPECTED))

    def test_updates_without_a_post(self) -> None:
        for name in NOT_POSTS:
            with self.subTest(name):
                self.assertIsNone(post_of(update(name), BOT_ID))
        self.assertIsNone(post_of({"update_id": 1}, BOT_ID))
        self.assertIsNone(post_of({"update_id": 1, "message": "not an object"}, BOT_ID))

    def test_what_is_scanned(self) -> None:
        caption = post_of(update("group_photo_caption_account"), BOT_ID)
        assert caption is not None
        self.assertTrue(caption.text.startswith("Chuyển khoản đặt cọc vào STK Vietcombank"))
        hidden = post_of(update("group_hidden_link"), BOT_ID)
        assert hidden is not None
        self.assertEqual(hidden.text.splitlines()[1],
                         "https://vietcombank-xacthuc.example/dang-nhap")
        button = post_of(update("group_inline_button"), BOT_ID)
        assert button is not None
        self.assertTrue(button.text.endswith("\nhttps://app-vneid.example/download/vneid.apk"))
        mention = post_of(update("group_mention"), BOT_ID)
        assert mention is not None
        self.assertTrue(mention.text.endswith("\nhttps://t.me/viec_lam_000"))
        edited = post_of(update("edited_review_phone"), BOT_ID)
        assert edited is not None
        self.assertTrue(edited.edited)
        self.assertEqual(edited.author, "Hùng")

    def test_forwarded_origins(self) -> None:
        origins = {n: (post_of(update(n), BOT_ID) or Post(0, "", 0, "", "")).forwarded_from
                   for n in ("forwarded_channel_link", "private_forwarded",
                             "forwarded_user_scam_link", "group_scam_phone")}
        self.assertEqual(origins, {"forwarded_channel_link": "Săn Sale Giá Sốc",
                                   "private_forwarded": "Chị Thảo Tư Vấn",
                                   "forwarded_user_scam_link": "Tổ Dân Phố 5",
                                   "group_scam_phone": None})
        legacy = {"update_id": 2, "message": {
            "message_id": 5, "chat": {"id": -1, "type": "group"}, "date": 1, "text": "x",
            "from": {"id": 3, "is_bot": False, "first_name": "A"},
            "forward_from_chat": {"id": -100, "type": "channel", "title": "Kênh cũ"},
            "forward_date": 1}}
        self.assertEqual((post_of(legacy) or Post(0, "", 0, "", "")).forwarded_from, "Kênh cũ")

    def test_entity_offsets_count_utf16_units(self) -> None:
        text = "💰 nhắn @abc_def ngay"
        self.assertEqual(utf16_slice(text, 8, 8), "@abc_def")  # 💰 is two units


class Decisions(unittest.TestCase):
    def test_each_recorded_update(self) -> None:
        for name, (kind, chat, message, words) in EXPECTED.items():
            with self.subTest(name):
                post = post_of(update(name), BOT_ID)
                assert post is not None
                a = decide(post, recorded_scan(name))
                self.assertEqual((a.kind, a.chat_id, a.message_id), (kind, chat, message), a)
                for w in words:
                    self.assertIn(w, a.text)
                if a.kind == "delete":
                    assert a.fallback is not None
                    self.assertEqual((a.fallback.kind, a.fallback.message_id), ("reply", message))
                    self.assertIn("🚫 Cảnh báo lừa đảo", a.fallback.text)

    def test_without_deleting_a_blocked_post_is_flagged(self) -> None:
        post = post_of(update("group_scam_phone"), BOT_ID)
        assert post is not None
        a = decide(post, recorded_scan("group_scam_phone"), delete_blocked=False)
        self.assertEqual((a.kind, a.reason, a.message_id), ("reply", "block", 48211))
        self.assertTrue(a.text.startswith("🚫 Cảnh báo lừa đảo"))

    def test_the_bot_never_repeats_an_indicator(self) -> None:
        for name in EXPECTED:
            post = post_of(update(name), BOT_ID)
            assert post is not None
            scan = recorded_scan(name)
            a = decide(post, scan)
            texts = [a.text] + ([a.fallback.text] if a.fallback else [])
            for m in scan.matches:
                for t in texts:
                    with self.subTest(name=name, indicator=m.text):
                        self.assertNotIn(m.text, t)
                        self.assertNotIn(m.canonical, t)

    def test_actions_are_values(self) -> None:
        self.assertEqual(Action("none"), Action("none"))


class Program(unittest.TestCase):
    """bot.py as a program, without Telegram: its usage and its refusal to run without a
    token."""

    def run_bot(self, *args: str) -> "subprocess.CompletedProcess[str]":
        env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
        return subprocess.run([sys.executable, os.path.join(BOT_DIR, "bot.py"), *args],
                              capture_output=True, text=True, env=env, timeout=60)

    def test_usage(self) -> None:
        p = self.run_bot("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--no-delete", p.stdout)
        p = self.run_bot()
        self.assertEqual(p.returncode, 2)
        self.assertIn("TELEGRAM_BOT_TOKEN is not set", p.stderr)


class Recordings(unittest.TestCase):
    """The recorded scans are what the real service answers now."""

    def test_recorded_scans_match_the_service(self) -> None:
        if not os.environ.get("FIDX_SERVICE"):
            self.skipTest("FIDX_SERVICE is not set: run through ctest (label clients)")
        for name, answer in live_scans().items():
            with self.subTest(name):
                with open(os.path.join(SCANS, name + ".json"), encoding="utf-8") as f:
                    self.assertEqual(json.load(f), answer)


def live_scans() -> dict[str, dict]:
    """Each post's scan by the real service on the sample snapshot."""
    import fraudidx
    import service

    svc = service.fidxsvc.Service(service.sample_snapshot(), "--data-dir",
                                  os.path.join(service._tmp.name, "data"))
    try:
        out = {}
        with fraudidx.Client("http://127.0.0.1:%d" % svc.port) as fx:
            for name in EXPECTED:
                post = post_of(update(name), BOT_ID)
                assert post is not None
                out[name] = fx.scan(post.text).raw
        return out
    finally:
        svc.stop()


def record() -> None:
    os.makedirs(SCANS, exist_ok=True)
    for name, answer in live_scans().items():
        with open(os.path.join(SCANS, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(answer, f, ensure_ascii=False, indent=2)
            f.write("\n")
        print("recorded", name, answer["verdict"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record()
    else:
        unittest.main(verbosity=2)
