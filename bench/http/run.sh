#!/usr/bin/env bash
# HTTP benchmark of fraudidx-service (issue 3): wrk against GET /v1/check (plain keep-alive and
# pipelined 16 per write) and POST /v1/check batches of 100 and 1000, side by side in the same
# run with nginx answering a constant body of the same size on the same path (the ceiling of
# this machine). Builds a 1M-phone snapshot and the query list (half hits, half misses; see
# queries.awk) in a temp dir, repeats every measurement REPS times interleaved (nginx, fraudidx,
# nginx, …), prints medians and ratios, profiles the service under pipelined and batch load
# with perf, and counts its malloc/free/mutex calls per request with uprobes (as root).
#
#   bench/http/run.sh                     # 7 to 9 minutes; tables also in $OUT/summary.txt
#   DURATION=3 REPS=1 bench/http/run.sh   # a quick smoke run
#
# Settings (environment): BUILD (default build-bench, configured Release if absent), SKIP_BUILD=1
# (use the binaries in BUILD as they are), OUT (default $BUILD/http-bench: results.tsv with
# every run, summary.txt, perf-*.txt), CONFIGS ("T1 T2": 1 thread vs 1 nginx worker pinned to
# CPU 1 with wrk on CPU 0; 2 vs 2 unpinned), DURATION, REPS, CONNS, ROWS, NQUERIES, SEED,
# SERVICE_ARGS (more flags for fraudidx-service: "--trusted-proxy 127.0.0.1 --lookup-rate
# 1000000/s" charges every lookup to a per-network bucket, which loopback alone is not).
# Needs wrk, nginx (/usr/sbin/nginx, run with its own prefix in the temp dir, not the system
# service), perf, taskset, curl.
#
# Everything listens on 127.0.0.1 only; the servers are stopped at the end, on error and on
# Ctrl-C; the whole script is bounded by `timeout` (10 minutes), each wrk run by -d.
set -euo pipefail

if [ -z "${FIDX_HTTPBENCH_TIMED:-}" ]; then
    export FIDX_HTTPBENCH_TIMED=1
    exec timeout --foreground -k 30 600 "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/bench/lib.sh"
BUILD=${BUILD:-$ROOT/build-bench}
OUT=${OUT:-$BUILD/http-bench}
ROWS=${ROWS:-1000000}
NQUERIES=${NQUERIES:-200000}
DURATION=${DURATION:-8} # seconds per wrk run (at most 15)
REPS=${REPS:-3}
CONNS=${CONNS:-50}
SEED=${SEED:-7}
NGINX=${NGINX:-/usr/sbin/nginx}
CONFIGS=${CONFIGS:-T1 T2} # T1: 1 thread vs 1 worker; T2: 2 vs 2
[ "$DURATION" -le 15 ] || { echo "DURATION must be at most 15 s" >&2; exit 2; }

T=$(mktemp -d /tmp/fidx-httpbench.XXXXXX)
chmod 755 "$T" # nginx workers may run as another user and read the batch bodies here
FIDX_PID='' NGINX_PID='' WRK_BG=''
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for p in $WRK_BG $FIDX_PID $NGINX_PID; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $WRK_BG $FIDX_PID $NGINX_PID; do
        wait "$p" 2>/dev/null || true
    done
    [ -z "${PROBES:-}" ] || perf probe -q -d 'fidxbench:*' 2>/dev/null || true
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'echo "run.sh: stopped (time limit or SIGTERM)" >&2; exit 143' TERM

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

# ---- build, data ----

# SKIP_BUILD=1 benchmarks the binaries already in $BUILD (e.g. while the tree does not build).
if [ -z "${SKIP_BUILD:-}" ]; then
    if [ ! -f "$BUILD/CMakeCache.txt" ]; then
        cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    fi
    make -s -C "$BUILD" -j2 fraudidx-service fraudidx-indexer fraudidx-gen >/dev/null || {
        echo "run.sh: the build failed; SKIP_BUILD=1 runs the binaries already built" >&2
        exit 1
    }
fi
SVC=$BUILD/service/fraudidx-service
SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")
log "fraudidx-service built $(date -r "$SVC" '+%F %T') from $SRC ($(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo 'not a git tree'))"
mkdir -p "$OUT"
rm -f "$OUT"/perf-*.txt "$OUT/calls.txt" "$OUT/summary.txt"

