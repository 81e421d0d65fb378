#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for the tensorproof harnesses.
#
# Honours the variables the build infrastructure sets: $CC, $CFLAGS,
# $CXX, $CXXFLAGS (linking only), $LIB_FUZZING_ENGINE, $OUT, $SRC. Builds
# every harness in fuzz/ and puts next to each, in $OUT: the seed corpus
# (<name>_seed_corpus.zip), the dictionary (<name>.dict) and an .options
# file. By hand, from the repository root:
#   CC=clang CFLAGS="-fsanitize=fuzzer-no-link,address" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/ossout fuzz/oss-fuzz/build.sh

# The repository: next to this script, or $SRC/tensorproof when the script
# was copied to $SRC (the layout of the Dockerfile beside it).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${TENSORPROOF_SRC:-}" ]; then
    root=$TENSORPROOF_SRC
elif [ -f "$here/../../src/core/tensorproof.h" ]; then
    root=$(cd "$here/../.." && pwd)
elif [ -f "${SRC:-/src}/tensorproof/src/core/tensorproof.h" ]; then
    root=${SRC:-/src}/tensorproof
else
    root=$PWD
fi
[ -f "$root/src/core/tensorproof.h" ] || { echo "build.sh: tensorproof sources not found" >&2; exit 1; }
: "${CC:?set CC}" "${OUT:?set OUT}" "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE}"
CFLAGS=${CFLAGS:-}
LINK=${CXX:-$CC}
LINKFLAGS=${CXXFLAGS:-$CFLAGS}
work=${WORK:-$(mktemp -d)}/tensorproof-fuzz
rm -rf "$work"
mkdir -p "$work/core" "$OUT"

# Flags of the project's own build; no -Werror here (compilers vary).
std="-std=c11 -I$root/src/core"
core_objs=()
for c in "$root"/src/core/*.c; do
    o="$work/core/$(basename "${c%.c}").o"
    # shellcheck disable=SC2086
    $CC $CFLAGS $std -ffreestanding -fno-builtin -c "$c" -o "$o"
    core_objs+=("$o")
done

# name, source, extra defines, seed set
harnesses=(
    "fuzz_parse_strict fuzz_parse.c -DFUZZ_MODE=ST_MODE_STRICT file"
    "fuzz_parse_compat fuzz_parse.c -DFUZZ_MODE=ST_MODE_COMPAT file"
    "fuzz_strict_subset fuzz_strict_subset.c - file"
    "fuzz_header fuzz_header.c - header"
)
[ -f "$root/src/core/st_write.c" ] && harnesses+=("fuzz_roundtrip fuzz_roundtrip.c - file")
[ -f "$root/src/core/st_plan.c" ] && harnesses+=("fuzz_plan fuzz_plan.c - plan")

zip_dir() {  # zip_dir DIR ZIPFILE: the files of DIR, flat
    rm -f "$2"
    if command -v zip >/dev/null; then
        (cd "$1" && zip -q -X -j "$2" -- *)
    else
        python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
d, z = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            zf.write(p, name)
PY
    fi
}

for h in "${harnesses[@]}"; do
    read -r name src defs set <<<"$h"
    [ "$defs" = - ] && defs=""
    # shellcheck disable=SC2086
    $CC $CFLAGS $std $defs -c "$root/fuzz/$src" -o "$work/$name.o"
    # shellcheck disable=SC2086
    $LINK $LINKFLAGS "$work/$name.o" "${core_objs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$name"
    zip_dir "$root/fuzz/seeds/$set" "$OUT/${name}_seed_corpus.zip"
    cp "$root/fuzz/safetensors.dict" "$OUT/$name.dict"
    cat >"$OUT/$name.options" <<OPT
[libfuzzer]
dict = $name.dict
max_len = 65536
timeout = 10
OPT
    echo "build.sh: $OUT/$name"
done
