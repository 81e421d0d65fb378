#!/usr/bin/env python3
"""tests/gpu/make_file.py PATH GIB -- the bandwidth file of tests/gpu/run and
tests/gpu/sweep: GIB GiB of 64 MiB BF16 tensors ([8192, 4096]) and a tail of
256 small F32 ones, random bytes, header padded with spaces to a multiple
of 8."""
import json, os, struct, sys
path, gib = sys.argv[1], int(sys.argv[2])
big = 64 << 20
n = (gib << 30) // big
tensors = [(f"model.layers.{i}.weight", "BF16", [8192, 4096], big) for i in range(n)]
tensors += [(f"model.layers.{i}.norm", "F32", [4096], 16384) for i in range(256)]
header, off = {}, 0
for name, dt, shape, size in tensors:
    header[name] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + size]}
    off += size
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
block = os.urandom(big)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for i, (_, _, _, size) in enumerate(tensors):
        f.write(block[i % 4093:i % 4093 + size] if size < big else block)
print(f"{len(tensors)} tensors, {off} data bytes")
