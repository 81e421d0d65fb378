#!/bin/sh
# proofs/fc_gc.sh DIR -- compiles proofs/fc_gc.ml (the garbage-collector
# settings of the Frama-C runs) into DIR and prints the Frama-C option that
# loads it. Prints nothing, and says why on stderr, when the OCaml compiler
# is missing: the runs then keep Frama-C's own settings and take longer.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1/fc_gc"
DIR=$(cd "$1" && pwd)
if ! command -v ocamlopt > /dev/null 2>&1; then
    echo "fc_gc: ocamlopt not found; Frama-C keeps its garbage-collector settings (slower)" >&2
    exit 0
fi
cp "$HERE/fc_gc.ml" "$DIR/fc_gc/fc_gc.ml"
if ! (cd "$DIR/fc_gc" && ocamlopt -shared -o fc_gc.cmxs fc_gc.ml) >&2; then
    echo "fc_gc: compiling fc_gc.ml failed; Frama-C keeps its garbage-collector settings (slower)" >&2
    exit 0
fi
echo "-load-module $DIR/fc_gc/fc_gc.cmxs"
