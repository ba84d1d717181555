#!/bin/sh
# Plants each one-line mutant of tests/mutation/mutants.txt, one at a time, in a scratch copy of
# the tree, rebuilds, runs the tests that should catch it and reports caught or survived
# (docs/TESTING.md). Not part of `make test`: a run takes a quarter of an hour or more.
#
#   tests/mutation/run.sh [SCRATCH_DIR]      # default: a new directory under /tmp
#   ONLY="2 5" tests/mutation/run.sh DIR     # only these mutants (numbers as reported)
#
# The scratch tree is kept, so a second run with the same directory only rebuilds what changed.
# Exit status: 0 when every mutant was caught, 1 when one survived or could not be planted.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LIST="$SRC/tests/mutation/mutants.txt"
SCRATCH=${1:-$(mktemp -d /tmp/fidx-mutation-XXXXXX)}
JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-180} # per test: a mutant that hangs a test is caught by the timeout

echo "scratch tree: $SCRATCH"
# The tracked files and those not yet committed, as they are in the working tree. A reused
# scratch tree is brought in step file by file: a file whose content changed is copied (with
# the time of the copy, so make rebuilds it even when the source's own time is older than the
# objects), one deleted since goes, the others are left alone.
mkdir -p "$SCRATCH/src" "$SCRATCH/new"
rm -rf "$SCRATCH/new"/*
(cd "$SRC" && git ls-files -co --exclude-standard -z | xargs -0 tar cf -) |
    (cd "$SCRATCH/new" && tar xmf -)
(cd "$SCRATCH/new" && find . -type f) | while IFS= read -r f; do
    cmp -s "$SCRATCH/new/$f" "$SCRATCH/src/$f" ||
        { mkdir -p "$(dirname "$SCRATCH/src/$f")" && cp "$SCRATCH/new/$f" "$SCRATCH/src/$f"; }
done
(cd "$SCRATCH/src" && find . -type f) | while IFS= read -r f; do
    [ -e "$SCRATCH/new/$f" ] || rm -f "$SCRATCH/src/$f"
done
cmake -S "$SCRATCH/src" -B "$SCRATCH/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$SCRATCH/cmake.log"
echo "building the unmutated tree (log: $SCRATCH/build.log)"
cmake --build "$SCRATCH/build" -j"$JOBS" >"$SCRATCH/build.log" 2>&1 ||
    { echo "the unmutated tree does not build"; exit 1; }

caught=0 survived=0 other=0 n=0
report=""
while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    file=$(printf '%s\n' "$line" | awk -F' :: ' '{print $1}')
    expr=$(printf '%s\n' "$line" | awk -F' :: ' '{print $2}')
    tests=$(printf '%s\n' "$line" | awk -F' :: ' '{print $3}')
    what=$(printf '%s\n' "$line" | awk -F' :: ' '{print $4}')
    n=$((n + 1))
    if [ -n "${ONLY:-}" ] && ! printf ' %s ' "$ONLY" | grep -q " $n "; then
        continue
    fi
    f="$SCRATCH/src/$file"
    cp "$f" "$f.orig"
    sed -i "$expr" "$f"
    if cmp -s "$f" "$f.orig"; then
        verdict="NOT APPLIED"
        other=$((other + 1))
    elif ! cmake --build "$SCRATCH/build" -j"$JOBS" >"$SCRATCH/mutant-$n.build.log" 2>&1; then
        verdict="BUILD FAILED"
        other=$((other + 1))
    elif (cd "$SCRATCH/build" && ctest -R "$tests" --timeout "$TIMEOUT" -j"$JOBS" \
            >"$SCRATCH/mutant-$n.test.log" 2>&1); then
        verdict="SURVIVED"
        survived=$((survived + 1))
    else
        verdict="caught"
        caught=$((caught + 1))
    fi
    mv "$f.orig" "$f"
    # Touched, so that the next build recompiles it without the mutant.
    touch "$f"
    printf '%-12s %2d  %s (%s; %s)\n' "$verdict" "$n" "$what" "$file" "$tests"
    report="$report$verdict"
done <"$LIST"
cmake --build "$SCRATCH/build" -j"$JOBS" >/dev/null 2>&1 || true
echo "mutants: $((caught + survived + other)) of $n; caught $caught, survived $survived, not planted or not built $other"
[ "$survived" -eq 0 ] && [ "$other" -eq 0 ]
