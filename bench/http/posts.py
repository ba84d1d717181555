#!/usr/bin/env python3
"""Writes ordinary posts of about SIZE bytes for the batch-scan benchmarks, one JSON string a
line: the corpus's ordinary posts (tests/corpus/posts.jsonl: no scam, some with ordinary
contact details), joined one after the other until a post reaches SIZE bytes of UTF-8, cut at
a character boundary. The same input always gives the same posts.

  posts.py [SIZE [COUNT]] > posts.txt      # defaults 300 and 1000
"""
import json
import os
import sys


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    corpus = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "corpus", "posts.jsonl")
    with open(corpus, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    # Ordinary posts: written as such (ids "ord-…" and "bN-o…"), whatever they contain.
    texts = [r["text"] for r in rows if r["id"].startswith("ord-") or "-o" in r["id"]]
    out, i = [], 0
    while len(out) < count:
        post = ""
        while len(post.encode("utf-8")) < size:
            post += (" " if post else "") + texts[i % len(texts)]
            i += 1
        out.append(post.encode("utf-8")[:size].decode("utf-8", "ignore"))
    for p in out:
        print(json.dumps(p, ensure_ascii=False))


if __name__ == "__main__":
    main()
