#!/bin/sh
# Installs what the build, the tests and the gates need on a Debian 12
# machine: Debian packages (apt-get when root, else the command is printed)
# and, for the differential tests only, the reference implementation from PyPI.
set -eu

PKGS="gcc make clang clang-tidy libclang-rt-14-dev libcriterion-dev pkg-config frama-c-base ocaml why3 z3 cvc4 afl++ cppcheck gcovr valgrind python3-pip libamdhip64-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "deps: installing$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "deps: missing Debian packages:$missing"
        echo "deps: run: sudo apt-get install -y$missing"
        exit 1
    fi
fi

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys, numpy, safetensors; sys.exit(safetensors.__version__ != "0.8.0")' 2>/dev/null; then
    echo "deps: installing safetensors==0.8.0 numpy from PyPI"
    "$PY" -m pip install -q safetensors==0.8.0 numpy 2>/dev/null ||
        "$PY" -m pip install -q --break-system-packages safetensors==0.8.0 numpy
fi

# WP's provers are found by Why3's configuration (z3, cvc4; see proofs/README.md).
if ! why3 config list-provers 2>/dev/null | grep -qi z3; then
    why3 config detect >/dev/null 2>&1
fi
echo "deps: ok"
