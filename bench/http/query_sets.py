#!/usr/bin/env python3
"""Writes the query sets of `bench/http/instructions.sh` with SETS=...: one URL-encoded value a
line, from a fraudidx-gen CSV (--kind mixed), each set of one kind of lookup so that hits and
misses, phones and links, can be measured apart:

  phone_hit   phone numbers of the CSV, in the forms people type
  phone_miss  valid mobile numbers that are not in it
  link_hit    links and domains of the CSV, as written there
  link_miss   links and domains that are not in it: ordinary sites' pages and hosts, the lookups
              that run the look-alike check (issue 15) and find nothing

  query_sets.py ROWS.csv OUT_DIR N [SEED]
Deterministic for a given CSV, N and seed."""
import csv
import os
import random
import sys
import urllib.parse

MOBILE = ("30 31 32 33 34 35 36 37 38 39 51 56 58 59 70 76 77 78 79 81 82 83 84 85 86 87 88 "
          "90 91 92 93 94 95 96 97 98").split()
WORDS = ["tin-tuc", "shop", "cua-hang", "du-lich", "am-thuc", "hoc-tap", "giai-tri", "xe",
         "nha-dat", "suc-khoe", "the-thao", "cong-nghe", "thoi-trang", "sach", "phim"]
TLDS = ["vn", "com.vn", "com", "net", "org", "edu.vn", "info", "xyz"]
PATHS = ["", "/", "/gioi-thieu", "/san-pham/ao-thun", "/tin/2024/12/bai-viet", "/lien-he?x=1"]


def written(nsn, rnd):
    z = "0" + nsn
    f = rnd.randrange(4)
    if f == 0:
        return z
    if f == 1:
        return "+84" + nsn
    if f == 2:
        return "%s %s %s" % (z[:4], z[4:7], z[7:])
    return "%s.%s.%s" % (z[:4], z[4:7], z[7:])


def nsn_of(v):
    d = "".join(c for c in v if c.isdigit())
    if len(d) == 11 and d.startswith("84"):
        return d[2:]
    if len(d) == 10 and d.startswith("0"):
        return d[1:]
    return None


def unknown_link(rnd):
    host = "%s-%s%d.%s" % (rnd.choice(WORDS), rnd.choice(WORDS), rnd.randrange(10000),
                           rnd.choice(TLDS))
    if rnd.random() < 0.3:
        return host  # a domain
    return "%s://%s%s%s" % (rnd.choice(["https", "http"]), rnd.choice(["", "www."]), host,
                            rnd.choice(PATHS))


def main():
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 11)
    phones, links = [], []
    with open(src, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "phone" and nsn_of(row["value"]):
                phones.append(nsn_of(row["value"]))
            elif row["kind"] in ("url", "domain"):
                links.append(row["value"])
    have = set(phones)
    sets = {"phone_hit": [], "phone_miss": [], "link_hit": [], "link_miss": []}
    for _ in range(n):
        sets["phone_hit"].append(written(rnd.choice(phones), rnd))
        while True:  # the generator's mobile prefixes (data/generator.c, queries.awk)
            m = rnd.choice(MOBILE) + "%07d" % rnd.randrange(10 ** 7)
            if m not in have:
                break
        sets["phone_miss"].append(written(m, rnd))
        sets["link_hit"].append(rnd.choice(links))
        sets["link_miss"].append(unknown_link(rnd))
    os.makedirs(out, exist_ok=True)
    for name, values in sets.items():
        with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
            for v in values:
                f.write(urllib.parse.quote(v, safe="") + "\n")


if __name__ == "__main__":
    main()
