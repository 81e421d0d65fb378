#!/usr/bin/env bash
# load_cli_test.sh -- `tensorproof load` from the shell: loads verified byte
# for byte, the JSON report's numbers against sizes computed here,
# selection, shards, tensor parallelism, indexes, options, and the exit
# statuses of every kind of error. On the host device, or on the device
# named by LOAD_DEVICE (tests/gpu/run sets cuda:0).
#   usage: [LOAD_DEVICE=cuda:0] bash tests/device/load_cli_test.sh path/to/tensorproof
set -u
TP=${1:?usage: load_cli_test.sh path/to/tensorproof}
PY=${PYTHON:-python3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
pass=0
fail=0

# `tensorproof load` on the device under test (a later --device overrides it)
tp_load() { "$TP" load ${LOAD_DEVICE:+--device "$LOAD_DEVICE"} "$@"; }

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect STATUS NEEDLE CMD... : exit status and a substring of stdout+stderr
expect() {
    local want=$1 needle=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" != "$want" ]; then
        bad "$* -> exit $rc, want $want: $out"
    elif [ -n "$needle" ] && ! grep -qF -- "$needle" <<<"$out"; then
        bad "$* -> output lacks '$needle': $out"
    else
        ok
    fi
}

# Files written with the standard library only (not the project's writer).
"$PY" - "$DIR" <<'EOF'
import json, os, random, struct, sys
d = sys.argv[1]
rng = random.Random(5)
def write(path, tensors):
    header, data, off = {}, b"", 0
    for name, dtype, shape, size in tensors:
        blob = bytes(rng.getrandbits(8) for _ in range(size))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + size]}
        data += blob
        off += size
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)
write(os.path.join(d, "a.safetensors"), [
    ("emb", "BF16", [64, 32], 4096), ("wq", "F32", [16, 12], 768),
    ("wo", "F32", [12, 16], 768), ("norm", "F16", [32], 64),
    ("f4", "F4", [4, 8], 16), ("empty", "U8", [0, 3], 0)])
write(os.path.join(d, "b.safetensors"), [("head", "F16", [10, 32], 640)])
write(os.path.join(d, "-dash.safetensors"), [("x", "U8", [3], 3)])
with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": 5504},
               "weight_map": {"emb": "a.safetensors", "wq": "a.safetensors",
                              "head": "b.safetensors"}}, f)
with open(os.path.join(d, "broken.index.json"), "w") as f:
    json.dump({"weight_map": {"nothere": "a.safetensors"}}, f)
with open(os.path.join(d, "invalid.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", 8) + b'{"a":1} ')
EOF
A=$DIR/a.safetensors
B=$DIR/b.safetensors

# field NAME JSONLINE -> value
field() { "$PY" -c 'import json,sys; print(json.loads(sys.argv[2])[sys.argv[1]])' "$1" "$2"; }
# json_is NAME WANT CMD... : one JSON report line, field NAME == WANT
json_is() {
    local name=$1 want=$2
    shift 2
    local out got
    out=$("$@" --json 2>&1 | head -n 1)
    got=$(field "$name" "$out" 2>/dev/null)
    if [ "$got" = "$want" ]; then ok; else bad "$* --json: $name=$got, want $want ($out)"; fi
}

# Whole files, verified, every option.
expect 0 "verify: OK (5712 bytes compared)" tp_load --verify "$A"
expect 0 "verify: OK" tp_load --device host --verify --mmap-source "$A"
expect 0 "verify: OK" tp_load --verify --register-staging --buffers 1 --threads 3 "$A"
expect 0 "verify: OK" tp_load --verify --chunk 100 --buffers 4 --align 1M "$A" "$B"
expect 0 "verify: OK" tp_load --verify --chunk=1K --threads=2 --compat "$A"
json_is bytes 5712 tp_load --verify "$A"
json_is bytes 6352 tp_load --verify "$A" "$B"
json_is files 2 tp_load "$A" "$B"
json_is tensors 7 tp_load "$A" "$B"
json_is verify OK tp_load --verify "$A"
json_is source mmap tp_load --mmap-source "$A"
json_is allocation 5243520 tp_load --align 1M "$A" "$B"
json_is staging 100 tp_load --chunk 100 "$A"
n=$(tp_load --repeat 3 --json "$A" | wc -l)
if [ "$n" = 3 ]; then ok; else bad "--repeat 3 printed $n lines"; fi

