#!/bin/sh
# The image reader's figures (bench/RESULTS.md, "Images"): per image p50/p99 of decoding alone,
# QR only and QR + OCR in-process (fidx-bench-image), peak memory per image, images per second
# through the pool; and as baselines in the same run, Debian's own command-line tools on the
# same files (zbarimg; tesseract with OMP_THREAD_LIMIT=1), whole programs timed per run.
#
#   bench/image/run.sh [RUNS]     (default 30; build first: make build)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-30}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sh "$root/tests/unit/service/image/make_images.sh" "$dir" >/dev/null

"$root/build/bench/fidx-bench-image" -n "$runs" "$dir/qr_shot.png" "$dir/qr_shot.jpg" \
    "$dir/shot.png" "$dir/shot.webp" "$dir/qr.png"

# p50 and p99 in ms of a command run $runs times (each run timed alone).
timed() {
    label=$1
    shift
    i=0
    while [ $i -lt "$runs" ]; do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
        i=$((i + 1))
    done | sort -n | awk -v label="$label" '{ v[NR] = $1 } END {
        p99 = int((NR * 99 + 99) / 100); printf "| %s | %.1f | %.1f |\n", label, v[int(NR / 2) + 1] / 1000, v[p99] / 1000 }'
}
echo
echo "| baseline (whole program) | p50 ms | p99 ms |"
echo "| --- | --- | --- |"
timed "zbarimg qr_shot.png" zbarimg -q "$dir/qr_shot.png"
timed "tesseract qr_shot.png (OMP_THREAD_LIMIT=1)" env OMP_THREAD_LIMIT=1 tesseract \
    "$dir/qr_shot.png" - -l vie+eng

# Peak RSS of a whole process reading one image (program, libraries, engine and all).
peak() {
    /usr/bin/time -f %M -o "$dir/peak" "$@" >/dev/null 2>&1
    echo "$(($(tail -n 1 "$dir/peak") / 1024))"
}
echo
echo "| one image, whole process | peak RSS MB |"
echo "| --- | --- |"
bench=$root/build/bench/fidx-bench-image
echo "| fidx-bench-image -1 qr qr_shot.png (QR only) | $(peak "$bench" -1 qr "$dir/qr_shot.png") |"
echo "| fidx-bench-image -1 ocr qr_shot.png (QR + OCR, engine included) | $(peak "$bench" -1 ocr "$dir/qr_shot.png") |"
echo "| fidx-bench-image -1 qr big_progressive_420.jpg (24 MP, QR only) | $(peak "$bench" -1 qr "$dir/big_progressive_420.jpg") |"
echo "| fidx-bench-image -1 ocr big_progressive_420.jpg (24 MP, QR + OCR) | $(peak "$bench" -1 ocr "$dir/big_progressive_420.jpg") |"
echo "| baseline: zbarimg qr_shot.png | $(peak zbarimg -q "$dir/qr_shot.png") |"
echo "| baseline: tesseract qr_shot.png - -l vie+eng | $(peak env OMP_THREAD_LIMIT=1 tesseract "$dir/qr_shot.png" - -l vie+eng) |"
