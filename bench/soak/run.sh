#!/usr/bin/env bash
# Soak test (issue 7): one fraudidx-service under a mixed load for DURATION seconds (default
# 600): GET /v1/check (most requests), POST /v1/check batches of 100, POST /v1/scan of a 2 KB
# post, POST /v1/reports, POST /v1/admin/indicators (small CSV batches, with a token), and a
# reload every 30 s (the snapshot rebuilt by the indexer, which writes a temporary file and
# renames it over the served path). Every 10 s: requests, errors, p50/p99 per route, the
# service's RSS. Exits non-zero if any request failed or RSS grew more than 10 % after the
# first minute. Not in CI; bench/RESULTS.md has the figures of this machine.
#
#   bench/soak/run.sh            # 10 minutes, plus ~10 s of preparation
#   bench/soak/run.sh 60         # a short check of the script
#   BUILD=build SKIP_BUILD=1 bench/soak/run.sh
#
# Traffic goes to 127.0.0.1 only; the whole script is bounded by `timeout`; the service is
# stopped at the end, on error and on Ctrl-C.
set -euo pipefail

DURATION=${1:-${DURATION:-600}}
if [ -z "${FIDX_SOAK_TIMED:-}" ]; then
    export FIDX_SOAK_TIMED=1
    exec timeout --foreground -k 30 $((DURATION + 600)) "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
ROWS=${ROWS:-1000000}       # indicators in the snapshot served
THREADS=${THREADS:-2}       # service threads
CLIENTS=${CLIENTS:-6}       # connections of the load driver
REPORTS_PER_S=${REPORTS_PER_S:-5} # paced citizens' reports, each decided at once
MAX_PENDING=${MAX_PENDING:-200}    # --max-pending-reports: also the decided ones kept in memory
ADMIN_PER_S=${ADMIN_PER_S:-10}    # paced analysts' uploads of 10 rows
TMPBASE=${TMPBASE:-/var/tmp} # the data directory on the disk, so fsync costs what it costs

T=$(mktemp -d "$TMPBASE/fidx-soak.XXXXXX")
PID=''
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$PID" ]; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "run.sh: stopped (time limit or SIGTERM)" >&2; exit 143' TERM
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer fraudidx-gen >/dev/null
fi
# Private copies: a rebuild of the tree during the run must not change what is measured.
cp "$BUILD/service/fraudidx-service" "$BUILD/indexer/fraudidx-indexer" "$T/"

TOKEN=soak-token-0123456789abcdef
printf 'soak %s\n' "$TOKEN" >"$T/tokens"
chmod 600 "$T/tokens"

log "generating $ROWS indicators and the snapshot"
"$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed 7 >"$T/base.csv"
INPUTS=("$T/base.csv" "$ROOT"/data/sample/indicators.csv "$ROOT/data/allowlist.csv")
"$T/fraudidx-indexer" build -o "$T/served.fidx" "${INPUTS[@]}" >/dev/null
awk -v n=100000 -v seed=7 -f "$ROOT/bench/http/queries.awk" "$T/base.csv" >"$T/queries.txt"
# The reloader rebuilds from the same inputs: every build is a new file (new inode and build
# time), which is what the service's watch of --snapshot reacts to.
printf '%s\n' "$T/fraudidx-indexer" build -o "$T/served.fidx" "${INPUTS[@]}" >"$T/rebuild.args"

"$T/fraudidx-service" --snapshot "$T/served.fidx" --listen 127.0.0.1:0 --threads "$THREADS" \
    --data-dir "$T/data" --tokens "$T/tokens" \
    --report-rate 1000000/s --report-burst 1000000 --max-pending-reports "$MAX_PENDING" \
    --report-global-rate 1000000/s --report-global-burst 1000000 \
    2>"$T/service.log" &
PID=$!
PORT=$(service_port "$T/service.log" "$PID") || exit 1
log "service pid $PID on port $PORT; soaking for $DURATION s with $CLIENTS connections"

rc=0
python3 "$HERE/soak.py" --port "$PORT" --pid "$PID" --token "$TOKEN" --duration "$DURATION" \
    --clients "$CLIENTS" --reports-per-s "$REPORTS_PER_S" --admin-per-s "$ADMIN_PER_S" \
    --queries "$T/queries.txt" --post "$ROOT/bench/scan/post.lua" \
    --rebuild "$T/rebuild.args" || rc=$?

if ! kill -0 "$PID" 2>/dev/null; then
    wait "$PID" 2>/dev/null || true
    PID=''
    echo "run.sh: the service died during the soak" >&2
    exit 1
fi
warnings=$(grep -c -E ' (error|warning): ' "$T/service.log" || true)
log "service log: $(wc -l <"$T/service.log") lines, $warnings at level error or warning"
grep -E ' (error|warning): ' "$T/service.log" | head -5 >&2 || true
[ "$warnings" -eq 0 ] || rc=1
kill -TERM "$PID"
wait "$PID" || { echo "run.sh: the service did not exit 0 on SIGTERM" >&2; rc=1; }
PID=''
exit "$rc"
