#!/usr/bin/env python3
"""Both sides of the look-alike check (bench/lookalike/run.sh drives this).

  measure.py TOOL SNAPSHOT LIST...        false flags: every host of each list that is flagged
  measure.py --recall TOOL SNAPSHOT FILE  recall on a public blocklist (one host or URL a line)

An entry of the blocklist "imitates a bank" by these rules, checked by hand on samples
(docs/ARCHITECTURE.md, "Look-alike links", says what the sample showed):
  name   the host (IDN labels decoded, diacritics dropped) contains the full name of an
         allowlisted bank: vietcombank, vietinbank, bidv, agribank, mbbank, techcombank,
         vpbank, tpbank, sacombank, hdbank;
  typo   a token of the host is within two edits of one of the longer names (8 letters or
         more: vietcombank, vietinbank, techcombank, sacombank, agribank), e.g. vietcoombbank;
  code   the first label (after www.) starts with a bank's three-letter code (vcb, tcb, acb,
         tpb, vib, shb, vpb, hdb) not followed by "et" (shbet, vibet: betting sites), or a token
         of the host split on '-', '.' and digits is one of them or "mb": vcbdigibank, acb-vn,
         tpb.vn-jns, mb247.top. (ctg and stb were tried and dropped: the sample showed
         ctgroup*, stbuy* shops, not banks.)
The recall is the share of those entries the check flags when the blocklist is not loaded.
"""
import re
import subprocess
import sys
import unicodedata
from collections import Counter

NAMES = ["vietcombank", "vietinbank", "bidv", "agribank", "mbbank", "techcombank", "vpbank",
         "tpbank", "sacombank", "hdbank"]
LONG = [n for n in NAMES if len(n) >= 8]
CODES = ["vcb", "tcb", "acb", "tpb", "vib", "shb", "vpb", "hdb"]
TOKEN_CODES = CODES + ["mb"]


def run(tool, snapshot, lines):
    out = subprocess.run([tool, snapshot], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout
    return [l.split("\t") for l in out.splitlines()]


def host_of(entry):
    h = entry.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split(":", 1)[0].lower()
    return h


def unicode_form(host):
    labels = []
    for lab in host.split("."):
        if lab.startswith("xn--"):
            try:
                lab = lab[4:].encode("ascii").decode("punycode")
            except Exception:
                pass
        lab = unicodedata.normalize("NFKD", lab)
        labels.append("".join(c for c in lab if not unicodedata.combining(c)).replace("đ", "d"))
    return ".".join(labels)


def edits(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def imitates(host):
    u = unicode_form(host)
    if any(n in u for n in NAMES):
        return "name"
    tokens = [t for t in "".join(c if c.isalpha() else " " for c in u).split()]
    if any(abs(len(t) - len(n)) <= 2 and edits(t, n) <= 2 for t in tokens for n in LONG):
        return "typo"
    first = u[4:] if u.startswith("www.") else u
    dash_tokens = re.split(r"[-.0-9]+", u)
    if any(first.startswith(c) and not first.startswith(c + "et") for c in CODES) or any(
            t in TOKEN_CODES for t in dash_tokens):
        return "code"
    return None


def false_flags(tool, snapshot, lists):
    for path in lists:
        hosts = [l.strip() for l in open(path, encoding="utf-8") if l.strip() and l[0] != "#"]
        rows = run(tool, snapshot, hosts)
        flagged = [r for r in rows if len(r) > 2]
        safe = sum(1 for r in rows if r[1] == "safe")
        print(f"{path}: {len(hosts)} hosts, {safe} allowlisted (safe), {len(flagged)} flagged")
        for r in flagged:
            print("   flagged: " + "  ".join(r[:1] + r[2:]))


def recall(tool, snapshot, path):
    entries = [l.strip() for l in open(path, encoding="utf-8") if l.strip() and l[0] != "#"]
    rows = run(tool, snapshot, entries)
    by_rule, hit_by_rule = Counter(), Counter()
    flagged_other, missed = Counter(), []
    how = Counter()
    n_flag = 0
    for entry, r in zip(entries, rows):
        cls = imitates(host_of(entry))
        hit = len(r) > 2
        n_flag += hit
        if cls:
            by_rule[cls] += 1
            if hit:
                hit_by_rule[cls] += 1
                how[r[2]] += 1
            else:
                missed.append(entry)
        elif hit:
            flagged_other[r[3]] += 1
    total, caught = sum(by_rule.values()), sum(hit_by_rule.values())
    print(f"{path}: {len(entries)} entries, {n_flag} flagged in all")
    print(f"imitating a bank by the rules: {total} "
          + ", ".join(f"{k} {by_rule[k]} (flagged {hit_by_rule[k]})" for k in ("name", "typo", "code")))
    print(f"recall: {caught}/{total} = {100.0 * caught / max(total, 1):.1f}%  by check rule: "
          + ", ".join(f"{k} {v}" for k, v in how.most_common()))
    print("flagged outside those rules, by imitated site: "
          + ", ".join(f"{k} {v}" for k, v in flagged_other.most_common()))
    print("missed (first 25): " + " ".join(missed[:25]))


def main():
    args = sys.argv[1:]
    if args and args[0] == "--recall":
        recall(*args[1:4])
    elif len(args) >= 3:
        false_flags(args[0], args[1], args[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
