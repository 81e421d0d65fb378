#!/usr/bin/env bash
# tests/sanitize.sh -- the sanitizer matrix (make sanitize-matrix).
#
#   asan      gcc, -fsanitize=address (with LeakSanitizer)
#   ubsan     clang, -fsanitize=undefined, and on the core also
#             unsigned-integer-overflow and implicit-conversion: the core is
#             written never to wrap or truncate silently, so any report there
#             is a defect
#   memcheck  valgrind --tool=memcheck on a plain -O1 build
#
# over the unit tests (tests/unit), the writer tests (tests/writer) and the
# CLI on corpus/cases: validate in both modes on every case, inspect and
# normalize on every case for ASan and UBSan and on every SAMPLE-th case
# (default 16) for valgrind, to keep memcheck within a few minutes.
#
# Usage: tests/sanitize.sh [asan] [ubsan] [memcheck]   (default: all three)
# Environment: CC (gcc), CLANG (clang), BUILD (build), SAMPLE (16), JOBS (2),
# MEMCHECK_FILTER (Criterion --filter for the unit tests under valgrind;
# empty runs them all).
# Exit status 0 when every run is clean; the table at the end lists each run.
set -u
cd "$(dirname "$0")/.."

CC=${CC:-gcc}
CLANG=${CLANG:-clang}
BUILD=${BUILD:-build}
SAMPLE=${SAMPLE:-16}
JOBS=${JOBS:-2}
OUT=$BUILD/sanitize
WARN="-std=c11 -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wcast-qual -Wstrict-prototypes -Werror"
INC="-Isrc/core -Isrc/posix -Isrc/device"
CORE_FLAGS="-ffreestanding -fno-builtin"
LIBS="-lpthread -ldl"
# A sanitizer report exits with 86, kept apart from the CLI's own statuses
# (0 valid, 1 invalid, 2 I/O error).
SAN_RC=86
export ASAN_OPTIONS="detect_leaks=1:exitcode=$SAN_RC:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=$SAN_RC"

