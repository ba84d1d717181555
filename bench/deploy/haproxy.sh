#!/usr/bin/env bash
# Lookups through HAProxy (deploy/haproxy/haproxy.cfg, TLS, two readers round-robin) beside
# lookups straight to one reader, in the same run (issue 18, deployment kit). wrk sends GET
# /v1/check over keep-alive connections with the HTTP benchmark's queries (bench/http/check.lua,
# queries.awk): plain HTTP to reader 1 directly, HTTPS to HAProxy. Runs are interleaved
# (direct, proxied, direct, …) REPS times; the medians and the ratio are printed, with the CPU
# each process used.
#
#   bench/deploy/haproxy.sh                     # about 1 minute
#   DURATION=3 REPS=1 bench/deploy/haproxy.sh   # a smoke run
#
# Settings (environment): BUILD (default build: the binaries are used as they are), DURATION
# (s per wrk run, at most 15), REPS, CONNS, THREADS (per reader), ROWS, SEED. Needs wrk,
# haproxy, openssl; run as root (HAProxy's config chroots). Everything listens on 127.0.0.1 and
# is stopped at the end; the script is bounded by `timeout` (5 minutes), each wrk run by -d.
set -euo pipefail

if [ -z "${FIDX_DEPLOYBENCH_TIMED:-}" ]; then
    export FIDX_DEPLOYBENCH_TIMED=1
    exec timeout --foreground -k 10 300 "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build}
DURATION=${DURATION:-8}
REPS=${REPS:-3}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
ROWS=${ROWS:-1000000}
SEED=${SEED:-7}
[ "$DURATION" -le 15 ] || { echo "DURATION must be at most 15 s" >&2; exit 2; }

T=$(mktemp -d /tmp/fidx-deploybench.XXXXXX)
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
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

log "generating $ROWS phone indicators, the snapshot and the queries"
"$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed "$SEED" >"$T/ind.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/snap.fidx" "$T/ind.csv" >/dev/null
awk -v n=200000 -v seed="$SEED" -f "$ROOT/bench/http/queries.awk" "$T/ind.csv" >"$T/queries.txt"

for r in reader1 reader2; do
    "$BUILD/service/fraudidx-service" --snapshot "$T/snap.fidx" --listen 127.0.0.1:0 \
        --threads "$THREADS" --data-dir "$T/$r" >/dev/null 2>"$T/$r.log" &
    PIDS="$PIDS $!"
    echo "$!" >"$T/$r.pid"
done
R1=$(service_port "$T/reader1.log" "$(cat "$T/reader1.pid")")
R2=$(service_port "$T/reader2.log" "$(cat "$T/reader2.pid")")

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cat "$T/cert.pem" "$T/key.pem" >"$T/combined.pem"
HTTPS=$((20000 + RANDOM % 20000))
# Reads only here: the writer's backend points at reader 1 (it takes no request in this run).
FRAUDIDX_READER1=127.0.0.1:$R1 FRAUDIDX_READER2=127.0.0.1:$R2 FRAUDIDX_WRITER=127.0.0.1:$R1 \
    FRAUDIDX_HTTPS_BIND=127.0.0.1:$HTTPS FRAUDIDX_HTTP_BIND=127.0.0.1:$((HTTPS + 1)) \
    FRAUDIDX_TLS_CERT=$T/combined.pem FRAUDIDX_HAPROXY_SOCKET=$T/admin.sock \
    FRAUDIDX_HAPROXY_LOG=/dev/null \
    haproxy -db -f "$ROOT/deploy/haproxy/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
HAPROXY_PID=$!
PIDS="$PIDS $HAPROXY_PID"
for _ in $(seq 100); do
    curl -sk -o /dev/null "https://127.0.0.1:$HTTPS/healthz" && break
    sleep 0.1
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, clock ticks
HZ=$(getconf CLK_TCK)
printf 'mode\trep\trps\tp50_us\tp99_us\terrors\thaproxy_cpu\treader1_cpu\treader2_cpu\twrk_cpu\n' >"$T/results.tsv"
run() { # mode rep url
    local pids="$HAPROXY_PID $(cat "$T/reader1.pid") $(cat "$T/reader2.pid")" before after line
    before=$(for p in $pids; do ticks "$p"; done | paste -sd' ')
    { TIMEFORMAT='%U %S'; time wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s \
        -s "$ROOT/bench/http/check.lua" "$3" -- "$T/queries.txt" 1 >"$T/wrk.out"; } 2>"$T/wrk.time"
    line=$(grep '^RESULT' "$T/wrk.out")
    after=$(for p in $pids; do ticks "$p"; done | paste -sd' ')
    awk -v m="$1" -v r="$2" -v b="$before" -v a="$after" -v hz="$HZ" -v d="$DURATION" -v l="$line" \
        -v w="$(cat "$T/wrk.time")" '
        BEGIN {
            n = split(l, f, " "); for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
            split(b, B, " "); split(a, A, " ")
            err = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
            printf "%s\t%d\t%.0f\t%d\t%d\t%d", m, r, v["rps"], v["p50_us"], v["p99_us"], err
            for (i = 1; i <= 3; i++) printf "\t%.0f", (A[i] - B[i]) * 100 / hz / d
            split(w, W, " "); printf "\t%.0f\n", (W[1] + W[2]) * 100 / d
        }' >>"$T/results.tsv"
    log "$(tail -1 "$T/results.tsv")"
}
for rep in $(seq "$REPS"); do
    run direct "$rep" "http://127.0.0.1:$R1"
    run haproxy "$rep" "https://127.0.0.1:$HTTPS"
done

cat "$T/results.tsv"
echo
echo "load average at the end (2 cores; anything above ~3 means others were busy): $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' 'NR > 1 { k = $1; n[k]++; rps[k, n[k]] = $3; p50[k, n[k]] = $4; p99[k, n[k]] = $5
                     err[k] += $6; hp[k, n[k]] = $7; r1[k, n[k]] = $8; r2[k, n[k]] = $9
                     wc[k, n[k]] = $10 }
    function med(a, k, c,    i, j, t, x) {
        for (i = 1; i <= c; i++) x[i] = a[k, i]
        for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
        return x[int((c + 1) / 2)]
    }
    END {
        printf "| | req/s | p50 | p99 | errors | CPU haproxy / reader1 / reader2 / wrk | CPU µs per request: haproxy / readers |\n| --- | --- | --- | --- | --- | --- | --- |\n"
        for (m = 1; m <= 2; m++) {
            k = m == 1 ? "direct" : "haproxy"
            for (i = 1; i <= n[k]; i++) {  # CPU time per request, less sensitive to a busy machine
                uh[k, i] = hp[k, i] * 1e4 / rps[k, i]; ur[k, i] = (r1[k, i] + r2[k, i]) * 1e4 / rps[k, i]
            }
            printf "| %s | %d | %d µs | %d µs | %d | %d / %d / %d / %d %% | %.1f / %.1f |\n", k == "direct" ? "direct to reader 1 (HTTP)" : "HAProxy, 2 readers (HTTPS)",
                med(rps, k, n[k]), med(p50, k, n[k]), med(p99, k, n[k]), err[k],
                med(hp, k, n[k]), med(r1, k, n[k]), med(r2, k, n[k]), med(wc, k, n[k]),
                med(uh, k, n[k]), med(ur, k, n[k])
        }
        printf "\nratio HAProxy / direct (median req/s): %.2f\n", med(rps, "haproxy", n["haproxy"]) / med(rps, "direct", n["direct"])
    }' "$T/results.tsv"
