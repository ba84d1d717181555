#!/usr/bin/env bash
# Issue 16's batch figures, a build against a baseline build in the same run: POST /v1/check
# with 1,000 values (lookups a second) and POST /v1/scan with 100 ordinary posts of 300 bytes
# (posts a second), each service with one thread pinned to CPU 1 and wrk on CPU 0. The machine
# is shared and noisy, so the two builds alternate (A B A B …) and the medians are compared,
# both a second and per CPU-second the service used (its utime + stime over the run: what one
# thread does when it has its core, less sensitive to other processes taking it);
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

start() { # build → PORT (not in a subshell: the service's pid must reach cleanup)
    local log=$T/log.$RANDOM
    taskset -c 1 "$1/service/fraudidx-service" --snapshot "$T/ind.fidx" --listen 127.0.0.1:0 \
        --threads 1 --watch-interval 0 --max-body-bytes 4194304 >/dev/null 2>"$log" &
    PIDS="$PIDS $!"
    PORT=$(service_port "$log" "$!")
}
start "$BUILD"
PORT_NEW=$PORT PID_NEW=${PIDS##* }
start "$BASE"
PORT_BASE=$PORT PID_BASE=${PIDS##* }

ticks() { # utime + stime of a process, in clock ticks (its command name has no spaces)
    local f
    read -r -a f <"/proc/$1/stat"
    echo $((f[13] + f[14]))
}
run() { # port pid mode [seconds] → requests a second, non-2xx, requests per CPU-second
    local script=$HERE/batch.lua args="$T/queries.txt 1000" t0 t1 out
    [ "$3" = scan100 ] && script=$HERE/scan.lua args="$T/posts.txt 100"
    t0=$(ticks "$2")
    # shellcheck disable=SC2086
    out=$(taskset -c 0 wrk -t1 -c"$CONNS" -d"${4:-$DURATION}s" --timeout 10s -s "$script" \
        "http://127.0.0.1:$1" -- $args | grep '^RESULT')
    t1=$(ticks "$2")
    echo "$out" | awk -v c=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s %d %.1f\n", v["rps"], v["status"], c ? v["requests"] * hz / c : 0 }'
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

printf 'build: %s (%s)\nbase:  %s (%s)\n' "$BUILD" \
    "$(git -C "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$BASE" "$(cat "$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BASE/CMakeCache.txt")/COMMIT" 2>/dev/null || echo '?')"
for mode in batch1000 scan100; do
    per=1000 unit=lookups
    [ "$mode" = scan100 ] && per=100 unit=posts
    run "$PORT_NEW" "$PID_NEW" "$mode" 1 >/dev/null # warm-up
    run "$PORT_BASE" "$PID_BASE" "$mode" 1 >/dev/null
    : >"$T/new" && : >"$T/base"
    for rep in $(seq "$REPS"); do
        read -r a ea ca <<<"$(run "$PORT_BASE" "$PID_BASE" "$mode")"
        read -r b eb cb <<<"$(run "$PORT_NEW" "$PID_NEW" "$mode")"
        echo "$a $ca" >>"$T/base" && echo "$b $cb" >>"$T/new"
        printf '  %-9s rep %d: base %7.1f req/s, %7.1f per CPU-s (%s non-2xx); new %7.1f req/s, %7.1f per CPU-s (%s non-2xx)\n' \
            "$mode" "$rep" "$a" "$ca" "${ea:-0}" "$b" "$cb" "${eb:-0}" >&2
    done
    a=$(cut -d' ' -f1 "$T/base" | median) b=$(cut -d' ' -f1 "$T/new" | median)
    ca=$(cut -d' ' -f2 "$T/base" | median) cb=$(cut -d' ' -f2 "$T/new" | median)
    printf '%-9s medians of %d: %s a second: base %9.0f, new %9.0f (x %.2f); per CPU-second of the service: base %9.0f, new %9.0f (x %.2f)\n' \
        "$mode" "$REPS" "$unit" "$(echo "$a * $per" | bc)" "$(echo "$b * $per" | bc)" \
        "$(echo "$b / $a" | bc -l)" "$(echo "$ca * $per" | bc)" "$(echo "$cb * $per" | bc)" \
        "$(echo "$cb / $ca" | bc -l)"
done
