#!/usr/bin/env bash
# The clients' cost per call (bench/RESULTS.md, "Clients"): the sample snapshot served by one
# service thread on 127.0.0.1; N sequential checks per mode, modes interleaved REPS times.
#   bash bench/clients/run.sh [BUILD_DIR]     (N=3000 REPS=7 by default)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
N=${N:-3000}
REPS=${REPS:-7}
. "$ROOT/bench/lib.sh"
TMP=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
"$BUILD/indexer/fraudidx-indexer" build -o "$TMP/sample.fidx" "$ROOT"/data/sample/* \
    "$ROOT/data/allowlist.csv" > /dev/null
"$BUILD/service/fraudidx-service" --snapshot "$TMP/sample.fidx" --listen 127.0.0.1:0 \
    --threads 1 --data-dir "$TMP/data" 2> "$TMP/log" &
PID=$!
PORT=$(service_port "$TMP/log" "$PID")
echo "Python (python3 $(python3 -c 'import platform; print(platform.python_version())')):"
python3 "$HERE/client_bench.py" "$PORT" "$N" "$REPS"
echo
echo "JavaScript (node $(node --version)):"
node "$HERE/client_bench.mjs" "$PORT" "$N" "$REPS"
