#!/usr/bin/env bash
# Benchmark of replication (issue 18, "Measure"): a reader's lag while the writer takes
# RATE rows/s, a reader's apply rate (catching up ROWS changes after a restart), the cost of
# --sync-replicas 1 on single-row write latency (beside a writer without it, same run,
# interleaved), and the bootstrap of a reader from a BIG_ROWS snapshot. bench/RESULTS.md has
# the figures of this machine; bench/deploy/haproxy.sh (FOLLOW=1) measures lookups through
# HAProxy with two following readers beside direct to one.
#
#   bench/replica/run.sh                              # about 3 minutes
#   BIG_ROWS=1000000 ROWS=100000 LAG_SECONDS=3 REPS=1 bench/replica/run.sh   # a smoke run
#
# Settings (environment): BUILD (default build: the binaries as they are), BASE_ROWS (the
# writer's snapshot), RATE, LAG_SECONDS, BATCH (rows per request of the lag run), ROWS,
# SINGLE (requests per latency run), REPS, BIG_ROWS, THREADS (per process), TMPBASE (the data
# directories: a disk, not a tmpfs, so fsync costs what it costs). Everything listens on
# 127.0.0.1 and is stopped at the end; the script is bounded by `timeout` (15 minutes).
set -euo pipefail

if [ -z "${FIDX_REPLICABENCH_TIMED:-}" ]; then
    export FIDX_REPLICABENCH_TIMED=1
    exec timeout --foreground -k 30 900 "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
BASE_ROWS=${BASE_ROWS:-1000000}
RATE=${RATE:-10000}
LAG_SECONDS=${LAG_SECONDS:-10}
BATCH=${BATCH:-100}
ROWS=${ROWS:-1000000}
SINGLE=${SINGLE:-1000}
REPS=${REPS:-3}
BIG_ROWS=${BIG_ROWS:-10000000}
THREADS=${THREADS:-2}
TMPBASE=${TMPBASE:-/var/tmp}

T=$(mktemp -d "$TMPBASE/fidx-replicabench.XXXXXX")
PIDS=''
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "run.sh: stopped (time limit or SIGTERM)" >&2; exit 143' TERM
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

SVC=$BUILD/service/fraudidx-service
BENCH="python3 $HERE/replica_bench.py"
TOKEN=bench-token-0123456789abcdef
printf 'bench %s\n' "$TOKEN" >"$T/tokens"
printf '%s\n' "$TOKEN" >"$T/follow-token"
chmod 600 "$T/tokens" "$T/follow-token"

# start NAME ARGS...: a service in the background; sets PORT and the pid in $T/NAME.pid.
start() {
    local name=$1
    shift
    "$SVC" --listen 127.0.0.1:0 --threads "$THREADS" "$@" >/dev/null 2>"$T/$name.log" &
    PIDS="$PIDS $!"
    echo "$!" >"$T/$name.pid"
    PORT=$(service_port "$T/$name.log" "$(cat "$T/$name.pid")")
}
stop() { kill -TERM "$(cat "$T/$1.pid")"; wait "$(cat "$T/$1.pid")" 2>/dev/null || true; }
writer() { start "$1" --snapshot "$2" --tokens "$T/tokens" --data-dir "$T/$1" "${@:3}"; }
reader() { start "$1" --follow "http://127.0.0.1:$2" --follow-token-file "$T/follow-token" \
                      --data-dir "$T/$1" "${@:3}"; }
