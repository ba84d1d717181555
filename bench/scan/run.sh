#!/usr/bin/env bash
# POST /v1/scan throughput over HTTP on the sample snapshot, with GET /v1/check of the same
# service in the same run as the baseline. Bounded (3 × 10 s each), 127.0.0.1 only.
#   bash bench/scan/run.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
tmp=$(mktemp -d)
trap 'kill $svc 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$B/indexer/fraudidx-indexer" build -o "$tmp/s.fidx" data/sample/* data/allowlist.csv >/dev/null
"$B/service/fraudidx-service" --snapshot "$tmp/s.fidx" --listen 127.0.0.1:0 --threads 1 \
    --data-dir "$tmp/data" 2> "$tmp/log" &
svc=$!
for _ in $(seq 50); do grep -q "listening on" "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/log")
for i in 1 2 3; do
  echo "== run $i: POST /v1/scan (2 KB post)"
  wrk -t1 -c16 -d10s --latency -s bench/scan/post.lua "http://127.0.0.1:$port/v1/scan" \
    | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== run $i: GET /v1/check (baseline)"
  wrk -t1 -c16 -d10s --latency "http://127.0.0.1:$port/v1/check?q=0910001001" \
    | grep -E "Requests/sec|50%|99%|Non-2xx"
done