configs=("$@")
[ ${#configs[@]} -eq 0 ] && configs=(asan ubsan memcheck)

CORE_SRC=$(ls src/core/*.c)
REST_SRC=$(ls src/posix/*.c src/device/*.c 2>/dev/null)
CLI_SRC=$(ls src/cli/*.c)
UNIT_SRC=$(ls tests/unit/*.c 2>/dev/null)
WRITER_SRC=$(ls tests/writer/test_*.c 2>/dev/null)

declare -a ROWS=()
fail=0
row() {
    ROWS+=("$(printf '%-9s %-8s %-7s %s' "$1" "$2" "$3" "$4")")
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$OUT/summary.tsv"
    [ "$3" = PASS ] || fail=1
}

# compile CONFIG CC "FLAGS" "CORE_EXTRA": objects under $OUT/CONFIG/obj.
compile() {
    local cfg=$1 cc=$2 flags=$3 core_extra=$4 dir=$OUT/$1/obj
    mkdir -p "$dir"
    {
        for f in $CORE_SRC; do
            echo "$cc $WARN $INC $CORE_FLAGS $flags $core_extra -c $f -o $dir/core_$(basename "$f" .c).o"
        done
        for f in $REST_SRC $CLI_SRC; do
            echo "$cc $WARN $INC $flags -c $f -o $dir/$(basename "$(dirname "$f")")_$(basename "$f" .c).o"
        done
    } | xargs -P "$JOBS" -I{} sh -c '{}' || return 1
}

# link CONFIG CC "FLAGS": the CLI, the unit tests and the writer tests.
link() {
    local cfg=$1 cc=$2 flags=$3 dir=$OUT/$1
    local core rest cli
    core=$(ls "$dir"/obj/core_*.o)
    rest=$(ls "$dir"/obj/posix_*.o "$dir"/obj/device_*.o 2>/dev/null)
    cli=$(ls "$dir"/obj/cli_*.o)
    $cc $flags -o "$dir/tensorproof" $cli $core $rest $LIBS || return 1
    if [ -n "$UNIT_SRC" ]; then
        $cc $WARN $INC $flags -Itests/unit -o "$dir/unit" $UNIT_SRC $core -lcriterion || return 1
    fi
    if [ -n "$WRITER_SRC" ]; then
        $cc $WARN $INC $flags -o "$dir/writer" $WRITER_SRC $core $(ls "$dir"/obj/posix_*.o) \
            -lcriterion $LIBS || return 1
    fi
}

# criterion CONFIG PROGRAM [WRAPPER...]: run a Criterion binary, record it.
criterion() {
    local cfg=$1 prog=$2; shift 2
    local log=$OUT/$cfg/$prog.log
    [ -x "$OUT/$cfg/$prog" ] || return 0
    "$@" "$OUT/$cfg/$prog" --jobs "$JOBS" ${CRIT_FILTER:+--filter "$CRIT_FILTER"} >"$log" 2>&1
    local rc=$?
    local syn
    syn=$(grep -o 'Synthesis:.*' "$log" | tail -n 1)
    if [ $rc -eq 0 ] && ! grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|ERROR SUMMARY: [1-9]' "$log"; then
        row "$cfg" "$prog" PASS "${syn:-exit 0}${CRIT_FILTER:+ [filter $CRIT_FILTER]}"
    else
        row "$cfg" "$prog" FAIL "exit $rc, ${syn:-no Synthesis line}; see $log"
    fi
}

# reported LOG RC ERRFILE: true when a run produced a sanitizer report.
reported() {
    [ "$2" -eq $SAN_RC ] || [ "$2" -gt 128 ] ||
        grep -qE 'runtime error|Sanitizer|Invalid (read|write)|uninitialised|definitely lost' "$3"
}

# corpus CONFIG STEP [WRAPPER...]: the CLI over the corpus. `validate` (both
# modes) reads every case, 100 files per process; `inspect` and `normalize`
# run on every STEP-th case, one process each.
corpus() {
    local cfg=$1 step=$2; shift 2
    local tp=$OUT/$cfg/tensorproof log=$OUT/$cfg/corpus.log tmp
    tmp=$(mktemp -d)
    : >"$log"
    local files=() runs=0 bad=0 i f rc mode
    while IFS= read -r f; do files+=("$f"); done < <(find corpus/cases -name '*.safetensors' | sort)
    for mode in --strict --compat; do
        for ((i = 0; i < ${#files[@]}; i += 100)); do
            "$@" "$tp" validate "$mode" --json -- "${files[@]:i:100}" >/dev/null 2>"$tmp/err"; rc=$?
            runs=$((runs + 1))
            if reported "$log" $rc "$tmp/err"; then
                bad=$((bad + 1)); { echo "== validate $mode (files $i..) exit $rc"; cat "$tmp/err"; } >>"$log"
            fi
        done
    done
    local sampled=0
    for ((i = 0; i < ${#files[@]}; i += step)); do
        f=${files[i]}
        sampled=$((sampled + 1))
        "$@" "$tp" inspect --compat -- "$f" >/dev/null 2>"$tmp/err"; rc=$?
        runs=$((runs + 1))
        if reported "$log" $rc "$tmp/err"; then
            bad=$((bad + 1)); { echo "== inspect $f (exit $rc)"; cat "$tmp/err"; } >>"$log"
        fi
        "$@" "$tp" normalize --compat "$f" "$tmp/out.safetensors" >/dev/null 2>"$tmp/err"; rc=$?
        runs=$((runs + 1))
        if reported "$log" $rc "$tmp/err"; then
            bad=$((bad + 1)); { echo "== normalize $f (exit $rc)"; cat "$tmp/err"; } >>"$log"
        fi
    done
    rm -rf "$tmp"
    if [ ${#files[@]} -eq 0 ]; then
        row "$cfg" corpus FAIL "no corpus files found"
    elif [ $bad -eq 0 ]; then
        row "$cfg" corpus PASS "${#files[@]} files validated in both modes, $sampled inspected and normalized; $runs processes, no report"
    else
        row "$cfg" corpus FAIL "$bad of $runs processes reported; see $log"
    fi
}

start=$(date +%s)
mkdir -p "$OUT"
: >"$OUT/summary.tsv"
for cfg in "${configs[@]}"; do
    t0=$(date +%s)
    case $cfg in
    asan)
        flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address"
        if compile asan "$CC" "$flags" "" && link asan "$CC" "$flags"; then
            criterion asan unit
            criterion asan writer
            corpus asan 1
        else
            row asan build FAIL "compilation failed"
        fi ;;
    ubsan)
        flags="-O1 -g -fno-omit-frame-pointer -fsanitize=undefined -fno-sanitize-recover=all"
        core_extra="-fsanitize=unsigned-integer-overflow,implicit-conversion"
        if ! command -v "$CLANG" >/dev/null 2>&1; then
            row ubsan build FAIL "$CLANG not found"
        elif compile ubsan "$CLANG" "$flags" "$core_extra" && link ubsan "$CLANG" "$flags"; then
            criterion ubsan unit
            criterion ubsan writer
            corpus ubsan 1
        else
            row ubsan build FAIL "compilation failed"
        fi ;;
    memcheck)
        flags="-O1 -g"
        vg="valgrind --tool=memcheck --error-exitcode=$SAN_RC --leak-check=full --errors-for-leak-kinds=definite --trace-children=yes --quiet"
        if ! command -v valgrind >/dev/null 2>&1; then
            row memcheck build FAIL "valgrind not found"
        elif compile memcheck "$CC" "$flags" "" && link memcheck "$CC" "$flags"; then
            # The one test that builds a 100,000,000-byte header would take
            # minutes under valgrind; ASan and UBSan run it.
            # shellcheck disable=SC2086
            CRIT_FILTER=${MEMCHECK_FILTER-'!(st_layout_2/exactly_the_limit_is_allowed)'} \
                criterion memcheck unit $vg
            # shellcheck disable=SC2086
            corpus memcheck "$SAMPLE" $vg
        else
            row memcheck build FAIL "compilation failed"
        fi ;;
    *)
        echo "sanitize.sh: unknown configuration '$cfg' (asan, ubsan, memcheck)" >&2
        exit 2 ;;
    esac
    echo "sanitize: $cfg done in $(( $(date +%s) - t0 )) s"
done

echo
printf '%-9s %-8s %-7s %s\n' config program result detail
for r in "${ROWS[@]}"; do echo "$r"; done
echo "sanitize: $(( $(date +%s) - start )) s in all"
printf 'total\t-\t%s\t%s s\n' "$([ $fail -eq 0 ] && echo PASS || echo FAIL)" "$(( $(date +%s) - start ))" >>"$OUT/summary.tsv"
if [ $fail -ne 0 ]; then
    echo "sanitize: FAILED"
    exit 1
fi
echo "sanitize: all runs clean"
