#!/usr/bin/env bash
# Benchmark of the review queue and the history (issue 13): the grouped listing
# (GET /v1/admin/reports?group=value) and a history lookup (GET /v1/admin/indicators?q=) with
# 100,000 pending reports and 1M changed values, beside today's ungrouped listing and a plain
# GET /v1/check measured in the same run. bench/RESULTS.md has the figures of this machine.
#
#   bench/admin/queue.sh                          # about 3 minutes
#   REPORTS=10000 ROWS=100000 N=50 bench/admin/queue.sh   # a quick smoke run
#
# The reports are written as reports.jsonl lines (the store's format) before the service starts
# (it replays them: no 100,000 fsynced POSTs); the values are loaded through the API, 100,000 a
# request, so that the audit log and its index hold 1M values as they would in service. The
# data directory is on the disk (/var/tmp); everything listens on 127.0.0.1 only; the service is
# stopped at the end, on error and on Ctrl-C; the whole script is bounded by `timeout`.
set -euo pipefail

if [ -z "${FIDX_QUEUEBENCH_TIMED:-}" ]; then
    export FIDX_QUEUEBENCH_TIMED=1
    exec timeout --foreground -k 30 1200 "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-admin-bench}
REPORTS=${REPORTS:-100000}   # pending reports in the queue
VALUES=${VALUES:-40000}      # distinct values they are about
ROWS=${ROWS:-1000000}        # values changed through the API (each in the audit log)
N=${N:-300}                  # requests of each kind
THREADS=${THREADS:-2}
TMPBASE=${TMPBASE:-/var/tmp}

T=$(mktemp -d "$TMPBASE/fidx-queuebench.XXXXXX")
PID=''
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "queue.sh: stopped (time limit or SIGTERM)" >&2; exit 143' TERM
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer >/dev/null
fi
SVC=$BUILD/service/fraudidx-service
TOKEN=bench-token-0123456789abcdef
printf 'bench %s analyst\n' "$TOKEN" >"$T/tokens"
chmod 600 "$T/tokens"

log "snapshot: the sample data"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/base.fidx" "$ROOT"/data/sample/* >/dev/null
log "$REPORTS reports over $VALUES values"
mkdir -m 700 "$T/data"
python3 "$HERE/queue_bench.py" reports "$T/data/reports.jsonl" "$REPORTS" --values "$VALUES"

"$SVC" --snapshot "$T/base.fidx" --listen 127.0.0.1:0 --threads "$THREADS" --data-dir "$T/data" \
    --tokens "$T/tokens" --watch-interval 0 --max-pending-reports $((REPORTS * 2)) \
    --max-pending-per-network $((REPORTS * 2)) 2>"$T/log" &
PID=$!
PORT=$(service_port "$T/log" "$PID") || exit 1
log "service up on $PORT"

log "loading $ROWS values (each one change in the audit log)"
python3 "$HERE/queue_bench.py" load "$PORT" "$TOKEN" --rows "$ROWS"
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/admin/status" |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print("RESULT state reports_pending=%d disputes=%d overlay_values=%d audit_index_values=%d audit_index_lines=%d audit_index_bytes=%d" % (s["reports"]["pending"], s["reports"]["pending_disputes"], s["overlay"]["values"], s["audit_index"]["values"], s["audit_index"]["lines"], s["audit_index"]["bytes"]))'
echo "RESULT state audit_log_bytes=$(stat -c %s "$T/data/audit.jsonl") rss_kb=$(grep VmRSS /proc/$PID/status | awk '{print $2}')"

log "timing: $N requests of each kind, one client, interleaved"
python3 "$HERE/queue_bench.py" time "$PORT" "$TOKEN" --n "$N" --values "$VALUES" --loaded "$ROWS"

log "restart: the audit log indexed again at start"
kill -TERM "$PID"
wait "$PID" || true
t0=$(date +%s.%N)
"$SVC" --snapshot "$T/base.fidx" --listen 127.0.0.1:0 --threads "$THREADS" --data-dir "$T/data" \
    --tokens "$T/tokens" --watch-interval 0 --max-pending-reports $((REPORTS * 2)) 2>"$T/log" &
PID=$!
PORT=$(service_port "$T/log" "$PID") || exit 1
t1=$(date +%s.%N)
echo "RESULT restart seconds_to_listening=$(python3 -c "print(round($t1 - $t0, 2))") $(grep -o 'audit log .*indexed' "$T/log")"
