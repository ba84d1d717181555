#!/usr/bin/env bash
# Single GET /v1/check latency beside a flood of large batches (issue 12): one wrk sends 1 MB
# batches (1,000 URLs of ~1 KB) on FLOOD connections, another measures plain GETs on 4
# connections at a fixed, modest rate; both against one worker thread. Prints the GETs' p50
# and p99 for each build and each flood size, the builds side by side in the same run.
#
#   bench/fairness/run.sh                                  # this tree (BUILD=build-bench)
#   BASE=/tmp/old/build-bench bench/fairness/run.sh        # and a baseline build beside it
#
# Needs wrk. Listens on 127.0.0.1 only; every run bounded by DURATION seconds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-bench}
DURATION=${DURATION:-10}
FLOODS=${FLOODS:-"0 4 64"}

if [ -z "${SKIP_BUILD:-}" ]; then
    [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer fraudidx-gen >/dev/null
fi
T=$(mktemp -d /tmp/fidx-fair.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT
"$BUILD/data/fraudidx-gen" --rows 100000 --seed 7 >"$T/rows.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/s.fidx" "$T/rows.csv" >/dev/null
awk -v n=20000 -v seed=11 -f "$ROOT/bench/http/queries.awk" "$T/rows.csv" >"$T/queries.txt"
python3 - "$T/body.json" <<'PY'
import json, sys
items = ["https://ex%d.example/%s" % (i, "a" * 1000) for i in range(1000)]
open(sys.argv[1], "w").write(json.dumps({"items": items}))
PY

# p50 and p99 (ms) of GETs while FLOOD connections send batches to the service at PORT.
measure() {
    local port=$1 flood=$2 out=$T/get.$1.$2
    if [ "$flood" -gt 0 ]; then
        timeout $((DURATION + 20)) wrk -t1 -c"$flood" -d$((DURATION + 2))s -s "$HERE/flood.lua" \
            "http://127.0.0.1:$port" -- "$T/body.json" >/dev/null 2>&1 &
        sleep 1
    fi
    timeout $((DURATION + 20)) wrk -t1 -c4 -d"${DURATION}s" --latency \
        -s "$ROOT/bench/http/check.lua" "http://127.0.0.1:$port" -- "$T/queries.txt" >"$out"
    wait
    awk '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} END{printf "%s %s %s", p50, p99, rps}' "$out"
}

run_build() {
    local name=$1 bin=$2
    "$bin/service/fraudidx-service" --snapshot "$T/s.fidx" --listen 127.0.0.1:0 --threads 1 \
        --data-dir "$T/data-$name" --max-body-bytes 2M 2>"$T/log.$name" &
    local pid=$! port
    port=$(service_port "$T/log.$name" "$pid") || exit 1
    for f in $FLOODS; do
        printf '%-10s %6s %s\n' "$name" "$f" "$(measure "$port" "$f")"
    done
    kill -TERM "$pid"
    wait "$pid" || true
}

printf '%-10s %6s %s\n' build flood "GET-p50 GET-p99 GET-req/s"
run_build this "$BUILD"
[ -n "${BASE:-}" ] && run_build baseline "$BASE"
exit 0
