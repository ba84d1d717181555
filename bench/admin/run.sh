#!/usr/bin/env bash
# Benchmark of the analysts' API (issue 6): bulk loading through POST /v1/admin/indicators,
# single-row write latency (each answer waits for its fsync), lookups while writes run, replay
# of the write-ahead log at start, and compaction under lookup load. bench/RESULTS.md has the
# figures of this machine.
#
#   bench/admin/run.sh                 # about 3 minutes
#   ROWS=100000 BASE_ROWS=100000 DURATION=2 REPS=1 bench/admin/run.sh   # a quick smoke run
#
# The data directory is on the disk (under /var/tmp, not a tmpfs), so fsync costs what it
# costs. Everything listens on 127.0.0.1 only; the service is stopped at the end, on error and
# on Ctrl-C; the whole script is bounded by `timeout` (15 minutes).
set -euo pipefail

if [ -z "${FIDX_ADMINBENCH_TIMED:-}" ]; then
    export FIDX_ADMINBENCH_TIMED=1
    exec timeout --foreground -k 30 900 "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-admin-bench}
BASE_ROWS=${BASE_ROWS:-1000000}  # indicators in the snapshot served
ROWS=${ROWS:-1000000}            # rows loaded through the API
BATCH=${BATCH:-10000}            # rows per request of the bulk load
SINGLE=${SINGLE:-1000}           # single-row requests, one client
DURATION=${DURATION:-8}          # seconds of each lookup or wrk write run
THREADS=${THREADS:-2}            # service threads
REPS=${REPS:-3}                  # repetitions of each lookup run (medians are printed)
TMPBASE=${TMPBASE:-/var/tmp}

T=$(mktemp -d "$TMPBASE/fidx-adminbench.XXXXXX")
PID='' WRK_BG=''
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for p in $WRK_BG $PID; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $WRK_BG $PID; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "run.sh: stopped (time limit or SIGTERM)" >&2; exit 143' TERM
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer fraudidx-gen >/dev/null
fi
SVC=$BUILD/service/fraudidx-service
TOKEN=bench-token-0123456789abcdef
printf 'bench %s\n' "$TOKEN" >"$T/tokens"
chmod 600 "$T/tokens"

log "generating $BASE_ROWS indicators for the snapshot and $ROWS rows to load"
"$BUILD/data/fraudidx-gen" --rows "$BASE_ROWS" --seed 7 >"$T/base.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/base.fidx" "$T/base.csv" >&2
awk -v n=100000 -v seed=7 -f "$ROOT/bench/http/queries.awk" "$T/base.csv" >"$T/queries.txt"
rm "$T/base.csv"
"$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed 8 >"$T/load.csv"

start() {
    : >"$T/log"
    "$SVC" --snapshot "$T/base.fidx" --listen 127.0.0.1:0 --threads "$THREADS" \
        --data-dir "$T/data" --tokens "$T/tokens" --watch-interval 0 2>>"$T/log" &
    PID=$!
    PORT=$(service_port "$T/log" "$PID") || exit 1
}
admin() { curl -sf -H "Authorization: Bearer $TOKEN" "$@"; }
lookups() { # $1: label
    wrk -t1 -c32 -d"${DURATION}s" -s "$ROOT/bench/http/check.lua" "http://127.0.0.1:$PORT" \
        -- "$T/queries.txt" 1 | grep '^RESULT' | sed "s/^RESULT/RESULT lookups($1)/"
}

wal_stats() { admin "http://127.0.0.1:$PORT/v1/admin/status"; }
group_commit() { # $1 $2: status before and after; $3: label
    python3 - "$1" "$2" "$3" <<'EOF2'
import json, sys
b, a = (json.loads(x)["wal"] for x in sys.argv[1:3])
g, r = a["groups"] - b["groups"], a["records"] - b["records"]
fs = (a["fsync_seconds_total"] - b["fsync_seconds_total"]) / max(g, 1) * 1000
print("RESULT group_commit(%s) records=%d fsyncs=%d records_per_fsync=%.1f "
      "write_and_fsync_ms=%.2f" % (sys.argv[3], r, g, r / max(g, 1), fs))
EOF2
}
writes_wrk() { # $1: connections
    local before after
    before=$(wal_stats)
    wrk -t2 -c"$1" -d"${DURATION}s" -s "$HERE/single.lua" "http://127.0.0.1:$PORT" \
        -- "$TOKEN" $((RANDOM * 1000)) | grep '^RESULT' | sed "s/^RESULT/RESULT single($1 clients)/"
    after=$(wal_stats)
    group_commit "$before" "$after" "$1 clients"
}

