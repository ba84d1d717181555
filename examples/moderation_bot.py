#!/usr/bin/env python3
"""A group-moderation bot's side of fraudidx: send a post's text to POST /v1/scan before
approving it and act on the answer. Standard library only.

    python3 examples/moderation_bot.py "Gọi ngay 0910 001 001 để nhận quà"
    echo "post text" | python3 examples/moderation_bot.py -

Exit status: 0 allow, 1 hold for review, 2 block, 3 the service could not answer (fail open or
closed is the bot's policy: this example holds the post for review).
"""

import json
import os
import sys
import urllib.error
import urllib.request

SERVICE = os.environ.get("FRAUDIDX_URL", "http://127.0.0.1:8080")


def scan(text, timeout=2.0):
    req = urllib.request.Request(SERVICE + "/v1/scan", method="POST",
                                 data=json.dumps({"text": text}).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


def decide(answer):
    """block: a confirmed scam indicator; review: only community reports; allow otherwise."""
    for m in answer["matches"]:
        if m["verdict"] in ("scam", "suspicious"):
            cats = ", ".join(m["match"]["categories"]) or "no category"
            print(f'  {m["verdict"]:10} {m["kind"]:14} {m["text"]!r} -> {m["canonical"]} ({cats})')
    return answer["verdict"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    text = sys.stdin.read() if sys.argv[1] == "-" else sys.argv[1]
    try:
        verdict = decide(scan(text))
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        print(f"fraudidx did not answer ({e}): holding the post for review")
        return 3
    print(verdict)
    return {"allow": 0, "review": 1, "block": 2}[verdict]


if __name__ == "__main__":
    sys.exit(main())
