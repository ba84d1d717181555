"""examples/moderation_bot.py against the real service: its verdicts as exit statuses (0 allow,
1 review, 2 block, 3 no answer), the post from an argument or stdin, what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SOURCE_DIR, "clients", "python", "tests"))

from service import ServiceCase, free_port, sample_snapshot  # noqa: E402

BOT = os.path.join(SOURCE_DIR, "examples", "moderation_bot.py")


def bot(arg: str, url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["FRAUDIDX_URL"] = url
    return subprocess.run([sys.executable, BOT, arg], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


class ModerationBot(ServiceCase):
    def test_verdicts_are_exit_statuses(self) -> None:
        u = self.url(self.start())
        p = bot("Gọi ngay 0910 001 001 để nhận quà", u)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("scam       phone          '0910 001 001' -> +84910001001", p.stdout)
        self.assertEqual(p.stdout.splitlines()[-1], "block")
        p = bot("-", u, stdin="Đầu tư lãi cao, gọi 0700 001 003")
        self.assertEqual((p.returncode, p.stdout.splitlines()[-1]), (1, "review"))
        p = bot("Chào buổi sáng cả nhà", u)
        self.assertEqual((p.returncode, p.stdout), (0, "allow\n"))

    def test_no_answer_holds_the_post(self) -> None:
        p = bot("Gọi 0910 001 001", "http://127.0.0.1:%d" % free_port())
        self.assertEqual(p.returncode, 3)
        self.assertIn("holding the post for review", p.stdout)


def setUpModule() -> None:
    sample_snapshot()


if __name__ == "__main__":
    unittest.main(verbosity=2)
