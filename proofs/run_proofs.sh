#!/bin/sh
# proofs/run_proofs.sh -- machine-checked proofs of the core (proofs/README.md).
#
#   sh proofs/run_proofs.sh [-s SRC_DIR] [-o OUT_DIR] [-t TIMEOUT] [FILE.c ...]
#
# For each file (default: $PROOF_FILES below) runs Frama-C WP with RTE guards
# on every function the file defines, provers run fresh (no cache), and then
# Eva over proofs/eva_harness.c. All core sources are loaded in every run, so
# every call is checked against its callee's contract and WP's memory-model
# hypotheses are proven at each call site inside the core.
#
# Prints one line per file (goals proven / total, seconds) and writes the
# logs and a summary to OUT_DIR (default build/proofs). Exit status 1 when a
# goal is not proven, Eva raises an alarm, a function escaped the proof, or
# the sources use a construct that would weaken the proof (admit, axiom,
# "requires \false", Frama-C-only preprocessor branches).
set -u

SRC=src/core
OUT=build/proofs
TIMEOUT=${WP_TIMEOUT:-30}
EVA=1
JOBS=${PROOF_JOBS:-2}
WORKER=""
while getopts "s:o:t:j:n1:" opt; do
    case $opt in
    s) SRC=$OPTARG ;;
    o) OUT=$OPTARG ;;
    t) TIMEOUT=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    n) EVA=0 ;;
    1) WORKER=$OPTARG ;;
    *) echo "usage: $0 [-s SRC] [-o OUT] [-t TIMEOUT] [-j JOBS] [-n] [FILE.c ...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

