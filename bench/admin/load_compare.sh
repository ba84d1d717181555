#!/usr/bin/env bash
# A bulk load of ROWS rows (batches of 100,000, one keep-alive client) into two builds of
# fraudidx-service, interleaved REPS times: rows/s, RSS after, and the audit log's size. For
# "what does a change cost uploads": BASE is the build before it, BUILD the build after.
#
#   BASE=/tmp/main/build-bench BUILD=build-bench bench/admin/load_compare.sh
#
# Listens on 127.0.0.1 only; data directories under /var/tmp, removed; bounded by `timeout`.
set -euo pipefail
if [ -z "${FIDX_LOADCMP_TIMED:-}" ]; then
    export FIDX_LOADCMP_TIMED=1
    exec timeout --foreground -k 30 900 "$0" "$@"
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BASE=${BASE:?the build before: BASE=DIR}
BUILD=${BUILD:-$ROOT/build-bench}
ROWS=${ROWS:-1000000}
REPS=${REPS:-2}
TOKEN=bench-token-0123456789abcdef
T='' PID=''
cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    if [ -n "$T" ]; then rm -rf "$T"; fi
}
trap cleanup EXIT
for rep in $(seq "$REPS"); do
    for b in "$BASE" "$BUILD"; do
        T=$(mktemp -d /var/tmp/fidx-loadcmp.XXXXXX)
        printf 'bench %s\n' "$TOKEN" >"$T/tokens" # no role: both builds read it (admin)
        chmod 600 "$T/tokens"
        "$b/indexer/fraudidx-indexer" build -o "$T/base.fidx" "$ROOT"/data/sample/* >/dev/null
        "$b/service/fraudidx-service" --snapshot "$T/base.fidx" --listen 127.0.0.1:0 --threads 2 \
            --data-dir "$T/data" --tokens "$T/tokens" --watch-interval 0 2>"$T/log" &
        PID=$!
        PORT=$(service_port "$T/log" "$PID")
        r=$(python3 "$HERE/queue_bench.py" load "$PORT" "$TOKEN" --rows "$ROWS" | sed 's/^RESULT //')
        echo "RESULT build=$b rep=$rep $r rss_kb=$(awk '/VmRSS/{print $2}' /proc/$PID/status)" \
             "audit_bytes=$(stat -c %s "$T/data/audit.jsonl")"
        kill -TERM "$PID"
        wait "$PID" || true
        PID=''
        rm -rf "$T"
        T=''
    done
done
