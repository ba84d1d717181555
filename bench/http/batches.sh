#!/usr/bin/env bash
# Issue 16's batch figures, a build against a baseline build in the same run: POST /v1/check
# with 1,000 values (lookups a second) and POST /v1/scan with 100 ordinary posts of 300 bytes
# (posts a second), each service with one thread pinned to CPU 1 and wrk on CPU 0. The machine
# is shared and noisy, so the two builds alternate (A B A B …) and the medians are compared;
# bench/http/instructions.sh gives the repeatable figure (instructions).
#
#   BASE=/tmp/main-build bench/http/batches.sh        # BUILD defaults to build
#
# Settings: BUILD, BASE (both configured and built: fraudidx-service, -indexer, -gen),
# ROWS (1M phone indicators), REPS (5), DURATION (5 s), CONNS (16).
# Everything listens on 127.0.0.1; bounded by `timeout` (15 minutes).
set -euo pipefail

if [ -z "${FIDX_BATCHES_TIMED:-}" ]; then
    export FIDX_BATCHES_TIMED=1
    exec timeout --foreground -k 30 900 "$0" "$@"
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
BASE=${BASE:?BASE: the baseline build directory}
ROWS=${ROWS:-1000000}
REPS=${REPS:-5}
DURATION=${DURATION:-5}
CONNS=${CONNS:-16}

T=$(mktemp -d /tmp/fidx-batches.XXXXXX)
PIDS=''
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

"$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed 7 >"$T/ind.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/ind.fidx" "$T/ind.csv" >/dev/null
awk -v n=200000 -v seed=7 -f "$HERE/queries.awk" "$T/ind.csv" >"$T/queries.txt"
python3 "$HERE/posts.py" 300 1000 >"$T/posts.txt"

start() { # build → port
    local log=$T/log.$RANDOM
    taskset -c 1 "$1/service/fraudidx-service" --snapshot "$T/ind.fidx" --listen 127.0.0.1:0 \
        --threads 1 --watch-interval 0 --max-body-bytes 4194304 2>"$log" &
    PIDS="$PIDS $!"
    service_port "$log" "$!"
}
PORT_NEW=$(start "$BUILD")
PORT_BASE=$(start "$BASE")

run() { # port mode → requests a second
    local script=$HERE/batch.lua args="$T/queries.txt 1000"
    [ "$2" = scan100 ] && script=$HERE/scan.lua args="$T/posts.txt 100"
    # shellcheck disable=SC2086
    taskset -c 0 wrk -t1 -c"$CONNS" -d"${3:-$DURATION}s" --timeout 10s -s "$script" \
        "http://127.0.0.1:$1" -- $args | sed -n 's/^RESULT.* rps=\([0-9.]*\) .* status=\([0-9]*\).*/\1 \2/p'
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

printf 'build: %s (%s)\nbase:  %s (%s)\n' "$BUILD" \
    "$(git -C "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$BASE" "$(cat "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BASE/CMakeCache.txt")/COMMIT" 2>/dev/null || echo '?')"
for mode in batch1000 scan100; do
    per=1000
    [ "$mode" = scan100 ] && per=100
    run "$PORT_NEW" "$mode" 1 >/dev/null # warm-up
    run "$PORT_BASE" "$mode" 1 >/dev/null
    : >"$T/new" && : >"$T/base"
    for rep in $(seq "$REPS"); do
        read -r a ea <<<"$(run "$PORT_BASE" "$mode")"
        read -r b eb <<<"$(run "$PORT_NEW" "$mode")"
        echo "$a" >>"$T/base" && echo "$b" >>"$T/new"
        printf '  %-9s rep %d: base %8.1f req/s (%s non-2xx)  new %8.1f req/s (%s non-2xx)\n' \
            "$mode" "$rep" "$a" "${ea:-0}" "$b" "${eb:-0}" >&2
    done
    a=$(median <"$T/base") b=$(median <"$T/new")
    printf '%-9s median of %d: base %10.0f  new %10.0f  %s a second (x %.2f)\n' "$mode" "$REPS" \
        "$(echo "$a * $per" | bc)" "$(echo "$b * $per" | bc)" \
        "$([ "$mode" = scan100 ] && echo posts || echo lookups)" "$(echo "$b / $a" | bc -l)"
done
