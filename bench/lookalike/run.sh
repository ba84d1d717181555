#!/usr/bin/env bash
# The look-alike check, both sides and its cost (bench/RESULTS.md, "Look-alike links"):
#  1. false flags on popular Vietnamese sites (vn-top-sites.txt) and on the sender domains of
#     Vietnamese finance companies (vn-finance-domains.txt), against data/allowlist.csv;
#  2. recall on the bank-imitating entries of the Chống Lừa Đảo blocklist
#     (../shared/data/chongluadao-urls.txt, or FIDX_BLOCKLIST; skipped when absent), as if it
#     were not loaded;
#  3. time per query of a plain lookup and of the lookup followed by the check (in-process,
#     median of 21 rounds), and instructions per call under callgrind (when valgrind is there).
#   bash bench/lookalike/run.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
tool="$B/bench/fidx-lookalike"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$B/indexer/fraudidx-indexer" build -o "$tmp/allow.fidx" data/allowlist.csv >/dev/null
echo "== false flags"
python3 bench/lookalike/measure.py "$tool" "$tmp/allow.fidx" bench/lookalike/vn-top-sites.txt \
    bench/lookalike/vn-finance-domains.txt
blocklist=${FIDX_BLOCKLIST:-../shared/data/chongluadao-urls.txt}
if [ -f "$blocklist" ]; then
  echo "== recall"
  python3 bench/lookalike/measure.py --recall "$tool" "$tmp/allow.fidx" "$blocklist"
  grep -v '^#' "$blocklist" > "$tmp/all"
  head -5000 "$tmp/all" > "$tmp/hosts"
else
  echo "== recall: $blocklist not found, skipped"
  grep -v '^#' bench/lookalike/vn-top-sites.txt | grep . > "$tmp/hosts"
fi
echo "== time ($(grep -c . "$tmp/hosts") queries, none in the snapshot)"
"$tool" --time "$tmp/allow.fidx" < "$tmp/hosts"
if command -v valgrind >/dev/null; then
  echo "== instructions per call (callgrind), heap blocks of the whole run (memcheck)"
  n=$(grep -c . "$tmp/hosts")
  for fn in fidx_check fidx_lookalike_check_canonical; do
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" --toggle-collect=$fn \
        "$tool" "$tmp/allow.fidx" < "$tmp/hosts" > /dev/null 2>&1
    ir=$(callgrind_annotate "$tmp/cg" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p')
    echo "$fn: $ir instructions for $n calls = $(( ${ir//,/} / n )) per call"
  done
  for k in 100 200; do
    head -$k "$tmp/hosts" > "$tmp/h$k"
    echo "$k queries x 21 rounds x 3 loops: $(valgrind "$tool" --time "$tmp/allow.fidx" \
        < "$tmp/h$k" 2>&1 | grep -o 'total heap usage: [0-9,]* allocs')"
  done
fi