# Selection and shards: sizes computed by hand.
json_is bytes 832 tp_load --verify --tensor wq --tensor norm "$A"
json_is bytes 512 tp_load --verify --shard emb:rows:8:16 "$A"
json_is bytes 512 tp_load --verify --shard wq:cols:4:12 "$A"
json_is bytes 8 tp_load --verify --shard f4:cols:4:8 "$A"
expect 2 "ST-PLAN-1" tp_load --shard f4:cols:1:4 "$A"
expect 2 "no tensor named \"nope\"" tp_load --tensor nope "$A"
expect 2 "--shard needs" tp_load --shard emb:diag:1:2 "$A"

# Tensor parallelism: 2 ranks split rows by default, columns and whole by pattern.
r0=$(tp_load --verify --json --tp-rank 0 --tp-world 2 --tp-cols 'w?' --tp-whole 'norm' "$A")
r1=$(tp_load --verify --json --tp-rank 1 --tp-world 2 --tp-cols 'w?' --tp-whole 'norm' "$A")
b0=$(field bytes "$r0")
b1=$(field bytes "$r1")
# emb, wq, wo, f4 split in halves (f4: rows), norm whole on both ranks
if [ "$b0" = 2888 ] && [ "$b1" = 2888 ]; then ok; else bad "tp bytes $b0 + $b1"; fi
expect 2 "--tp-rank and --tp-world go together" tp_load --tp-rank 1 "$A"
expect 2 "--tp-rank must be below" tp_load --tp-rank 2 --tp-world 2 "$A"
expect 2 "need --tp-rank" tp_load --tp-cols 'w*' "$A"

# A sharded checkpoint.
json_is bytes 5504 tp_load --verify "$DIR/model.safetensors.index.json"
json_is files 2 tp_load "$DIR/model.safetensors.index.json"
json_is bytes 640 tp_load --verify --tensor head "$DIR/model.safetensors.index.json"
expect 2 "\"nothere\"" tp_load "$DIR/broken.index.json"
expect 2 "only file" tp_load "$A" "$DIR/model.safetensors.index.json"

# Operands that look like options.
expect 0 "verify: OK (3 bytes compared)" tp_load --verify -- "$DIR/-dash.safetensors"

# Errors and their exit statuses.
expect 1 "ST_E_" tp_load "$DIR/invalid.safetensors"
expect 2 "open" tp_load "$DIR/absent.safetensors"
expect 2 "no file given" tp_load
expect 2 "unknown option" tp_load --frobnicate "$A"
expect 2 "--chunk needs" tp_load --chunk 0 "$A"
expect 2 "--chunk needs" tp_load --chunk 2G "$A"
expect 2 "--chunk needs" tp_load --chunk 12Q "$A"
expect 2 "--buffers needs" tp_load --buffers 65 "$A"
expect 2 "--threads needs" tp_load --threads 0 "$A"
expect 2 "--align needs" tp_load --align 3 "$A"
expect 2 "missing value" tp_load --device
expect 2 "unknown device" tp_load --device tpu "$A"
expect 2 "--strict and --compat" tp_load --strict --compat "$A"
expect 0 "Usage: tensorproof load" tp_load --help
expect 0 "load" "$TP" help load
# No GPU on this machine: both runtimes fail cleanly (no crash: status 2).
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
    echo "load_cli_test: a GPU is present; the no-device checks are not run" >&2
else
    expect 2 "cuda: " tp_load --device cuda:0 "$A"
    expect 2 "hip: " tp_load --device hip:0 "$A"
fi

echo "load_cli_test: $pass passed, $fail failed"
[ "$fail" = 0 ]
