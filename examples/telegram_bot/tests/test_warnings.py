"""The Telegram bot's warnings (warn.py) against the real fraudidx service: each new warning of
the bot's province is posted into its group once, across polls and across a restart (the state
file); a warning it posted and that was retracted is taken back once; another province's
warnings are not posted; and a blocked post's notice quotes the warning its check named. The
Bot API side is a recorder of the messages the bot would send (what Telegram would receive)."""

from __future__ import annotations

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BOT_DIR = os.path.dirname(HERE)
SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR", os.path.dirname(os.path.dirname(BOT_DIR)))
sys.path.insert(0, BOT_DIR)
sys.path.insert(0, os.path.join(SOURCE_DIR, "clients", "python"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "clients", "python", "tests"))

from decide import Post, decide  # noqa: E402
from service import ANALYST_TOKEN, SCAM_PHONE, ServiceCase  # noqa: E402
from warn import Posted, post_round, quote_text  # noqa: E402

from fraudidx import Client  # noqa: E402


class Telegram:
    """What the group would receive."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, text: str) -> None:
        self.sent.append(text)


class Warnings(ServiceCase):
    def setUp(self) -> None:
        super().setUp()
        self.svc = self.start(tokens=True)
        self.base = self.url(self.svc)
        self.fx = Client(self.base, timeout=10)
        self.analyst = Client(self.base, ANALYST_TOKEN, timeout=10)
        self.addCleanup(self.fx.close)
        self.addCleanup(self.analyst.close)
        self.state = os.path.join(self.dir, "posted.json")

    def publish(self, title: str, regions: list[str], **more: object) -> str:
        w = self.analyst.request("POST", "/v1/admin/warnings", json_body=dict(
            title=title, text="Đối tượng gọi điện tự xưng công an.", regions=regions,
            advice="Không chuyển tiền.", issuer="Công an tỉnh Hà Tĩnh", **more))
        self.analyst.request("POST", "/v1/admin/warnings/%s/publish" % w["id"], json_body={})
        return w["id"]

    def poll(self, tg: Telegram) -> int:
        return post_round(self.fx, tg, "ha-tinh", Posted.load(self.state), self.state, self.base)

    def test_each_new_warning_of_the_province_is_posted_once(self) -> None:
        tg = Telegram()
        self.assertEqual(self.poll(tg), 0)
        first = self.publish("Giả danh công an Hà Tĩnh", ["ha-tinh"], severity="high")
        self.publish("Lừa đảo ở Hà Nội", ["ha-noi"])
        national = self.publish("Lừa đảo cả nước", ["all"])
        self.assertEqual(self.poll(tg), 2)
        self.assertIn("🚨 CẢNH BÁO của Công an tỉnh Hà Tĩnh: Giả danh công an Hà Tĩnh", tg.sent[0])
        self.assertIn("Nên làm gì: Không chuyển tiền.", tg.sent[0])
        self.assertIn(self.base + "/warnings/" + first, tg.sent[0])
        self.assertIn("Lừa đảo cả nước", tg.sent[1])
        self.assertEqual(self.poll(tg), 0)  # nothing new: nothing twice
        # A restart reads what was posted from the state file.
        self.assertEqual(post_round(self.fx, tg, "ha-tinh", Posted.load(self.state), self.state,
                                    self.base), 0)
        self.analyst.request("POST", "/v1/admin/warnings/%s/retract" % national,
                             json_body={"reason": "Trùng cảnh báo khác"})
        self.assertEqual(self.poll(tg), 1)
        self.assertIn("đã được rút lại: Trùng cảnh báo khác", tg.sent[2])
        self.assertEqual(self.poll(tg), 0)
        self.assertEqual(len(tg.sent), 3)

    def test_a_blocked_post_quotes_the_related_warning(self) -> None:
        wid = self.publish("Giả danh công an gọi điện", ["ha-tinh"], indicators=[SCAM_PHONE])
        scan = self.fx.scan("Gọi ngay " + SCAM_PHONE + " để nhận quà")
        self.assertEqual(scan.warnings, (wid,))
        quote = quote_text(self.fx.warning(wid), self.base)
        post = Post(chat_id=-100, chat_type="supergroup", message_id=7, text="x", author="An",
                    edited=False, forwarded_from=None)
        action = decide(post, scan, True, quote)
        self.assertEqual(action.kind, "delete")
        self.assertIn("📢 Cảnh báo của Công an tỉnh Hà Tĩnh: Giả danh công an gọi điện",
                      action.text)
        self.assertIn(self.base + "/warnings/" + wid, action.fallback.text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
