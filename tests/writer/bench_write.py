#!/usr/bin/env python3
"""Write benchmark: `tensorproof pack` next to the reference's save_file and
a plain file copy of the same size, in one run.

    python3 tests/writer/bench_write.py --cli build/tensorproof --dir DIR
                                        [--mib 1024]

Builds MIB MiB of tensors (16 tensors of mixed numpy dtypes, plus two small
ones) as one raw source file and a manifest, then times, one after the
other, with `sync` (untimed) in between so that no measurement pays for the
previous one's write-back:

  pack            tensorproof pack MANIFEST OUT: reads the source file,
                  writes a temporary file, fsync, rename, directory fsync
  save_file       safetensors.numpy.save_file of the same arrays, already in
                  memory (it writes a temporary file and renames it; no fsync)
  save_file+fsync the same, then fsync of the output (pack's durability)
  cp              cp SOURCE COPY (the source has the size of the data)
  cp+fsync        the same, then fsync of the copy

Throughput counts the bytes of the output file in GB/s (10^9 bytes/s).
The pack output must equal the reference's byte for byte (checked after
the timings), so the benchmark also exercises the writer end to end. pack
runs with its address space limited to 128 MiB (RLIMIT_AS), whatever the
data size: the data streams through one 8 MiB buffer. Exit status 0 when
pack succeeds and the outputs agree.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

import numpy as np
import safetensors.numpy as stnp

# Address space pack may use (RLIMIT_AS), whatever the data size.
PACK_AS_LIMIT = 128 << 20

DTYPES = [("F32", np.float32), ("F16", np.float16), ("I64", np.int64),
          ("U8", np.uint8), ("F64", np.float64), ("I32", np.int32),
          ("BOOL", np.bool_), ("C64", np.complex64)]


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def timed(fn):
    subprocess.run(["sync"], check=True)
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def same_files(a, b, chunk=64 << 20):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x = fa.read(chunk)
            y = fb.read(chunk)
            if x != y:
                return False
            if not x:
                return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mib", type=int, default=1024)
    args = ap.parse_args()
    cli = os.path.abspath(args.cli)
    work = os.path.abspath(args.dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # The tensors: 16 of equal size (mixed dtypes) and two small ones.
    total = args.mib << 20
    rng = np.random.default_rng(7)
    per = total // 16
    arrays = {}
    entries = []
    src = os.path.join(work, "source.bin")
    offset = 0
    with open(src, "wb") as f:
        for i in range(18):
            name, dt = DTYPES[i % len(DTYPES)]
            size = per if i < 16 else 4096
            count = size // np.dtype(dt).itemsize
            if dt is np.bool_:
                a = rng.integers(0, 2, count, dtype=np.uint8).view(np.bool_)
            else:
                a = rng.integers(0, 256, count * np.dtype(dt).itemsize,
                                 dtype=np.uint8).view(dt)
            shape = [count // 64, 64] if count % 64 == 0 and i % 2 == 0 else [count]
            a = a.reshape(shape)
            tname = "model.layers.%d.%s.weight" % (i, name.lower())
            arrays[tname] = a
            a.tofile(f)
            entries.append({"name": tname, "dtype": name, "shape": shape,
                            "file": "source.bin", "offset": offset})
            offset += a.nbytes
    metadata = {"format": "np"}
    manifest = os.path.join(work, "manifest.json")
    with open(manifest, "w") as f:
        json.dump({"tensors": entries, "metadata": metadata}, f)
    data_bytes = offset

    out_pack = os.path.join(work, "pack.safetensors")
    out_ref = os.path.join(work, "ref.safetensors")
    out_ref2 = os.path.join(work, "ref2.safetensors")
    out_cp = os.path.join(work, "copy.bin")
    out_cp2 = os.path.join(work, "copy2.bin")

    def limit_memory():
        # Streaming: pack must manage in an address space far smaller than
        # the data (it needs one 8 MiB buffer, the header and the manifest).
        resource.setrlimit(resource.RLIMIT_AS, (PACK_AS_LIMIT, PACK_AS_LIMIT))

    def run_pack():
        r = subprocess.run([cli, "pack", manifest, out_pack], capture_output=True,
                           preexec_fn=limit_memory)
        if r.returncode != 0:
            raise SystemExit("pack failed: %s" % r.stderr.decode(errors="replace"))

    def run_ref():
        stnp.save_file(arrays, out_ref, metadata=metadata)

    def run_ref_fsync():
        stnp.save_file(arrays, out_ref2, metadata=metadata)
        fsync_path(out_ref2)

    def run_cp():
        subprocess.run(["cp", src, out_cp], check=True)

    def run_cp_fsync():
        subprocess.run(["cp", src, out_cp2], check=True)
        fsync_path(out_cp2)

    results = [("pack (fsync)", timed(run_pack), out_pack),
               ("save_file", timed(run_ref), out_ref),
               ("save_file+fsync", timed(run_ref_fsync), out_ref2),
               ("cp", timed(run_cp), out_cp),
               ("cp+fsync", timed(run_cp_fsync), out_cp2)]

    ok = same_files(out_pack, out_ref)
    print("bench-write: %d MiB of tensor data (%d tensors), output %d bytes"
          % (data_bytes >> 20, len(entries), os.path.getsize(out_pack)))
    print("  %-16s %9s %9s %12s %12s" % ("", "seconds", "GB/s", "pack/this", "this/pack"))
    t_pack = results[0][1]
    for name, secs, path in results:
        size = os.path.getsize(path)
        print("  %-16s %9.3f %9.3f %11.2fx %11.2fx"
              % (name, secs, size / secs / 1e9, t_pack / secs, secs / t_pack))
    print("  (pack/this > 1: pack is slower by that factor; pack includes fsync "
          "of file and directory, save_file and cp do not unless marked)")
    print("  pack output %s the reference's byte for byte"
          % ("equals" if ok else "DIFFERS FROM"))
    print("  pack ran with its address space limited to %d MiB"
          % (PACK_AS_LIMIT >> 20))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
