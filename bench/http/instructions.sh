#!/usr/bin/env bash
# Instructions per request of fraudidx-service (callgrind), for comparing two builds on a busy
# machine: unlike wrk's requests a second, instruction counts do not move with the load of
# other processes. The service runs under callgrind with one thread; a Python client sends
# N1, then (in a second run) N2 requests one after the other on one keep-alive connection;
# (Ir(N2) - Ir(N1)) / (N2 - N1) is the cost of one request with start-up and shut-down taken
# out. Modes: GET /v1/check (the query list of run.sh: half hits, half misses, 8 written forms)
# and POST /v1/check batches of 100 (per item); with MODES, also batch1000 (POST /v1/check of
# 1,000 items, per item) and scan100 (POST /v1/scan of 100 ordinary posts of 300 bytes,
# posts.py, per post).
#
#   bench/http/instructions.sh                 # BUILD=build-bench (Release), ~2 minutes
#   BUILD=/tmp/old/build SKIP_BUILD=1 bench/http/instructions.sh   # another build
#   SERVICE_ARGS="--trusted-proxy 127.0.0.1 --lookup-rate 1000000/s" bench/http/instructions.sh
#       more flags for the service (here: the lookups charged to a per-network bucket, which
#       loopback alone is not)
#   MODES="batch1000 scan100" bench/http/instructions.sh     # issue 16's batches
#   MODES=get WARNINGS=20 bench/http/instructions.sh   # with 20 published warnings (issue
#       19): each names 5 values of the snapshot, categories in turn, so checks find related ones
#   SETS="phone_hit phone_miss link_hit link_miss" bench/http/instructions.sh
#       GET /v1/check per kind of lookup (query_sets.py): a mixed snapshot (fraudidx-gen --kind
#       mixed, plus data/allowlist.csv, so the look-alike index has its sites), one set at a
#       time; N1, N2 default to 500 and 4500 there (ALLOWLIST: another build's allowlist.csv,
#       for a build whose indexer does not read this one's columns)
#
# Needs valgrind. Listens on 127.0.0.1 only; bounded by `timeout`.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-bench}
ROWS=${ROWS:-100000}
SETS=${SETS:-}
if [ -n "$SETS" ]; then
    N1=${N1:-500}
    N2=${N2:-4500}
fi
N1=${N1:-1000}
N2=${N2:-11000}

if [ -z "${SKIP_BUILD:-}" ]; then
    [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer fraudidx-gen >/dev/null
fi
T=$(mktemp -d /tmp/fidx-instr.XXXXXX)
trap 'rm -rf "$T"' EXIT
if [ -n "$SETS" ]; then
    "$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed 7 --kind mixed >"$T/rows.csv"
    "$BUILD/indexer/fraudidx-indexer" build -o "$T/s.fidx" "$T/rows.csv" \
        "${ALLOWLIST:-$ROOT/data/allowlist.csv}" >/dev/null
    python3 "$HERE/query_sets.py" "$T/rows.csv" "$T/sets" 5000
else
    "$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed 7 >"$T/rows.csv"
    "$BUILD/indexer/fraudidx-indexer" build -o "$T/s.fidx" "$T/rows.csv" >/dev/null
    awk -v n=20000 -v seed=11 -f "$HERE/queries.awk" "$T/rows.csv" >"$T/queries.txt"
fi

# Published warnings in the data directory (read at start), for WARNINGS=N.
if [ -n "${WARNINGS:-}" ]; then
    mkdir -p "$T/data"
    python3 - "$T/rows.csv" "$WARNINGS" >"$T/data/warnings.jsonl" <<'PY'
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["kind"] == "phone"]
cats = ["impersonation", "task_job", "investment", "loan", "phishing", "malware_app"]
for i in range(int(sys.argv[2])):
    print(json.dumps({"id": "w%016x" % (i + 1), "uuid": "00000000-0000-4000-8000-%012x" % i,
        "rev": 2, "state": "published", "created": "2026-12-01T00:00:00Z",
        "updated": "2026-12-01T00:00:00Z", "published": "2026-12-01T00:00:00Z",
        "title": {"vi": "Cảnh báo %d" % i}, "text": {"vi": "Nội dung"}, "regions": ["all"],
        "category": cats[i % len(cats)], "severity": "medium",
        "indicators": [rows[(i * 5 + k) * 97 % len(rows)]["value"] for k in range(5)]}))
PY
fi

# Instructions of one service run that answers n requests of the mode (from QUERIES).
QUERIES=$T/queries.txt
run() {
    local n=$1 mode=$2 out=$T/cg.$1.${2// /_} port=''
    timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$BUILD/service/fraudidx-service" --snapshot "$T/s.fidx" --listen 127.0.0.1:0 \
        --threads 1 --data-dir "$T/data" ${SERVICE_ARGS:-} 2>"$T/log" &
    local pid=$!
    port=$(service_port "$T/log" "$pid") || exit 1
    timeout 600 python3 "$HERE/sequential_client.py" "$port" "$QUERIES" "$n" $mode
    kill -TERM "$pid"
    wait "$pid" || true
    sed -n 's/^summary: *//p' "$out"
}

if [ -n "$SETS" ]; then
    printf '%-10s %14s %14s %12s\n' set "Ir($N1)" "Ir($N2)" "Ir/request"
    for set in $SETS; do
        QUERIES=$T/sets/$set.txt
        a=$(run "$N1" get)
        b=$(run "$N2" get)
        printf '%-10s %14s %14s %12.0f\n' "$set" "$a" "$b" "$(echo "($b - $a) / ($N2 - $N1)" | bc -l)"
    done
    exit 0
fi
python3 "$HERE/posts.py" 300 1000 >"$T/posts.txt"
printf '%-10s %14s %14s %12s\n' mode "Ir(n1)" "Ir(n2)" "Ir/unit"
for m in ${MODES:-get batch100}; do
    n1=$N1 n2=$N2 per=1 QUERIES=$T/queries.txt
    case $m in
    get) mode=get ;;
    batch100) mode="batch 100" per=100 ;;
    batch1000) mode="batch 1000" per=1000 n1=$((N1 / 10)) n2=$((N2 / 10)) ;;
    scan100) mode="scan 100" per=100 n1=$((N1 / 10)) n2=$((N2 / 10)) QUERIES=$T/posts.txt ;;
    *) echo "unknown mode $m" >&2; exit 2 ;;
    esac
    a=$(run "$n1" "$mode")
    b=$(run "$n2" "$mode")
    printf '%-10s %14s %14s %12.0f\n' "$m" "$a" "$b" "$(echo "($b - $a) / (($n2 - $n1) * $per)" | bc -l)"
done
