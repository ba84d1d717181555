#!/bin/sh
# Builds the fuzz targets as libFuzzer programs (clang, ASan + UBSan, -DFIDX_FUZZ=ON) in
# build-fuzz and runs each for SECONDS, one after the other. See docs/FUZZING.md.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]        (default: every target)
#
# Each target's growing corpus is build-fuzz/fuzz/corpus/<target> (the committed seeds in
# tests/fuzz/corpus/<target> are read, never written); crashers go to
# build-fuzz/fuzz/artifacts/<target>/ and the last lines of each run to
# build-fuzz/fuzz/logs/<target>.log. A summary line per run is appended to
# build-fuzz/fuzz/runs.txt. Extra libFuzzer flags: FUZZ_FLAGS="-dict=… -only_ascii=1".
# Exit status 1 when a target found something.
set -eu

usage="usage: tests/fuzz/run.sh SECONDS [TARGET...]"
secs=${1:?$usage}
shift
case $secs in *[!0-9]* | '') echo "$usage" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FIDX_FUZZ_BUILD:-$root/build-fuzz}
all="fuzz_phone fuzz_bank fuzz_url fuzz_domain fuzz_social fuzz_email fuzz_normalize fuzz_feed
fuzz_snapshot fuzz_json fuzz_scan fuzz_http fuzz_query fuzz_body fuzz_conn fuzz_wal fuzz_reports fuzz_audit
fuzz_lookalike fuzz_emvco fuzz_image fuzz_image_route fuzz_proxy fuzz_session fuzz_multipart fuzz_warnings"
targets=${*:-$all}

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFIDX_SANITIZE=address,undefined -DFIDX_FUZZ=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j "$(nproc)" --target $targets fraudidx-indexer fuzz_snapshot_seeds

out=$build/fuzz
mkdir -p "$out/logs"
found=0
for t in $targets; do
    work=$out/corpus/$t
    art=$out/artifacts/$t
    mkdir -p "$work" "$art"
    if [ "$t" = fuzz_snapshot ]; then
        # Fresh snapshots of the current format, with mode byte 1 (checksums rewritten).
        for s in "$build"/tests/fuzz/snapshot-seeds/*.fidx; do
            [ -f "$s" ] && { printf '\001'; cat "$s"; } >"$work/fresh-$(basename "$s")"
        done
    fi
    dict=
    [ -f "$root/tests/fuzz/$t.dict" ] && dict=-dict=$root/tests/fuzz/$t.dict
    log=$out/logs/$t.log
    echo "== $t: $secs s"
    status=ok
    # shellcheck disable=SC2086
    "$build/tests/fuzz/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$art/" $dict ${FUZZ_FLAGS:-} \
        "$work" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1 || status=FOUND
    [ $status = ok ] || found=1
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    # -fork mode prints no final stats: its last status line "#N: cov: …" counts executions.
    [ -n "$execs" ] || execs=$(printf '%s\n' "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    line="$(date -u +%Y-%m-%dT%H:%MZ) $t seconds=$secs execs=${execs:-?} cov=${cov:-?} $status"
    echo "$line" | tee -a "$out/runs.txt"
    echo "   $last"
    if [ $status != ok ]; then
        grep -E 'ERROR|runtime error|property violated|SUMMARY|Test unit written' "$log" | head -n 8
    fi
done
exit $found