healthy() { # PORT: waits for /healthz 200 (a reader current with its writer)
    for _ in $(seq 600); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/healthz" && return 0
        sleep 0.05
    done
    echo "no healthy reader on $1" >&2
    return 1
}
durable() {
    curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1/v1/admin/status" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["wal"]["durable_seq"])'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { grep -o "$1=[0-9.]*" | cut -d= -f2; }

log "generating $BASE_ROWS indicators for the writer's snapshot"
"$BUILD/data/fraudidx-gen" --rows "$BASE_ROWS" --seed 7 >"$T/base.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/base.fidx" "$T/base.csv" >/dev/null

writer w "$T/base.fidx"
W=$PORT
reader r "$W"
R=$PORT
healthy "$R"

log "lag while the writer takes $RATE rows/s for $LAG_SECONDS s (batches of $BATCH), $REPS x"
# Baseline in the same run: the same probe on the writer itself, where an acknowledged row is
# visible already, so its "lag" is what one probe takes on this machine now.
for i in $(seq "$REPS"); do
    $BENCH lag "$W" "$R" "$TOKEN" --rate "$RATE" --seconds "$LAG_SECONDS" --batch "$BATCH" \
        --first $((5000000 + i * 400000)) | tee -a "$T/lag.txt" >&2
    $BENCH lag "$W" "$W" "$TOKEN" --rate "$RATE" --seconds "$LAG_SECONDS" --batch "$BATCH" \
        --first $((5200000 + i * 400000)) | tee -a "$T/lag-writer.txt" >&2
done

log "apply rate: $ROWS changes loaded while the reader is stopped, then its catch-up"
stop r
head -n $((ROWS + 1)) "$T/base.csv" >"$T/rows.csv"
python3 "$ROOT/bench/admin/admin_bench.py" load "$W" "$TOKEN" "$T/rows.csv" --batch 10000 \
    --conns 2 >/dev/null
TARGET=$(durable "$W")
reader r "$W"
R=$PORT
$BENCH catchup "$R" "$TARGET" >/dev/null
# The reader's own account: changes applied and seconds from its follower's start.
grep -o 'caught up with the writer at change [0-9]* ([0-9]* changes applied in [0-9.]* s' \
    "$T/r.log" | awk '{printf "RESULT changes=%d seconds=%.3f per_s=%.0f\n", substr($9, 2),
                      $13, substr($9, 2) / ($13 > 0 ? $13 : 1e-9)}' >"$T/catchup.txt"
cat "$T/catchup.txt" >&2

log "single-row writes: --sync-replicas 1 (with its reader) beside none, $REPS x $SINGLE each"
writer ws "$T/base.fidx" --sync-replicas 1
WS=$PORT
reader rs "$WS"
healthy "$PORT"
for i in $(seq "$REPS"); do
    $BENCH single "$W" "$TOKEN" --n "$SINGLE" --first $((9000000 + i * 10000)) >>"$T/plain.txt"
    $BENCH single "$WS" "$TOKEN" --n "$SINGLE" --first $((9500000 + i * 10000)) >>"$T/sync.txt"
done
cat "$T/plain.txt" "$T/sync.txt" >&2
stop rs
stop ws
stop r
stop w

log "bootstrap: generating and indexing $BIG_ROWS indicators"
"$BUILD/data/fraudidx-gen" --rows "$BIG_ROWS" --seed 11 >"$T/big.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/big.fidx" "$T/big.csv" >/dev/null
rm -f "$T/big.csv"
writer wb "$T/big.fidx"
WB=$PORT
for i in $(seq "$REPS"); do
    t0=$(date +%s.%N)
    reader "rb$i" "$WB"
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{printf "RESULT bootstrap_s=%.3f\n", $2 - $1}' >>"$T/boot.txt"
    grep -o 'in [0-9.]* s ([0-9.]* s to fetch and fsync, [0-9.]* s to check)' "$T/rb$i.log" \
        >>"$T/boot.txt"
    stop "rb$i"
    rm -rf "$T/rb$i"
done
cat "$T/boot.txt" >&2

echo
echo "== replication (median of $REPS where repeated) =="
for f in lag lag-writer; do
    printf '%-10s rows/s %s, lag p50/p90/p99/max ms %s / %s / %s / %s\n' "$f" \
        "$(field rows_per_s <"$T/$f.txt" | median)" "$(field p50_ms <"$T/$f.txt" | median)" \
        "$(field p90_ms <"$T/$f.txt" | median)" "$(field p99_ms <"$T/$f.txt" | median)" \
        "$(field max_ms <"$T/$f.txt" | median)"
done
cat "$T/catchup.txt"
printf 'single-row p50/p90/p99 ms, no sync:  %s / %s / %s\n' \
    "$(field p50_ms <"$T/plain.txt" | median)" "$(field p90_ms <"$T/plain.txt" | median)" \
    "$(field p99_ms <"$T/plain.txt" | median)"
printf 'single-row p50/p90/p99 ms, sync 1:   %s / %s / %s\n' \
    "$(field p50_ms <"$T/sync.txt" | median)" "$(field p90_ms <"$T/sync.txt" | median)" \
    "$(field p99_ms <"$T/sync.txt" | median)"
printf 'bootstrap from %s indicators, s to listening: %s (runs: %s)\n' "$BIG_ROWS" \
    "$(field bootstrap_s <"$T/boot.txt" | median)" "$(field bootstrap_s <"$T/boot.txt" | tr '\n' ' ')"
echo "load average at the end (2 cores; anything above ~3 means others were busy): $(cut -d' ' -f1-3 /proc/loadavg)"
