#!/usr/bin/env python3
"""The reference side of the benchmark: one operation of safetensors 0.8.0
(or a plain copy) per process, timed in-process, with the same JSON output
and memory figures as bench_driver.c.

    ref_worker.py OP FILE [OUT] [--reps N] [--warmup N] [--backend B] [--fsync]

    deserialize  safetensors.deserialize(bytes): the file is read into a
                 bytes object before each sample (untimed; counted in the
                 memory figures: the API needs the whole file in memory)
    keys         with safe_open(FILE, "np") as f: f.keys()
    first        safe_open, the first name in offset order, get_slice(name):
                 a lazy handle on the first tensor (the close is untimed)
    load         safetensors.numpy.load_file(FILE, backend=B) (mmap or pread)
    save         the tensors and metadata of FILE are loaded once (untimed),
                 then each sample is safetensors.numpy.save_file to OUT;
                 with --fsync, followed by fsync of OUT and of its directory.
                 OUT is removed and os.sync() called before each sample,
                 untimed, so that no sample pays for an earlier one's
                 write-back.
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy  # noqa: F401  (safe_open(..., "np") imports it on first use:
#               imported here so that no operation's memory counts it)
import safetensors

stnp = None  # safetensors.numpy, imported by the operations that need it


def status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def reset_hwm():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("op", choices=["deserialize", "keys", "first", "load",
                                   "save"])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--backend", default="mmap")
    ap.add_argument("--fsync", action="store_true")
    a = ap.parse_args()
    if len(a.files) != (2 if a.op == "save" else 1):
        ap.error("save takes FILE OUT, the others one FILE")
    a.file = a.files[0]
    a.out = a.files[1] if a.op == "save" else None

    global stnp
    if a.op in ("load", "save"):
        import safetensors.numpy as stnp
    state = {"tensors": 0, "bytes": 0}
    arrays = metadata = None
    if a.op == "save":
        arrays = stnp.load_file(a.file)
        with safetensors.safe_open(a.file, "np") as f:
            metadata = f.metadata()

    def durable(path):
        if a.fsync:
            fsync_path(path)
            fsync_path(os.path.dirname(os.path.abspath(path)))

    def sample():
        """One operation; returns (wall, cpu) seconds (CPU: the process's,
        all threads)."""
        if a.op == "save":
            try:
                os.unlink(a.out)
            except FileNotFoundError:
                pass
            os.sync()
        data = None
        if a.op == "deserialize":
            with open(a.file, "rb") as f:
                data = f.read()
        c0 = time.process_time()
        t0 = time.perf_counter()
        t1 = None
        if a.op == "deserialize":
            r = safetensors.deserialize(data)
            state["tensors"] = len(r)
        elif a.op == "keys":
            with safetensors.safe_open(a.file, "np") as f:
                r = f.keys()
            state["tensors"] = len(r)
        elif a.op == "first":
            with safetensors.safe_open(a.file, "np") as f:
                names = f.offset_keys()
                r = f.get_slice(names[0]) if names else None
                t1 = time.perf_counter()
                c1 = time.process_time()
                state["tensors"] = len(names)
        elif a.op == "load":
            r = stnp.load_file(a.file, backend=a.backend)
            state["tensors"] = len(r)
            state["bytes"] = sum(v.nbytes for v in r.values())
        else:
            stnp.save_file(arrays, a.out, metadata=metadata)
            durable(a.out)
            state["tensors"] = len(arrays)
            r = None
        if t1 is None:
            t1 = time.perf_counter()
            c1 = time.process_time()
        del r
        return t1 - t0, c1 - c0

    for _ in range(a.warmup):
        sample()
    peak = status_kb("VmHWM")
    hwm_reset = reset_hwm()
    rss_before = status_kb("VmRSS")
    times, cpus = [], []
    for _ in range(a.reps):
        t, c = sample()
        times.append(t)
        cpus.append(c)
    hwm = status_kb("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"op": a.op, "times": times, "cpu_times": cpus,
                      "rss_before_kb": rss_before, "hwm_kb": hwm,
                      "hwm_reset": hwm_reset, "peak_kb": max(peak, hwm),
                      "maxrss_kb": maxrss,
                      "tensors": state["tensors"], "bytes": state["bytes"],
                      "version": safetensors.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
