#!/usr/bin/env bash
# Benchmark of the analysts' console (issue 14): every call a console screen makes — the page
# and its scripts, the session, the queue, a search with its history, the dashboard's figures,
# the audit log — timed with 100,000 reports held and 1M indicators loaded through the API,
# beside a plain GET /v1/check in the same run. bench/RESULTS.md has the figures.
#
#   bench/console/console.sh                                   # a few minutes
#   REPORTS=10000 ROWS=100000 N=50 bench/console/console.sh    # a quick smoke run
#
# The reports are written as reports.jsonl lines before the service starts (it replays them);
# 1,000 of them are then approved through the API (so the history and the dashboard have
# decisions); the indicators are loaded through the API, 100,000 a request (bench/admin's
# queue_bench.py does both). Everything listens on 127.0.0.1; the service is stopped at the
# end, on error and on Ctrl-C; the script is bounded by `timeout`.
set -euo pipefail

if [ -z "${FIDX_CONSOLEBENCH_TIMED:-}" ]; then
    export FIDX_CONSOLEBENCH_TIMED=1
    exec timeout --foreground -k 30 1800 "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-console-bench}
REPORTS=${REPORTS:-100000}
VALUES=${VALUES:-40000}
ROWS=${ROWS:-1000000}
N=${N:-200}
THREADS=${THREADS:-2}
TMPBASE=${TMPBASE:-/var/tmp}

T=$(mktemp -d "$TMPBASE/fidx-consolebench.XXXXXX")
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
trap 'echo "console.sh: stopped (time limit or SIGTERM)" >&2; exit 143' TERM
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer >/dev/null
fi
SVC=$BUILD/service/fraudidx-service
TOKEN=bench-token-0123456789abcdef
printf 'bench %s analyst\n' "$TOKEN" >"$T/tokens"
chmod 600 "$T/tokens"

"$BUILD/indexer/fraudidx-indexer" build -o "$T/base.fidx" "$ROOT"/data/sample/* >/dev/null
log "$REPORTS reports over $VALUES values"
mkdir -m 700 "$T/data"
python3 "$ROOT/bench/admin/queue_bench.py" reports "$T/data/reports.jsonl" "$REPORTS" --values "$VALUES"

"$SVC" --snapshot "$T/base.fidx" --listen 127.0.0.1:0 --threads "$THREADS" --data-dir "$T/data" \
    --tokens "$T/tokens" --watch-interval 0 --max-pending-reports $((REPORTS * 2)) \
    --max-pending-per-network $((REPORTS * 2)) 2>"$T/log" &
PID=$!
PORT=$(service_port "$T/log" "$PID") || exit 1
log "service up on $PORT; loading $ROWS indicators"
python3 "$ROOT/bench/admin/queue_bench.py" load "$PORT" "$TOKEN" --rows "$ROWS"
# 1,000 decisions: the reports of the first values in the queue, approved as reported.
VALUE=$(curl -sf -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/v1/admin/reports?group=value&limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["groups"][0]["value"])')
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/admin/reports?type=scam&limit=1000" |
    python3 -c 'import json,sys; print(json.dumps({"action":"approve","status":"reported","reason":"bench","ids":[r["id"] for r in json.load(sys.stdin)["reports"] if r["type"]=="scam"]}))' \
    >"$T/decide.json"
curl -s -o "$T/decided.json" -w 'RESULT decisions http_status=%{http_code} seconds=%{time_total}\n' \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$T/decide.json" "http://127.0.0.1:$PORT/v1/admin/reports"
head -c 300 "$T/decided.json" >&2; echo >&2
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/admin/status" |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print("RESULT state reports_pending=%d overlay_values=%d" % (s["reports"]["pending"], s["overlay"]["values"]))'
echo "RESULT state audit_log_bytes=$(stat -c %s "$T/data/audit.jsonl") rss_kb=$(grep VmRSS /proc/$PID/status | awk '{print $2}')"
log "timing: $N requests of each kind, one client with the session cookie, interleaved"
python3 "$HERE/console_bench.py" "$PORT" "$TOKEN" --n "$N" --value "$VALUE"