log "generating $ROWS phone indicators and the snapshot"
"$BUILD/data/fraudidx-gen" --rows "$ROWS" --seed "$SEED" >"$T/ind.csv"
"$BUILD/indexer/fraudidx-indexer" build -o "$T/ind.fidx" "$T/ind.csv" >&2
awk -v n="$NQUERIES" -v seed="$SEED" -f "$HERE/queries.awk" "$T/ind.csv" >"$T/queries.txt"
rm "$T/ind.csv"

# The values of queries.txt as JSON strings (queries.awk encodes only these four characters).
decode() { sed -e 's/%2B/+/g; s/%20/ /g; s/%28/(/g; s/%29/)/g; s/.*/"&"/'; }
batch_body() { shuf -n "$1" "$T/queries.txt" | decode | paste -sd, | sed 's/^/{"items":[/; s/$/]}/'; }

# ---- servers ----

cpu_ticks() { # utime + stime of the given processes, in clock ticks
    local sum=0 p f
    for p in "$@"; do
        if read -r -a f <"/proc/$p/stat" 2>/dev/null; then
            # the command name (field 2) has no spaces here, so field 14 is index 13
            sum=$((sum + f[13] + f[14]))
        fi
    done
    echo "$sum"
}

# busy and steal ticks of the whole machine (/proc/stat)
sys_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $9}' /proc/stat; }

# Warns when something else already keeps the machine busy (the VM is shared).
busy_check() {
    local a b pct
    for _ in $(seq 10); do # wait up to 30 s for the machine to be quiet
        read -r -a a <<<"$(sys_ticks)"
        sleep 3
        read -r -a b <<<"$(sys_ticks)"
        pct=$(((b[0] - a[0]) * 100 / $(getconf CLK_TCK) / 3))
        [ "$pct" -le 20 ] && break
    done
    if [ "$pct" -gt 20 ]; then
        log "WARNING: before $1 the machine is already busy ($pct % of a core): figures will be low"
        top -b -n 1 -o %CPU | sed -n '8,11p' >&2
    else
        log "before $1: machine idle ($pct % of a core busy)"
    fi
}

start_fidx() { # threads cpus
    : >"$T/fidx.log"
    taskset -c "$2" "$SVC" --snapshot "$T/ind.fidx" --listen 127.0.0.1:0 --threads "$1" \
        --watch-interval 0 ${SERVICE_ARGS:-} 2>"$T/fidx.log" &
    FIDX_PID=$!
    FIDX_PORT=$(service_port "$T/fidx.log" "$FIDX_PID") || exit 1
}

stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 30000))
        if [ -z "$(ss -Htln "sport = :$p")" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Bodies nginx answers with: the mean size of fraudidx's GET answers (a real answer padded to
# that size), and real fraudidx answers to random batches of 100 and 1000.
make_nginx_bodies() {
    local base="http://127.0.0.1:$FIDX_PORT/v1/check" sizes mean miss pad n
    sizes=$(shuf -n 400 "$T/queries.txt" |
        awk -v b="$base" '{printf "url = \"%s?q=%s\"\noutput = \"/dev/null\"\n", b, $0}' |
        curl -s -K - -w '%{size_download}\n')
    mean=$(echo "$sizes" | awk '{s += $1} END {printf "%d", s / NR}')
    miss=$(curl -s "$base?q=0912000001")
    pad=$((mean - ${#miss} - 9)) # ,"pad":"" is 10 bytes, minus the closing brace moved
    [ "$pad" -ge 0 ] || pad=0
    GET_BODY="${miss%\}},\"pad\":\"$(head -c "$pad" /dev/zero | tr '\0' x)\"}"
    mkdir -p "$T/www"
    for n in 100 1000; do
        batch_body "$n" >"$T/batch$n.req"
        curl -s -H 'Content-Type: application/json' --data-binary "@$T/batch$n.req" "$base" \
            >"$T/www/$n.json"
    done
    chmod 755 "$T/www"
    chmod 644 "$T/www/"*.json
    log "nginx bodies: GET ${#GET_BODY} B (fraudidx mean $mean B), batch 100 $(wc -c <"$T/www/100.json") B, batch 1000 $(wc -c <"$T/www/1000.json") B"
}

start_nginx() { # workers cpus
    local dir="$T/nginx"
    mkdir -p "$dir"
    for _ in 1 2 3; do
        NGINX_PORT=$(free_port)
        cat >"$dir/nginx.conf" <<EOF
worker_processes $1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    client_body_buffer_size 1m;
    client_max_body_size 1m;
    client_body_temp_path $dir/body;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /v1/check {
            # batches: a real fraudidx answer of the matching size, served from a file
            if (\$request_method = POST) { rewrite ^ /_batch/\$http_x_bench_batch.json last; }
            default_type "application/json; charset=utf-8";
            return 200 '$GET_BODY';
        }
        location /_batch/ {
            internal;
            alias $T/www/;
            default_type "application/json; charset=utf-8";
            error_page 405 =200 \$uri; # the static module refuses POST; answer it as GET
        }
    }
}
EOF
        taskset -c "$2" "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" &
        NGINX_PID=$!
        for _ in $(seq 50); do
            if curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/v1/check?q=1"; then
                return 0
            fi
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done
        stop_pid "$NGINX_PID"
        NGINX_PID=
    done
    cat "$dir/error.log" >&2
    echo "nginx did not start" >&2
    exit 1
}

nginx_workers() { ps -o pid= --ppid "$NGINX_PID" | tr -d ' ' | tr '\n' ' '; }

# ---- measurements ----

RESULTS=$OUT/results.tsv
printf 'config\tmode\tserver\trep\trps\tp50_us\tp99_us\terrors\tserver_cpu_pct\twrk_cpu_pct\tbytes_per_resp\tother_cpu_pct\tsteal_pct\n' \
    >"$RESULTS"

wrk_args() { # mode → script and its arguments
    case $1 in
    plain) echo "$HERE/check.lua -- $T/queries.txt 1" ;;
    pipe16) echo "$HERE/check.lua -- $T/queries.txt 16" ;;
    batch100) echo "$HERE/batch.lua -- $T/queries.txt 100" ;;
    batch1000) echo "$HERE/batch.lua -- $T/queries.txt 1000" ;;
    esac
}

# One wrk run: config mode server rep port duration wrk_cpus [pids of the server...]
measure() {
    local config=$1 mode=$2 server=$3 rep=$4 port=$5 dur=$6 wcpus=$7
    shift 7
    local script rest t0 t1 line wrk_cpu hz s0 s1 other steal
    read -r script rest <<<"$(wrk_args "$mode")"
    hz=$(getconf CLK_TCK)
    t0=$(cpu_ticks "$@")
    read -r -a s0 <<<"$(sys_ticks)"
    local TIMEFORMAT='%U %S'
    # shellcheck disable=SC2086
    { time taskset -c "$wcpus" wrk -t1 -c"$CONNS" -d"${dur}s" --timeout 5s -s "$script" \
        "http://127.0.0.1:$port" $rest >"$T/wrk.out"; } 2>"$T/wrk.time"
    t1=$(cpu_ticks "$@")
    read -r -a s1 <<<"$(sys_ticks)"
    line=$(grep '^RESULT' "$T/wrk.out") || {
        cat "$T/wrk.out" >&2
        return 1
    }
    wrk_cpu=$(awk -v d="$dur" '{printf "%.0f", ($1 + $2) * 100 / d}' "$T/wrk.time")
    [ "$rep" = warm ] && return 0
    # CPU used by neither the server nor wrk (other processes, and softirq work of the loopback)
    other=$(awk -v b=$((s1[0] - s0[0])) -v s=$((t1 - t0)) -v hz="$hz" -v d="$dur" -v w="$(cat "$T/wrk.time")" \
        'BEGIN {split(w, x, " "); printf "%.0f", ((b - s) / hz - x[1] - x[2]) * 100 / d}')
    steal=$(((s1[1] - s0[1]) * 100 / hz / dur))
    echo "$line" | awk -v c="$config" -v m="$mode" -v s="$server" \
        -v r="$rep" -v cpu="$(((t1 - t0) * 100 / hz / dur))" -v wc="$wrk_cpu" -v o="$other" \
        -v st="$steal" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        err = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
        printf "%s\t%s\t%s\t%s\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", c, m, s, r, v["rps"],
            v["p50_us"], v["p99_us"], err, cpu, wc, v["bytes"] / v["requests"], o, st }' >>"$RESULTS"
    tail -1 "$RESULTS" | awk -F'\t' '{printf "  %-4s %-9s %-8s rep %s: %7d req/s  p50 %5d us  p99 %6d us  errors %d  cpu: server %3d%%  wrk %3d%%  other %3d%%\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12}' >&2
}

