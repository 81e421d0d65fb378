#!/bin/sh
# proofs/mutants/run_mutants.sh -- the proofs catch a broken bound.
#
#   sh proofs/mutants/run_mutants.sh [-t TIMEOUT] [-o OUT_DIR] [-a]
#
# Each proofs/mutants/<stem>--<what>.sed is a deliberate bug in src/core/<stem>.c
# (an off-by-one index bound, a dropped length or range check). For each,
# the core is copied to OUT_DIR/<stem>--<what>/core, the sed script applied
# (it must change the file), and proofs/run_proofs.sh -n run on the mutated
# file. The check passes only when
#   - the unmutated copy of every mutated file proves completely, and
#   - every mutant leaves at least one goal unproven (a run that fails for
#     another reason, e.g. the mutant does not parse, does not count).
# Baseline and mutants run with the same flags and timeout as make proofs
# (30 s, or WP_TIMEOUT).
# -a also runs proofs/mutants/optional/*.sed (files not yet under proof).
set -u

TIMEOUT=${WP_TIMEOUT:-30}
OUT=build/proofs-mutant
OPTIONAL=0
while getopts "t:o:a" opt; do
    case $opt in
    t) TIMEOUT=$OPTARG ;;
    o) OUT=$OPTARG ;;
    a) OPTIONAL=1 ;;
    *) echo "usage: $0 [-t TIMEOUT] [-o OUT_DIR] [-a]" >&2; exit 2 ;;
    esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SRC="$ROOT/src/core"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
status=0
t_start=$(date +%s)

MUTANTS=$(ls "$HERE"/*.sed)
if [ $OPTIONAL -eq 1 ]; then
    MUTANTS="$MUTANTS $(ls "$HERE"/optional/*.sed 2> /dev/null)"
fi

# Goals proven / total from one run_proofs.sh report ("file  p/t  s").
goals_of() {
    sed -n -E "s/^$2 +([0-9]+)\/([0-9]+) .*/\1 \2/p" "$1/report.txt" | head -n 1
}

# Baseline: the unmutated files, once each.
stems=""
for m in $MUTANTS; do
    stem=$(basename "$m" .sed)
    stem=${stem%%--*}
    case " $stems " in
    *" $stem "*) ;;
    *) stems="$stems $stem" ;;
    esac
done
for stem in $stems; do
    dir="$OUT/baseline-$stem"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r "$SRC" "$dir/core"
    t0=$(date +%s)
    (cd "$ROOT" && sh proofs/run_proofs.sh -n -t "$TIMEOUT" -s "$dir/core" -o "$dir/out" \
        "$stem.c") > "$dir/run.log" 2>&1
    rc=$?
    t1=$(date +%s)
    # shellcheck disable=SC2046 # two numbers, split on purpose
    set -- $(goals_of "$dir/out" "$stem.c")
    if [ $rc -eq 0 ] && [ $# -eq 2 ] && [ "$1" = "$2" ]; then
        printf '%-32s proven %s/%s (%s s)\n' "unmutated $stem.c" "$1" "$2" "$((t1 - t0))"
    else
        printf '%-32s FAIL: unmutated file does not prove (see %s)\n' "unmutated $stem.c" "$dir/run.log"
        status=1
    fi
done

for m in $MUTANTS; do
    name=$(basename "$m" .sed)
    stem=${name%%--*}
    dir="$OUT/$name"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r "$SRC" "$dir/core"
    sed -f "$m" "$SRC/$stem.c" > "$dir/core/$stem.c"
    if cmp -s "$SRC/$stem.c" "$dir/core/$stem.c"; then
        printf '%-32s FAIL: the mutation no longer applies to %s.c\n' "$name" "$stem"
        status=1
        continue
    fi
    diff "$SRC/$stem.c" "$dir/core/$stem.c" > "$dir/mutation.diff"
    t0=$(date +%s)
    (cd "$ROOT" && sh proofs/run_proofs.sh -n -t "$TIMEOUT" -s "$dir/core" -o "$dir/out" \
        "$stem.c") > "$dir/run.log" 2>&1
    rc=$?
    t1=$(date +%s)
    # shellcheck disable=SC2046 # two numbers, split on purpose
    set -- $(goals_of "$dir/out" "$stem.c")
    if [ $rc -ne 0 ] && [ $# -eq 2 ] && [ "$1" -lt "$2" ]; then
        first=$(grep -m 1 -E '^ +\[wp\] \[(Failed|Unknown|Timeout)' "$dir/out/report.txt" \
            | sed -E 's/^ +\[wp\] //; s/ *$//' | cut -c1-70)
        printf '%-32s caught: %s/%s proven (%s s) %s\n' "$name" "$1" "$2" "$((t1 - t0))" "$first"
    else
        printf '%-32s FAIL: NOT caught (exit %s, goals %s) see %s\n' "$name" "$rc" "$*" "$dir/run.log"
        status=1
    fi
done

t_end=$(date +%s)
if [ $status -eq 0 ]; then
    echo "proofs-mutant: every mutant caught ($((t_end - t_start)) s)"
else
    echo "proofs-mutant: FAILED ($((t_end - t_start)) s)"
fi
exit $status
