#!/usr/bin/env bash
# POST /v1/scan with the worst posts the 64 KiB limit allows (every indicator looked up once)
# beside the 2 KB post of post.lua, on the sample snapshot, one service thread, 127.0.0.1 only,
# bounded (ROUNDS x 40 requests per shape). With a second build directory, the same run
# measures that build too, one after the other (e.g. the commit before a change).
#   bash bench/scan/worst.sh [BUILD_DIR [OTHER_BUILD_DIR]] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
B=${1:-build}
OTHER=${2:-}
ROUNDS=${3:-5}
tmp=$(mktemp -d)
svc=
trap '[ -n "$svc" ] && kill $svc 2>/dev/null; rm -rf "$tmp"' EXIT
"$B/indexer/fraudidx-indexer" build -o "$tmp/s.fidx" data/sample/* data/allowlist.csv >/dev/null
n=0
for build in "$B" $OTHER; do
  n=$((n + 1))
  "$build/service/fraudidx-service" --snapshot "$tmp/s.fidx" --listen 127.0.0.1:0 --threads 1 \
      --data-dir "$tmp/data-$n" 2> "$tmp/log" &
  svc=$!
  port=$(service_port "$tmp/log" "$svc")
  echo "== $build"
  python3 bench/scan/decoys.py "$port" "$ROUNDS" 40
  kill "$svc"
  wait "$svc" 2>/dev/null || true
  svc=
done