# config name, server threads/workers, cpus for the servers, cpus for wrk, modes
# The VM is shared: a pair of runs during which other processes used more than DISTURBED % of a
# core is run again (RETRIES times over the whole script, within the time limit); the discarded
# rows stay in results.tsv with rep "xN".
DISTURBED=${DISTURBED:-25}
RETRIES=${RETRIES:-8}
PAIRS_LEFT=0 # pairs still to run: T1 has 4 modes, T2 3
[[ " $CONFIGS " == *" T1 "* ]] && PAIRS_LEFT=$((PAIRS_LEFT + 4 * REPS))
[[ " $CONFIGS " == *" T2 "* ]] && PAIRS_LEFT=$((PAIRS_LEFT + 3 * REPS))
pair_clean() { tail -2 "$RESULTS" | awk -F'\t' -v d="$DISTURBED" '$12 > d {bad = 1} END {exit bad}'; }
discard_pair() {
    local n
    n=$(wc -l <"$RESULTS")
    awk -F'\t' -v OFS='\t' -v n="$n" 'NR >= n - 1 {$4 = "x" $4} {print}' "$RESULTS" >"$T/res.tmp"
    cat "$T/res.tmp" >"$RESULTS"
}

run_config() {
    local config=$1 n=$2 scpus=$3 wcpus=$4 modes=$5 mode rep
    busy_check "$config"
    start_fidx "$n" "$scpus"
    [ -n "${GET_BODY:-}" ] || make_nginx_bodies
    start_nginx "$n" "$scpus"
    read -r -a NGX_WORKERS <<<"$(nginx_workers)"
    log "$config: fraudidx-service --threads $n (port $FIDX_PORT), nginx worker_processes $n (port $NGINX_PORT); servers on cpu $scpus, wrk on cpu $wcpus"
    for mode in $modes; do
        measure "$config" "$mode" nginx warm "$NGINX_PORT" 1 "$wcpus" "${NGX_WORKERS[@]}"
        measure "$config" "$mode" fraudidx warm "$FIDX_PORT" 1 "$wcpus" "$FIDX_PID"
        for rep in $(seq "$REPS"); do
            while :; do
                measure "$config" "$mode" nginx "$rep" "$NGINX_PORT" "$DURATION" "$wcpus" "${NGX_WORKERS[@]}"
                measure "$config" "$mode" fraudidx "$rep" "$FIDX_PORT" "$DURATION" "$wcpus" "$FIDX_PID"
                PAIRS_LEFT=$((PAIRS_LEFT - 1))
                pair_clean && break
                # time for the pairs still to run, warm-ups, the profiles and this pair again
                if [ "$RETRIES" -le 0 ] ||
                    [ $((SECONDS + (PAIRS_LEFT + 1) * 2 * (DURATION + 1) + 90)) -gt 590 ]; then
                    log "  disturbed by other processes; no time left to run it again: kept"
                    break
                fi
                RETRIES=$((RETRIES - 1)) PAIRS_LEFT=$((PAIRS_LEFT + 1))
                discard_pair
                log "  disturbed by other processes (> $DISTURBED % of a core): this pair runs again"
            done
        done
    done
}

# Hits among the values looked up, from the service's own counters.
hit_share() {
    curl -s "http://127.0.0.1:$FIDX_PORT/metrics" | awk '/^fraudidx_lookups_total/ {
        n += $2; if ($1 !~ /verdict="unknown"/) h += $2 }
        END { printf "%d lookups, %.1f %% hits\n", n, n ? 100 * h / n : 0 }'
}

# Starts wrk in the background against fraudidx: mode seconds
load_fidx() {
    local script rest
    read -r script rest <<<"$(wrk_args "$1")"
    # shellcheck disable=SC2086
    taskset -c 0 wrk -t1 -c"$CONNS" -d"$2s" -s "$script" "http://127.0.0.1:$FIDX_PORT" \
        $rest >/dev/null &
    WRK_BG=$!
    sleep 1
}
end_load() {
    wait "$WRK_BG" || true
    WRK_BG=
}