# The files under proof, simplest first.
PROOF_FILES="st_dtype.c st_error.c st_utf8.c st_json.c st_layout.c st_header.c st_check.c st_parse.c st_lookup.c st_write.c st_plan.c"
if [ $# -gt 0 ]; then
    PROOF_FILES="$*"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"

ALL_SRC=$(ls "$SRC"/*.c)
# Provers: each file is run with CVC4 alone first; the functions that keep
# an unproven goal are run again, whole, with Z3 and CVC4 racing on every
# goal (WP takes the first success). Most goals need only CVC4, and racing
# two provers on 2 cores for every goal costs about twice the time. Both
# passes run the provers fresh (-wp-cache none).
# FC_GC: the garbage-collector settings of proofs/fc_gc.ml (the option that
# loads them, compiled once by the main run and passed to the workers).
if [ -z "$WORKER" ]; then
    FC_GC=$(sh "$HERE/fc_gc.sh" "$OUT")
    export FC_GC
fi
# Functions with a step only Z3 proves (nonlinear arithmetic: the checked
# products): CVC4 gets 2 s per goal on them in the first pass instead of
# TIMEOUT, since they go to the retry with Z3 anyway.
FIRST_PASS_LIMITS="st_mul_u64:2,st_mul_div8:2"
WP_FLAGS="${FC_GC:-} -wp -wp-rte -wp-par 2 -wp-cache none
  -wp-check-memory-model -wp-no-pruning
  -warn-unsigned-overflow -warn-unsigned-downcast -warn-signed-overflow -warn-signed-downcast"

# One file, both passes (worker mode, -1 FILE): writes OUT/<stem>.result
# ("proved goals seconds first-pass-total retried-functions") and, when a
# goal stays unproven, OUT/<stem>.unproven. Files are proven two at a time
# (-j, PROOF_JOBS): WP's goal generation is single-threaded and takes most
# of a file's time, so two files in parallel use both cores.
# One WP run of the file being proven (stem):
#   wp_pass PROVERS FUNCTIONS LOG JSON SECONDS [OPTIONS]
# (SECONDS: the per-goal prover timeout; the retry pass gives the goals the
# first pass left twice the time, since a goal near the limit on an idle
# machine times out when two files are proven at once.)
# prints the run's "Proved goals" line; when frama-c fails or writes no
# report, writes the FAIL result instead and returns 1.
wp_pass() {
    # shellcheck disable=SC2086
    frama-c $WP_FLAGS ${6:-} -wp-timeout "$5" -wp-prover "$1" -cpp-extra-args="-I$SRC" $ALL_SRC \
        -wp-fct "$2" -wp-report-json "$4" > "$3" 2>&1
    rc=$?
    pl=$(grep -E '^\[wp\] Proved goals:' "$3" | tail -n 1)
    if [ $rc -ne 0 ] || [ -z "$pl" ] || [ ! -f "$4" ]; then
        echo "FAIL: frama-c exited $rc (see $3)" > "$OUT/$stem.result"
        return 1
    fi
    echo "$pl"
}

prove_file() {
    f=$1
    stem=${f%.c}
    fcts=$(python3 "$HERE/wp_functions.py" "$SRC/$f")
    log="$OUT/$stem.log"
    rm -f "$OUT/$stem.result" "$OUT/$stem.unproven" "$OUT/$stem.z3.json" "$OUT/$stem.z3.log"
    t0=$(date +%s)
    line=$(wp_pass cvc4 "$fcts" "$log" "$OUT/$stem.json" "$TIMEOUT" \
        "-wp-fct-timeout $FIRST_PASS_LIMITS") || return
    # shellcheck disable=SC2046
    set -- $(python3 "$HERE/wp_split.py" "$OUT/$stem.json")
    proved=$1
    goals=$2
    retry=$3
    all=$(echo "$line" | sed -E 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\2/')
    if [ "$retry" != "-" ]; then
        log2="$OUT/$stem.z3.log"
        line2=$(wp_pass z3,cvc4 "$retry" "$log2" "$OUT/$stem.z3.json" "$((TIMEOUT * 2))") || return
        p2=$(echo "$line2" | sed -E 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\1/')
        g2=$(echo "$line2" | sed -E 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\2/')
        proved=$((proved + p2))
        goals=$((goals + g2))
        if [ "$p2" != "$g2" ]; then
            grep -E '^\[wp\] \[(Failed|Unknown|Timeout)' "$log2" | sed 's/^/    /' \
                > "$OUT/$stem.unproven"
        fi
    fi
    t1=$(date +%s)
    echo "$proved $goals $((t1 - t0)) $all $retry" > "$OUT/$stem.result"
}

# Eva, as one job of the same queue (worker mode, -1 eva): writes
# OUT/eva.log and OUT/eva.result ("exit-status seconds").
run_eva() {
    rm -f "$OUT/eva.result"
    t0=$(date +%s)
    sh "$HERE/run_eva.sh" "$SRC" "$OUT" > "$OUT/eva.log" 2>&1
    rc=$?
    t1=$(date +%s)
    echo "$rc $((t1 - t0))" > "$OUT/eva.result"
}

if [ -n "$WORKER" ]; then
    if [ "$WORKER" = eva ]; then
        run_eva
    else
        prove_file "$WORKER"
    fi
    exit 0
fi

REPORT="$OUT/report.txt"
: > "$REPORT"
status=0

say() {
    echo "$*"
    echo "$*" >> "$REPORT"
}

for tool in frama-c why3 z3 cvc4; do
    if ! command -v $tool > /dev/null 2>&1; then
        say "proofs: FAIL: $tool not found (see proofs/README.md)"
        exit 1
    fi
done

# No escape hatches in the proven sources.
if grep -n -E '\badmit\b|\baxiom\b|requires[[:space:]]+\\false|__FRAMAC__|__FC_' \
        "$SRC"/*.c "$SRC"/*.h > "$OUT/escape-hatches.txt"; then
    say "proofs: FAIL: forbidden construct in the sources:"
    cat "$OUT/escape-hatches.txt"
    status=1
fi

# The string tables (fixed-width rows) must keep room for their NUL: C
# accepts a literal exactly as long as its row, C++ does not.
: > "$OUT/cxx-compat.txt"
for f in st_error.c st_write.c; do
    if ! ${CC:-cc} -std=c11 -Wall -Wc++-compat -Werror -ffreestanding -I"$SRC" \
            -c "$SRC/$f" -o /dev/null >> "$OUT/cxx-compat.txt" 2>&1; then
        say "proofs: FAIL: $f table strings (see $OUT/cxx-compat.txt)"
        status=1
    fi
done


total_proved=0
total_goals=0
t_start=$(date +%s)
say "file              proven/total   seconds"
# Largest files first, so that the two queues end close together; Eva
# (single-threaded, about as long as the largest file) starts beside the
# largest file instead of running alone on one core after them.
# shellcheck disable=SC2086
queue=$(cd "$SRC" && ls -S $PROOF_FILES)
rm -f "$OUT/eva.result"
if [ $EVA -eq 1 ] && [ -f "$HERE/eva_harness.c" ]; then
    # shellcheck disable=SC2086
    queue="$(printf '%s\n' $queue | head -n 1) eva $(printf '%s\n' $queue | tail -n +2)"
fi
# shellcheck disable=SC2086
printf '%s\n' $queue | xargs -P "$JOBS" -I '{}' \
    sh "$0" -s "$SRC" -o "$OUT" -t "$TIMEOUT" -1 '{}'
for f in $PROOF_FILES; do
    stem=${f%.c}
    if [ ! -f "$OUT/$stem.result" ]; then
        say "$(printf '%-17s %s' "$f" "FAIL: no result (see $OUT/$stem.log)")"
        status=1
        continue
    fi
    # shellcheck disable=SC2046
    set -- $(cat "$OUT/$stem.result")
    if [ "$1" = "FAIL:" ]; then
        say "$(printf '%-17s %s' "$f" "$(cat "$OUT/$stem.result")")"
        status=1
        continue
    fi
    proved=$1
    goals=$2
    secs=$3
    all=$4
    note=""
    if [ "$5" != "-" ]; then
        note="  (with Z3: $5)"
    fi
    say "$(printf '%-17s %6s/%-6s %6s%s' "$f" "$proved" "$goals" "$secs" "$note")"
    total_proved=$((total_proved + proved))
    total_goals=$((total_goals + goals))
    # Both passes together cover every goal of the first exactly once.
    if [ "$goals" != "$all" ]; then
        say "proofs: FAIL: $f: $goals goals counted over the two passes, $all in the first"
        status=1
    fi
    if [ "$proved" != "$goals" ]; then
        status=1
        if [ -f "$OUT/$stem.unproven" ]; then
            tee -a "$REPORT" < "$OUT/$stem.unproven"
        fi
    fi
done

# Lemmas: the per-file runs (-wp-fct) use the lemmas of the sources as
# hypotheses without proving them, so every lemma is proven here, once.
log="$OUT/lemmas.log"
t0=$(date +%s)
# shellcheck disable=SC2086
frama-c $WP_FLAGS -wp-timeout "$TIMEOUT" -wp-prover z3,cvc4 -cpp-extra-args="-I$SRC" $ALL_SRC -wp-prop=@lemma > "$log" 2>&1
rc=$?
t1=$(date +%s)
n_lemmas=$(cat "$SRC"/*.c "$SRC"/*.h | grep -c -E '\blemma[[:space:]]+[A-Za-z_]')
line=$(grep -E '^\[wp\] Proved goals:' "$log" | tail -n 1)
proved=$(echo "$line" | sed -E 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\1/')
goals=$(echo "$line" | sed -E 's/.*Proved goals: *([0-9]+) *\/ *([0-9]+).*/\2/')
if [ -z "$line" ]; then
    proved=0
    goals=0
fi
if [ $rc -ne 0 ] || [ "$goals" != "$n_lemmas" ] || [ "$proved" != "$goals" ]; then
    say "$(printf '%-17s %s' "lemmas" "FAIL: $proved/$goals proven, $n_lemmas in the sources (see $log)")"
    status=1
else
    say "$(printf '%-17s %6s/%-6s %6s' "lemmas" "$proved" "$goals" "$((t1 - t0))")"
fi
total_proved=$((total_proved + proved))
total_goals=$((total_goals + goals))

# Every function defined in the proven files got its goals: compare with
# Frama-C's own list of the functions it selected for WP.
for f in $PROOF_FILES; do
    for fn in $(python3 "$HERE/wp_functions.py" "$SRC/$f" | tr ',' ' '); do
        if ! grep -q "annotating function $fn\$" "$OUT/${f%.c}.log"; then
            say "proofs: FAIL: function $fn of $f was not analysed"
            status=1
        fi
    done
done

t_end=$(date +%s)
# Seconds from the first job to the last: WP and, when it runs, Eva, two
# jobs at a time.
say "$(printf '%-17s %6s/%-6s %6s' "WP total" "$total_proved" "$total_goals" "$((t_end - t_start))")"

# Margins (information, not a verdict): the slowest goals against the time
# they had, and the goals only the retry proved (proofs/README.md, "Margins").
say "slowest prover goals (seconds, limit, share of the limit):"
# shellcheck disable=SC2046,SC2086
python3 "$HERE/wp_slowest.py" -n 5 "$TIMEOUT" "$OUT" $(printf '%s\n' $PROOF_FILES | sed 's/\.c$//') |
    tee -a "$REPORT"

if [ $EVA -eq 1 ] && [ -f "$HERE/eva_harness.c" ]; then
    # shellcheck disable=SC2046
    set -- $(cat "$OUT/eva.result" 2>/dev/null || echo "none -")
    if [ "$1" = none ]; then
        say "$(printf '%-17s %s' "Eva" "FAIL: no result (see $OUT/eva.log)")"
        status=1
    elif [ "$1" -ne 0 ]; then
        say "$(printf '%-17s %s' "Eva" "FAIL: $(tail -n 1 "$OUT/eva.log") (see $OUT/eva.log)")"
        status=1
    else
        nu=$(cat "$OUT/eva-unreached-contexts.txt" 2>/dev/null || echo "?")
        say "$(printf '%-17s %-13s %6s  %s' "Eva" "0 alarms" "$2" \
            "$nu properties false only where no execution reaches")"
    fi
fi

if [ $status -eq 0 ]; then
    say "proofs: all goals proven"
else
    say "proofs: FAILED"
fi
exit $status
