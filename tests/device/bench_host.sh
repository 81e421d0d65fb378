#!/usr/bin/env bash
# bench_host.sh -- host-backend bandwidth of `tensorproof load` on one file
# kept in the page cache: pread vs mmap source, staging buffers, chunk
# sizes, reader threads. Prints a Markdown table (median and best copy GB/s
# of REPEAT loads, and the best total GB/s) for tests/device/README.md.
#   usage: bash tests/device/bench_host.sh path/to/tensorproof [SIZE_MIB] [REPEAT] [interleaved]
# With "interleaved", a shorter list of configurations is measured round
# robin, REPEAT rounds (each round loads once with every configuration), so
# that a slow period of a shared machine hits all of them alike; the table
# gives the median, the quartiles and the best copy GB/s.
# The file is written to ${TMPDIR:-/tmp} and removed at the end.
set -eu
TP=${1:?usage: bench_host.sh path/to/tensorproof [SIZE_MIB] [REPEAT]}
MIB=${2:-1024}
REPEAT=${3:-3}
MODE=${4:-matrix}
PY=${PYTHON:-python3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
F=$DIR/bench.safetensors

# 16 MiB BF16 tensors, random bytes (written with the standard library).
"$PY" - "$F" "$MIB" <<'EOF'
import json, os, struct, sys
path, mib = sys.argv[1], int(sys.argv[2])
n = max(1, mib // 16)
header, off = {}, 0
for i in range(n):
    header[f"layers.{i}.weight"] = {"dtype": "BF16", "shape": [4096, 2048],
                                    "data_offsets": [off, off + (16 << 20)]}
    off += 16 << 20
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
block = os.urandom(16 << 20)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for i in range(n):
        f.write(block[i % 7:] + block[:i % 7])
EOF
cat "$F" > /dev/null   # into the page cache
"$TP" load --verify "$F" > /dev/null

if [ "$MODE" = interleaved ]; then
    configs=(
        "pread 3 1M 1" "pread 3 4M 1" "pread 3 16M 1" "pread 3 64M 1"
        "pread 2 4M 1" "pread 4 4M 1" "pread 3 4M 2" "pread 3 16M 2"
        "mmap 3 4M 1" "mmap 3 16M 1"
    )
    : > "$DIR/inter.txt"
    for r in $(seq 1 "$REPEAT"); do
        for c in "${configs[@]}"; do
            set -- $c
            extra=""
            [ "$1" = mmap ] && extra="--mmap-source"
            "$TP" load --json --buffers "$2" --chunk "$3" --threads "$4" $extra "$F" |
                "$PY" -c 'import json,sys; print(sys.argv[1], json.loads(sys.stdin.read())["copy_gbps"])' "$c" \
                >> "$DIR/inter.txt"
        done
    done
    "$PY" - "$DIR/inter.txt" <<'EOF'
import collections, statistics, sys
d = collections.OrderedDict()
for line in open(sys.argv[1]):
    *key, v = line.split()
    d.setdefault(" ".join(key), []).append(float(v))
print("| source | buffers | chunk | threads | loads | copy GB/s median | quartiles | best |")
print("|---|---|---|---|---|---|---|---|")
for k, v in d.items():
    v.sort()
    src, b, c, t = k.split()
    print(f"| {src} | {b} | {c} | {t} | {len(v)} | {statistics.median(v):.2f} | "
          f"{v[len(v) // 4]:.2f}-{v[(3 * len(v)) // 4]:.2f} | {v[-1]:.2f} |")
EOF
    exit 0
fi

echo "| source | buffers | chunk | threads | copy GB/s (median of $REPEAT) | copy GB/s (best) | total GB/s (best) |"
echo "|---|---|---|---|---|---|---|"
for src in pread mmap; do
    for buf in 2 3 4; do
        for chunk in 1M 4M 16M 64M; do
            for th in 1 2; do
                extra=""
                [ "$src" = mmap ] && extra="--mmap-source"
                "$TP" load --json --repeat "$REPEAT" --buffers "$buf" --chunk "$chunk" \
                    --threads "$th" $extra "$F" > "$DIR/out.jsonl"
                "$PY" - "$DIR/out.jsonl" "$src" "$buf" "$chunk" "$th" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
copy = statistics.median(r["copy_gbps"] for r in rows)
best = max(r["copy_gbps"] for r in rows)
total = max(r["total_gbps"] for r in rows)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {rows[0]['threads']} | {copy:.2f} | {best:.2f} | {total:.2f} |")
EOF
            done
        done
    done
done
# Reference points on the same file: reading it from the page cache alone.
"$PY" - "$F" <<'EOF'
import os, sys, time
path = sys.argv[1]
size = os.path.getsize(path)
buf = bytearray(16 << 20)
best = 0.0
for _ in range(3):
    t = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass
    best = max(best, size / (time.perf_counter() - t) / 1e9)
print(f"\nread(2) of the whole file into one 16 MiB buffer (no copy to a device): {best:.2f} GB/s (best of 3)")
EOF