# perf under load: mode seconds call-graph ("fp" as the issue asks, or "dwarf": the Release
# build has no frame pointers, so only dwarf unwinding names the callers of malloc)
profile() {
    local mode=$1 secs=$2 cg=$3 data="$T/perf-$1.data"
    load_fidx "$mode" "$((secs + 2))"
    if [ "$cg" = fp ]; then
        perf record -q -e cpu-clock -g -p "$FIDX_PID" -o "$data" -- sleep "$secs" 2>/dev/null
    else
        perf record -q -e cpu-clock --call-graph dwarf,16384 -p "$FIDX_PID" -o "$data" \
            -- sleep "$secs" 2>/dev/null
    fi
    end_load
    perf report -i "$data" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.7 \
        2>/dev/null | grep -v '^$' >"$OUT/perf-$mode.txt"
    perf report -i "$data" --no-children --sort dso --stdio -g none 2>/dev/null |
        grep -v '^#' | grep -v '^$' | head -8 >"$OUT/perf-$mode-dso.txt"
    if [ "$cg" = dwarf ]; then # who calls the allocator
        perf report -i "$data" --no-children --stdio -g caller,0.5,callee,function,percent \
            --symbols=malloc,_int_malloc,_int_free,_int_realloc,malloc_consolidate \
            2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v '0x[0-9a-f]\{8,\}$' \
            >"$OUT/perf-$mode-callers.txt" || true
    fi
    log "profile under $mode: $OUT/perf-$mode.txt"
}

# Exact counts of allocator and mutex calls per request and per lookup, with uprobes on libc
# (root only; the probe group is removed again at exit).
PROBES=
add_probes() {
    local libc f
    [ "$(id -u)" = 0 ] || return 0
    libc=$(ldd "$SVC" | awk '/libc\.so/ {print $3}')
    perf probe -q -d 'fidxbench:*' 2>/dev/null || true # left over by a run that was killed
    PROBES=1
    for f in malloc free realloc calloc pthread_mutex_lock; do
        perf probe -q -x "$libc" -a "fidxbench:$f=$f" 2>/dev/null || return 0
    done
}
count_calls() {
    local mode r0 l0 r1 l1
    [ -n "$PROBES" ] || { echo "(not root: allocator calls not counted)"; return 0; }
    printf '%-9s %9s %9s %8s %8s %8s %8s %8s\n' mode requests lookups malloc free realloc \
        calloc mutex
    for mode in plain pipe16 batch100 batch1000; do
        load_fidx "$mode" 4
        r0=$(metric_sum fraudidx_http_requests_total) l0=$(metric_sum fraudidx_lookups_total)
        perf stat -x, -e 'fidxbench:*' -p "$FIDX_PID" -o "$T/stat.txt" -- sleep 2
        r1=$(metric_sum fraudidx_http_requests_total) l1=$(metric_sum fraudidx_lookups_total)
        end_load
        awk -F, -v m="$mode" -v r=$((r1 - r0)) -v l=$((l1 - l0)) '
            $3 ~ /fidxbench:/ { sub(/.*:/, "", $3); n[$3] = $1 }
            END { printf "%-9s %9d %9d %8d %8d %8d %8d %8d\n", m, r, l, n["malloc"], n["free"],
                  n["realloc"], n["calloc"], n["pthread_mutex_lock"] }' "$T/stat.txt"
    done
}
metric_sum() {
    curl -s "http://127.0.0.1:$FIDX_PORT/metrics" | awk -v m="$1" '$1 ~ "^" m {n += $2} END {print n + 0}'
}

# 1 thread vs 1 worker, each pinned to cpu 1, wrk pinned to cpu 0: like for like.
if [[ " $CONFIGS " == *" T1 "* ]]; then
    run_config T1 1 1 0 "plain pipe16 batch100 batch1000"
    log "T1 fraudidx: $(hit_share)"
    profile pipe16 8 fp
    profile batch1000 4 dwarf
    add_probes
    count_calls >"$OUT/calls.txt"
    cat "$OUT/calls.txt" >&2
    stop_pid "$FIDX_PID"
    stop_pid "$NGINX_PID"
    FIDX_PID='' NGINX_PID=''
fi
# 2 threads vs 2 workers on the 2 cpus, which wrk shares with them.
if [[ " $CONFIGS " == *" T2 "* ]]; then
    run_config T2 2 0,1 0,1 "plain pipe16 batch1000"
    log "T2 fraudidx: $(hit_share)"
    stop_pid "$FIDX_PID"
    stop_pid "$NGINX_PID"
    FIDX_PID='' NGINX_PID=''
