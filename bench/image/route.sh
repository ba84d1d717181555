#!/usr/bin/env bash
# POST /v1/image through the real service (bench/RESULTS.md, "Images through the route"):
# time per image, QR only (the code alone, 450 x 450) and an OCR'd 1080 x 2400 screenshot,
# one after the other (p50/p99); the service's memory per image (VmHWM growth over idle);
# then GET /v1/check lookups (wrk, 4 connections) alone and with CLIENTS image clients posting
# the screenshot back to back beside them: the lookups' p50/p99 and requests per second, and
# images per second, REPS times interleaved (alone, beside, alone, …), medians.
#
#   bench/image/route.sh                 # about 2 minutes; build first (make build)
#   DURATION=5 REPS=1 bench/image/route.sh
#
# Settings: BUILD (default build), DURATION (s per run, 10), REPS (3), N (images per latency
# set, 30), CLIENTS (4), THREADS (the service's worker threads, 2), CONFIGS (image threads and
# their nice value, "2:19 2:0": the default, and the same at the lookups' priority).
# Needs wrk, qrencode, ImageMagick. Listens on 127.0.0.1 only.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
DURATION=${DURATION:-10}
REPS=${REPS:-3}
N=${N:-30}
CLIENTS=${CLIENTS:-4}
THREADS=${THREADS:-2}
CONFIGS=${CONFIGS:-"2:19 2:0"}
T=$(mktemp -d /tmp/fidx-imgbench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT

sh "$ROOT/tests/unit/service/image/make_images.sh" "$T/img" >/dev/null
"$BUILD/data/fraudidx-gen" --rows 100000 --seed 7 >"$T/rows.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/s.fidx" "$T/rows.csv" >/dev/null
awk -v n=20000 -v seed=11 -f "$ROOT/bench/http/queries.awk" "$T/rows.csv" >"$T/queries.txt"

kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# wrk's "p50 p99 req/s" for GET /v1/check on PORT.
lookups() {
    timeout $((DURATION + 20)) wrk -t1 -c4 -d"${DURATION}s" --latency \
        -s "$ROOT/bench/http/check.lua" "http://127.0.0.1:$1" -- "$T/queries.txt" >"$T/wrk"
    awk '/ 50%/{p50=$2} / 99%/{p99=$2} /Requests\/sec/{rps=$2} END{printf "%s %s %s", p50, p99, rps}' \
        "$T/wrk"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for config in $CONFIGS; do
    it=${config%:*}
    nice=${config#*:}
    "$BUILD/service/fraudidx-service" --snapshot "$T/s.fidx" --listen 127.0.0.1:0 \
        --threads "$THREADS" --image-threads "$it" --image-nice "$nice" --image-timeout 120 \
        --data-dir "$T/data-$config" 2>"$T/log" &
    pid=$!
    port=$(service_port "$T/log" "$pid")
    idle=$(kb "$pid" VmRSS)
    qr=$(python3 "$HERE/route_bench.py" seq "$port" "$T/img/qr.png" "$N")
    hwm_qr=$(kb "$pid" VmHWM)
    shot=$(python3 "$HERE/route_bench.py" seq "$port" "$T/img/qr_shot.png" "$N")
    hwm_shot=$(kb "$pid" VmHWM)
    echo "image threads $it at nice $nice: QR only (qr.png) p50/p99 ms: $qr; OCR'd screenshot (qr_shot.png): $shot"
    echo "  RSS idle $((idle / 1024)) MB; peak after QR-only images $((hwm_qr / 1024)) MB, after" \
        "OCR'd screenshots $((hwm_shot / 1024)) MB (engines loaded on first use)"
    : >"$T/alone"
    : >"$T/beside"
    for _ in $(seq "$REPS"); do
        echo "$(lookups "$port")" >>"$T/alone"
        python3 "$HERE/route_bench.py" load "$port" "$T/img/qr_shot.png" $((DURATION + 2)) \
            "$CLIENTS" >"$T/load" &
        lp=$!
        sleep 1
        lookups "$port" >>"$T/beside"
        echo >>"$T/beside"
        wait "$lp"
        sed -i '$ s/$/ '"$(cat "$T/load")"'/' "$T/beside"
    done
    hwm_load=$(kb "$pid" VmHWM)
    echo "  peak RSS after the loads: $((hwm_load / 1024)) MB"
    echo "  runs (lookups p50 p99 req/s [images/s ok 503]):"
    sed 's/^/    alone  /' "$T/alone"
    sed 's/^/    beside /' "$T/beside"
    for col in 2 3; do
        a=$(cut -d' ' -f$col "$T/alone" | sed 's/ms//;s/us/e-3/' | median)
        b=$(cut -d' ' -f$col "$T/beside" | sed 's/ms//;s/us/e-3/' | median)
        name=$([ $col = 2 ] && echo "lookups p99 ms" || echo "lookups req/s")
        echo "  median $name: alone $a, beside images $b (ratio $(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", b/a}'))"
    done
    echo "  median images/s beside the lookups: $(cut -d' ' -f4 "$T/beside" | median)"
    kill -TERM "$pid"
    wait "$pid" || true
done
