#!/usr/bin/env python3
"""A group-moderation bot's side of fraudidx: scan a post before approving it and act on the
verdict, with the Python client (clients/python; standard library only).

    python3 examples/moderation_bot.py "Gọi ngay 0910 001 001 để nhận quà"
    echo "post text" | python3 examples/moderation_bot.py -

The service is $FRAUDIDX_URL (default http://127.0.0.1:8080); $FRAUDIDX_API_KEY, if set, is
sent as the bot's key. Exit status: 0 allow, 1 hold for review, 2 block, 3 the service could not
answer (fail open or closed is the bot's policy: this example holds the post for review).
"""

import os
import sys

try:
    import fraudidx
except ImportError:  # not installed: the client next to this example, in the repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "clients", "python"))
    import fraudidx

EXIT = {"allow": 0, "review": 1, "block": 2}


def decide(post):
    """Prints what made the verdict and returns it: block when a confirmed scam indicator is
    in the post, review when only community reports are, allow otherwise."""
    for m in post.flagged():
        cats = ", ".join(m.match.categories) if m.match else ""
        print(f"  {m.verdict:10} {m.kind:14} {m.text!r} -> {m.canonical} ({cats or 'no category'})")
    return post.verdict


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    text = sys.stdin.read() if sys.argv[1] == "-" else sys.argv[1]
    client = fraudidx.Client(os.environ.get("FRAUDIDX_URL", "http://127.0.0.1:8080"),
                             os.environ.get("FRAUDIDX_API_KEY"), timeout=2.0, retries=2)
    try:
        with client:
            verdict = decide(client.scan(text))
    except fraudidx.FraudidxError as e:
        print(f"fraudidx did not answer ({e}): holding the post for review")
        return 3
    print(verdict)
    return EXIT[verdict]


if __name__ == "__main__":
    sys.exit(main())