fi

# ---- summary: medians of REPS and fraudidx / nginx ----

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
col() { awk -F'\t' -v c="$1" -v m="$2" -v s="$3" -v k="$4" '$1 == c && $2 == m && $3 == s && $4 !~ /^x/ {print $k}' "$RESULTS"; }
items() { case $1 in batch100) echo 100 ;; batch1000) echo 1000 ;; *) echo 1 ;; esac; }

{
    printf '\nmedians of %s runs of %s s, wrk -t1 -c%s; cpu = server CPU (100%% = one core), ' \
        "$REPS" "$DURATION" "$CONNS"
    printf 'us/op = server CPU time per request (per lookup for batches)\n'
    printf '%-4s %-9s | %9s %9s %5s | %8s %8s | %6s %6s | %6s %6s | %10s | %s\n' config mode \
        'nginx r/s' 'fidx r/s' ratio 'ngx p99' 'fidx p99' 'ngx' 'fidx' 'ngx' 'fidx' \
        'lookups/s' errors
    printf '%-4s %-9s | %9s %9s %5s | %8s %8s | %6s %6s | %6s %6s | %10s |\n' '' '' '' '' '' \
        '' '' cpu cpu 'us/op' 'us/op' fidx
    for config in T1 T2; do
        for mode in plain pipe16 batch100 batch1000; do
            [ -n "$(col "$config" "$mode" nginx 5)" ] || continue
            nr=$(col "$config" "$mode" nginx 5 | median)
            fr=$(col "$config" "$mode" fraudidx 5 | median)
            # wrk sometimes reports a p99 of 0 for pipelined runs: left out (grep's status is
            # ignored: with REPS=1 there may be nothing left, and pipefail would end the script
            # at this row; the p99 then shows as 0)
            np=$(col "$config" "$mode" nginx 7 | { grep -v '^0$' || true; } | median)
            fp=$(col "$config" "$mode" fraudidx 7 | { grep -v '^0$' || true; } | median)
            nc=$(col "$config" "$mode" nginx 9 | median)
            fc=$(col "$config" "$mode" fraudidx 9 | median)
            it=$(items "$mode")
            errs=$(awk -F'\t' -v c="$config" -v m="$mode" '$1 == c && $2 == m {e += $8} END {print e + 0}' "$RESULTS")
            printf '%-4s %-9s | %9d %9d %5.2f | %5d us %5d us | %5d%% %5d%% | %6.2f %6.2f | %10d | %d\n' \
                "$config" "$mode" "$nr" "$fr" "$(awk -v a="$fr" -v b="$nr" 'BEGIN {print a / b}')" \
                "$np" "$fp" "$nc" "$fc" \
                "$(awk -v c="$nc" -v r="$nr" -v i="$it" 'BEGIN {print c * 1e4 / (r * i)}')" \
                "$(awk -v c="$fc" -v r="$fr" -v i="$it" 'BEGIN {print c * 1e4 / (r * i)}')" \
                "$((fr * it))" "$errs"
        done
    done
    awk -F'\t' -v d="$DISTURBED" 'NR > 1 && $4 ~ /^x/ {x++} NR > 1 && $4 !~ /^x/ && $12 > m {m = $12}
        END {printf "\n%d pairs run again for being disturbed; highest CPU of other processes in a kept run: %d %% of a core%s\n", x / 2, m, (m > d ? " (the machine was shared: compare within a row)" : "")}' "$RESULTS"
    [ -f "$OUT/calls.txt" ] || exit 0 # T1 not run: no profile
    printf '\nallocator and mutex calls in fraudidx-service over 2 s of each load (uprobes):\n'
    cat "$OUT/calls.txt"
    printf '\nperf, fraudidx-service --threads 1 under pipe16 (self time, cpu-clock):\n'
    grep -v '^#' "$OUT/perf-pipe16.txt" | head -30
    printf '\nby object:\n'
    cat "$OUT/perf-pipe16-dso.txt"
    printf '\nperf under batch1000:\n'
    grep -v '^#' "$OUT/perf-batch1000.txt" | head -25
    printf "\ncallers of the allocator under batch1000 (dwarf call graph):\n"
    head -60 "$OUT/perf-batch1000-callers.txt"
} | tee "$OUT/summary.txt"
log "done in $SECONDS s; raw results: $RESULTS; profiles: $OUT/perf-*.txt"