start
log "service up on $PORT"

for r in $(seq "$REPS"); do
    log "lookups, empty overlay ($r/$REPS)"
    lookups "empty overlay" | tee -a "$T/results"
done

log "single-row writes, one client"
python3 "$HERE/admin_bench.py" single "$PORT" "$TOKEN" --n "$SINGLE" --conns 1 --first 0 |
    sed 's/^RESULT/RESULT single(1 client)/'
for c in 16 64; do
    log "single-row writes, $c clients (group commit)"
    writes_wrk "$c"
done

log "bulk load: $ROWS rows in batches of $BATCH"
python3 "$HERE/admin_bench.py" load "$PORT" "$TOKEN" "$T/load.csv" --batch "$BATCH" --conns 2 |
    sed 's/^RESULT/RESULT bulk/'
wal_stats | python3 -c 'import json,sys; s=json.load(sys.stdin); print("RESULT overlay values=%d bytes=%d wal_bytes=%d" % (s["overlay"]["values"], s["overlay"]["bytes"], s["wal"]["bytes"]))'

for r in $(seq "$REPS"); do
    log "lookups with a large overlay, no writes ($r/$REPS)"
    lookups "large overlay, no writes" | tee -a "$T/results"
    log "lookups while a writer runs ($r/$REPS)"
    python3 "$HERE/admin_bench.py" writer "$PORT" "$TOKEN" --seconds "$DURATION" \
        --first $((3000000 + r * 2000000)) >"$T/writer.out" &
    WRK_BG=$!
    lookups "large overlay, writer running" | tee -a "$T/results"
    wait "$WRK_BG"
    WRK_BG=''
    sed 's/^RESULT/RESULT writer/' "$T/writer.out"
done

log "kill -9 and restart: replay of the log"
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
t0=$(date +%s.%N)
start
t1=$(date +%s.%N)
records=$(grep -o '[0-9]* changes replayed' "$T/log" | cut -d' ' -f1)
echo "RESULT restart records=$records seconds_to_listening=$(python3 -c "print(round($t1 - $t0, 2))")"

log "compaction while lookups run"
lookups "during compaction" >"$T/wrk.out" &
WRK_BG=$!
sleep 1
admin -X POST "http://127.0.0.1:$PORT/v1/admin/compact" |
    python3 -c 'import json,sys; c=json.load(sys.stdin); print("RESULT compact indicators=%d folded=%d seconds=%.2f" % (c["indicators"], c["changes_folded"], c["seconds"]))'
wait "$WRK_BG"
WRK_BG=''
cat "$T/wrk.out"
for r in $(seq "$REPS"); do
    log "lookups after compaction, empty overlay ($r/$REPS)"
    lookups "after compaction" | tee -a "$T/results"
done
kill -TERM "$PID"
wait "$PID" || true
PID=''

log "medians of the lookup runs"
python3 - "$T/results" <<'EOF2'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"RESULT lookups\((.*?)\) .*rps=([\d.]+) p50_us=(\d+) p99_us=(\d+)", line)
    if m:
        runs.setdefault(m.group(1), []).append(tuple(float(x) for x in m.group(2, 3, 4)))
for label, xs in runs.items():
    print("MEDIAN lookups(%s) runs=%d rps=%.0f p50_us=%.0f p99_us=%.0f" % (
        label, len(xs), statistics.median(x[0] for x in xs),
        statistics.median(x[1] for x in xs), statistics.median(x[2] for x in xs)))
EOF2
