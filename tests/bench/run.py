#!/usr/bin/env python3
"""tensorproof next to the reference safetensors 0.8.0, on the same machine
in the same run: header validation, header throughput, open to first
tensor, host load and write.

    python3 tests/bench/run.py --driver build/bench/bench_driver \\
        --cli build/tensorproof --dir build/bench \\
        [--smoke] [--rounds N] [--results FILE] [--plot FILE] [--keep]

Every input is generated here, deterministically (tests/bench/gen.py).
Each measured operation runs in its own process: bench_driver (the library,
in-process timings), ref_worker.py (the reference, in-process timings) or
the tensorproof command line (timed from outside). The variants of one item
run in rounds, interleaved, so that a change in the machine's load falls on
all of them; each figure is the median over all samples of all rounds.
Peak memory comes from a fresh process doing the operation once.

--smoke: tiny sizes and one round; checks that everything builds, runs and
agrees (tensor counts, byte-identical outputs), asserts nothing about
speed, and writes its report under --dir instead of tests/bench.
Exit status: 0 when every run succeeded and every check held, 1 otherwise.
"""

import argparse
import datetime
import filecmp
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import plot_png  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


class Failure(Exception):
    pass


# ---------------------------------------------------------------- processes

def run_json(argv):
    """Run a driver or worker; its last stdout line is a JSON object."""
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise Failure("%s: exit %d\n%s" % (" ".join(argv), r.returncode,
                                           r.stderr.strip()))
    return json.loads(r.stdout.strip().splitlines()[-1])


def clean_dir(d):
    """Remove what an earlier run left in d (only the files it writes)."""
    for name in os.listdir(d):
        if (name.endswith((".safetensors", ".tmp")) or name.startswith(".write-")
                or name == "pack-manifest.json"):
            unlink(os.path.join(d, name))


def unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- variants

class Variant:
    """One measured line: argv is a bench_driver or ref_worker command that
    accepts --reps/--warmup and prints JSON. exec: a `bench_driver exec`
    command (a program timed from outside): its memory is the child's peak
    less that of `tensorproof --version` run the same way."""

    def __init__(self, key, item, label, side, argv, reps=1, warmup=1, ref=None,
                 size=None, unit=None, expect=None, exec_=False):
        self.key, self.item, self.label, self.side = key, item, label, side
        self.argv, self.reps, self.warmup = argv, reps, warmup
        self.ref, self.size, self.unit, self.expect = ref, size, unit, expect
        self.exec = exec_
        self.times, self.cpus, self.mem_kb, self.peak_kb = [], [], [], []

    def wall(self):
        return statistics.median(self.times)

    def cpu(self):
        return statistics.median(self.cpus)

    def mem(self):
        return statistics.median(self.mem_kb) if self.mem_kb else None

    def peak(self):
        return statistics.median(self.peak_kb) if self.peak_kb else None

    def throughput(self):
        if self.size is None:
            return None
        div = 1e6 if self.unit == "MB/s" else 1e9
        return self.size / self.wall() / div


class Bench:
    def __init__(self, args):
        self.a = args
        self.driver = os.path.abspath(args.driver)
        self.cli = os.path.abspath(args.cli)
        self.dir = os.path.abspath(args.dir)
        self.worker = [sys.executable, os.path.join(HERE, "ref_worker.py")]
        self.variants = []
        self.checks = []      # (description, ok)
        self.notes = []
        self.cli_base_kb = None
        self.sweep = []       # (n_tensors, header_len, {key: variant})
        self.files = {}
        self.pending = []     # generated, not yet validated: (path, tensors)

    # -- helpers
    def check(self, what, ok):
        self.checks.append((what, ok))
        if not ok:
            print("CHECK FAILED: " + what, flush=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def add(self, v):
        self.variants.append(v)
        return v

    def drv(self, *argv):
        return [self.driver] + list(argv)

    def ref(self, *argv):
        return self.worker + list(argv)

    def sample(self, v, reps, warmup):
        at = v.argv.index("--") if "--" in v.argv else len(v.argv)
        d = run_json(v.argv[:at] + ["--reps", str(reps), "--warmup", str(warmup)] +
                     v.argv[at:])
        if v.expect is not None and d.get("tensors") != v.expect:
            self.check("%s: %s tensors, expected %s" % (v.label, d.get("tensors"),
                                                        v.expect), False)
        if v.exec:
            d["rss_before_kb"] = self.exec_base_kb()
        return d

    def exec_base_kb(self):
        """Peak of `tensorproof --version` launched by bench_driver exec."""
        if self.cli_base_kb is None:
            d = run_json(self.drv("exec", "--reps", "1", "--warmup", "0", "--",
                                  self.cli, "--version"))
            self.cli_base_kb = d["hwm_kb"]
        return self.cli_base_kb

    def note_memory(self, v, d):
        v.mem_kb.append(d["hwm_kb"] - d["rss_before_kb"])
        v.peak_kb.append(d["peak_kb"])

    def measure(self, variants, rounds=None):
        """Rounds of every variant, interleaved (the order rotates from one
        round to the next). Peak memory: from the timing processes where
        they do one operation and no warm-up (or with --smoke), else from
        fresh processes doing it once."""
        rounds = rounds or self.a.rounds
        for r in range(rounds):
            k = r % len(variants)
            for v in variants[k:] + variants[:k]:
                d = self.sample(v, v.reps, v.warmup)
                v.times += d["times"]
                v.cpus += d["cpu_times"]
                if (v.reps == 1 and v.warmup == 0) or self.a.mem_runs == 0:
                    self.note_memory(v, d)
        for v in variants:
            for _ in range(0 if v.mem_kb else self.a.mem_runs):
                self.note_memory(v, self.sample(v, 1, 0))
        for v in variants:
            print("  %-46s %10.6f s  cpu %10.6f s%s" % (
                v.label, v.wall(), v.cpu(),
                "" if v.mem() is None else "  +%.1f MiB" % (v.mem() / 1024)),
                flush=True)

    # -- inputs
    def make(self, name, tensors, metadata=None, data="sparse", seed=0):
        path = self.path(name)
        hl, dl = gen.write_file(path, tensors, metadata, data=data, seed=seed)
        self.files[name] = (path, hl, dl, len(tensors))
        self.pending.append((path, len(tensors)))
        return path, hl, dl, len(tensors)

    def validate_inputs(self):
        """tensorproof accepts the files just generated (strict) and counts
        the tensors written. The reference's count is checked on every
        timed run of it (Variant.expect), as is tensorproof's."""
        paths = [p for p, _ in self.pending]
        r = subprocess.run([self.cli, "validate", "--json"] + paths,
                           capture_output=True, text=True)
        lines = r.stdout.splitlines()
        for i, (path, n) in enumerate(self.pending):
            d = json.loads(lines[i]) if i < len(lines) else {"valid": False}
            self.check("tensorproof validate %s (%d tensors)" % (os.path.basename(path), n),
                       d["valid"] and len(d["tensors"]) == n)
        self.pending = []

    # -- items
    def reps_for(self, header_len):
        """Samples per process: about 20 MB of header per process, 1..200."""
        return max(1, min(200, int(20e6 // max(header_len, 1))))

    def item1(self):
        n = self.a.n_validate
        print("[1] validate a header of %d tensors" % n, flush=True)
        meta = {"format": "pt"}
        tensors = gen.moe_tensors(n, shrink=512)
        path, hl, _, _ = self.make("validate-%d.safetensors" % n,
                                   gen.writer_order(tensors), meta, data="zeros")
        spath, shl, _, _ = self.make("validate-%d-shuffled.safetensors" % n,
                                     gen.shuffled(tensors), meta, data="zeros")
        self.validate_inputs()
        self.item1_file = (path, hl, n)
        reps = self.reps_for(hl)
        it = "1"
        vs = [
            self.add(Variant("1-ref-keys", it, "reference safe_open().keys()", "ref",
                             self.ref("keys", path), reps=reps, size=hl, unit="MB/s",
                             expect=n)),
            self.add(Variant("1-ref-deser", it, "reference deserialize(bytes)", "ref",
                             self.ref("deserialize", path), reps=reps, size=hl,
                             unit="MB/s", expect=n)),
        ]
        for mode in ("strict", "compat"):
            vs.append(self.add(Variant(
                "1-tp-open-" + mode, it, "tensorproof st_open_file (%s)" % mode, "tp",
                self.drv("open", path, "--" + mode), reps=reps, size=hl, unit="MB/s",
                expect=n, ref="1-ref-keys")))
            vs.append(self.add(Variant(
                "1-tp-parse-" + mode, it, "tensorproof st_parse in memory (%s)" % mode,
                "tp", self.drv("parse", path, "--" + mode), reps=reps, size=hl,
                unit="MB/s", expect=n, ref="1-ref-keys")))
        vs.append(self.add(Variant("1s-ref-keys", it, "reference keys(), shuffled entries",
                                   "ref", self.ref("keys", spath), reps=reps, size=shl,
                                   unit="MB/s", expect=n)))
        vs.append(self.add(Variant("1s-tp-open-strict", it,
                                   "tensorproof st_open_file, shuffled entries", "tp",
                                   self.drv("open", spath), reps=reps, size=shl,
                                   unit="MB/s", expect=n, ref="1s-ref-keys")))
        self.measure(vs)
        self.sweep.append((n, hl, {"open": vs[2], "parse": vs[3], "keys": vs[0],
                                   "deser": vs[1]}))

    def item2(self):
        print("[2] header throughput", flush=True)
        s = self.a.smoke
        kinds = [
            ("llama70b-shard", "LLaMA-70B-like shard (1 of 15)",
             gen.llama70b_tensors(layers=range(0, 6), head=False), {"format": "pt"}),
            ("llama70b-full", "LLaMA-70B-like, all tensors in one file",
             gen.llama70b_tensors(), {"format": "pt"}),
            ("moe-%d" % self.a.n_validate, "MoE-like (DeepSeek-V3 shapes), %d tensors"
             % self.a.n_validate, gen.moe_tensors(self.a.n_validate), {"format": "pt"}),
            ("unicode-long", "long Unicode names, %d tensors" % (300 if s else 20000),
             gen.unicode_tensors(300 if s else 20000), gen.UNICODE_METADATA),
        ]
        made = [(title, self.make(name + ".safetensors", gen.writer_order(tensors), meta), name)
                for name, title, tensors, meta in kinds]
        self.validate_inputs()
        for title, (path, hl, dl, n), name in made:
            reps = self.reps_for(hl)
            it = "2"
            k = "2-" + name
            label = "%s (%s header)" % (title, human_bytes(hl))
            vs = [
                self.add(Variant(k + "-ref-keys", it, "reference keys(): " + label, "ref",
                                 self.ref("keys", path), reps=reps, size=hl, unit="MB/s",
                                 expect=n)),
                self.add(Variant(k + "-tp-open", it, "tensorproof st_open_file: " + label,
                                 "tp", self.drv("open", path), reps=reps, size=hl,
                                 unit="MB/s", expect=n, ref=k + "-ref-keys")),
                self.add(Variant(k + "-tp-parse", it, "tensorproof st_parse: " + label,
                                 "tp", self.drv("parse", path), reps=reps, size=hl,
                                 unit="MB/s", expect=n, ref=k + "-ref-keys")),
            ]
            self.measure(vs)

    def sweep_plot(self):
        print("[plot] throughput against header size", flush=True)
        made = []
        for n in self.a.sweep:
            if n == self.a.n_validate:
                continue  # measured in item 1
            tensors = gen.writer_order(gen.moe_tensors(n, shrink=512))
            made.append((n, self.make("sweep-%d.safetensors" % n, tensors,
                                      {"format": "pt"}, data="zeros")))
        self.validate_inputs()
        for n, (path, hl, _, _) in made:
            reps = self.reps_for(hl)
            k = "sweep-%d" % n
            vs = {
                "open": Variant(k + "-open", "plot", "tensorproof st_open_file, %d tensors" % n,
                                "tp", self.drv("open", path), reps=reps, size=hl, unit="MB/s",
                                expect=n),
                "parse": Variant(k + "-parse", "plot", "tensorproof st_parse, %d tensors" % n,
                                 "tp", self.drv("parse", path), reps=reps, size=hl,
                                 unit="MB/s", expect=n),
                "keys": Variant(k + "-keys", "plot", "reference keys(), %d tensors" % n,
                                "ref", self.ref("keys", path), reps=reps, size=hl,
                                unit="MB/s", expect=n),
                "deser": Variant(k + "-deser", "plot", "reference deserialize, %d tensors" % n,
                                 "ref", self.ref("deserialize", path), reps=reps, size=hl,
                                 unit="MB/s", expect=n),
            }
            self.measure(list(vs.values()))
            self.sweep.append((n, hl, vs))
        self.sweep.sort(key=lambda t: t[1])

    def item3(self):
        print("[3] open -> first tensor pointer", flush=True)
        it = "3"
        vs = []
        made = [(tag, self.make("first-%s.safetensors" % tag,
                                gen.writer_order(gen.big_tensors(size)),
                                {"format": "pt"}, data="random", seed=3))
                for tag, size in (("big", self.a.big), ("small", self.a.small))]
        self.validate_inputs()
        for tag, (path, hl, dl, n) in made:
            sz = human_bytes(8 + hl + dl)
            vs += [
                self.add(Variant("3-ref-" + tag, it, "reference safe_open+get_slice, %s file" % sz,
                                 "ref", self.ref("first", path), reps=20, expect=n)),
                self.add(Variant("3-tp-" + tag, it, "tensorproof open+st_tensor_data, %s file" % sz,
                                 "tp", self.drv("first", path), reps=20, expect=n,
                                 ref="3-ref-" + tag)),
                self.add(Variant("3-tpr-" + tag, it, "tensorproof, read not mapped, %s file" % sz,
                                 "tp", self.drv("first", path, "--no-mmap"),
                                 reps=20 if tag == "small" else 1, expect=n,
                                 ref="3-ref-" + tag)),
            ]
        self.measure(vs)
        for side, what in (("ref", "reference safe_open + get_slice"),
                           ("tp", "tensorproof st_open_file + st_tensor_data (mapped)"),
                           ("tpr", "tensorproof st_open_file, read not mapped")):
            big = next(v for v in vs if v.key == "3-%s-big" % side)
            small = next(v for v in vs if v.key == "3-%s-small" % side)
            self.notes.append("item 3: %s: the %s file takes %.2fx the time of the %s file "
                              "(%.2fx in CPU time)"
                              % (what, human_bytes(self.a.big), big.wall() / small.wall(),
                                 human_bytes(self.a.small), big.cpu() / small.cpu()))

    def item4(self):
        print("[4] load every tensor into host memory", flush=True)
        path, hl, dl, n = self.files["first-big.safetensors"][:4]
        it = "4"
        r = subprocess.run([self.cli, "load", "--device", "host", "--verify", path],
                           capture_output=True, text=True)
        self.check("tensorproof load --device host --verify (%s)" % os.path.basename(path),
                   r.returncode == 0)
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)  # page cache
        size = dl
        vs = [
            self.add(Variant("4-ref-mmap", it, "reference numpy.load_file (mmap)", "ref",
                             self.ref("load", path), warmup=0, size=size, unit="GB/s",
                             expect=n)),
            self.add(Variant("4-ref-pread", it, "reference numpy.load_file (pread)", "ref",
                             self.ref("load", path, "--backend", "pread"), warmup=0,
                             size=size, unit="GB/s", expect=n)),
            self.add(Variant("4-tp-memcpy", it, "tensorproof st_open_file + memcpy each", "tp",
                             self.drv("load", path), warmup=0, size=size, unit="GB/s",
                             expect=n, ref="4-ref-mmap")),
            self.add(Variant("4-tp-read", it, "tensorproof st_open_file, read (no mmap)", "tp",
                             self.drv("load", path, "--no-mmap"), warmup=0, size=size,
                             unit="GB/s", expect=n, ref="4-ref-mmap")),
            self.add(Variant("4-tp-cli", it, "tensorproof load --device host (process)", "tp",
                             self.drv("exec", "--", self.cli, "load", "--device", "host",
                                      path),
                             warmup=0, size=size, unit="GB/s", ref="4-ref-mmap",
                             exec_=True)),
        ]
        self.measure(vs)

    def item5(self):
        print("[5] write", flush=True)
        path, hl, dl, n = self.files["first-big.safetensors"][:4]
        it = "5"
        with open(path, "rb") as f:
            hlen = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(hlen))
        base = 8 + hlen
        manifest = {"tensors": [
            {"name": k, "dtype": e["dtype"], "shape": e["shape"],
             "file": os.path.basename(path), "offset": base + e["data_offsets"][0]}
            for k, e in header.items() if k != "__metadata__"],
            "metadata": header.get("__metadata__", {})}
        mpath = self.path("pack-manifest.json")
        with open(mpath, "w") as f:
            json.dump(manifest, f)
        out = {k: self.path("write-%s.safetensors" % k)
               for k in ("tp", "pack", "ref", "reffs", "cp", "cpfs")}
        size = 8 + hl + dl
        vs = [
            self.add(Variant("5-ref", it, "reference numpy.save_file (no fsync)", "ref",
                             self.ref("save", path, out["ref"]), warmup=0, size=size,
                             unit="GB/s", expect=n)),
            self.add(Variant("5-ref-fsync", it, "reference save_file + fsync", "ref",
                             self.ref("save", path, out["reffs"], "--fsync"), warmup=0,
                             size=size, unit="GB/s", expect=n)),
            self.add(Variant("5-tp-write", it, "tensorproof st_write_file (fsync)", "tp",
                             self.drv("write", path, out["tp"]), warmup=0, size=size,
                             unit="GB/s", expect=n, ref="5-ref-fsync")),
            self.add(Variant("5-tp-pack", it, "tensorproof pack (process, fsync)", "tp",
                             self.drv("exec", "--remove", out["pack"], "--sync", "--",
                                      self.cli, "pack", mpath, out["pack"]),
                             warmup=0, size=size, unit="GB/s", ref="5-ref-fsync",
                             exec_=True)),
            self.add(Variant("5-cp", it, "cp (no fsync)", "base",
                             self.drv("exec", "--remove", out["cp"], "--sync", "--",
                                      "cp", path, out["cp"]),
                             warmup=0, size=size, unit="GB/s", ref="5-ref", exec_=True)),
            self.add(Variant("5-cp-fsync", it, "cp + fsync (coreutils sync FILE DIR)", "base",
                             self.drv("exec", "--remove", out["cpfs"], "--sync", "--",
                                      "sh", "-c", 'cp "$0" "$1" && sync "$1" "${1%/*}"',
                                      path, out["cpfs"]),
                             warmup=0, size=size, unit="GB/s", ref="5-ref-fsync",
                             exec_=True)),
        ]
        self.measure(vs)
        for k in ("tp", "pack", "ref", "reffs"):
            self.check("write output %s equals the reference writer's byte for byte" % k,
                       filecmp.cmp(out[k], out["ref"], shallow=False) and
                       filecmp.cmp(out[k], path, shallow=False))
        for p in out.values():
            unlink(p)

    # -- profile
    def profile(self):
        if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
            self.notes.append("profile: valgrind not installed, not profiled")
            return None
        prof = []
        targets = [("writer order", self.path("validate-%d.safetensors" % self.a.n_validate)),
                   ("shuffled", self.path("validate-%d-shuffled.safetensors" % self.a.n_validate))]
        for what, path in targets:
            print("[profile] callgrind, st_open_file (strict), %s" % what, flush=True)
            cg = self.path("callgrind-%s.out" % what.split()[0])
            subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg,
                            self.driver, "open", path, "--reps", "1", "--warmup", "0"],
                           capture_output=True, check=True)
            self_cost = subprocess.run(["callgrind_annotate", cg], capture_output=True,
                                       text=True).stdout
            incl = subprocess.run(["callgrind_annotate", "--inclusive=yes", cg],
                                  capture_output=True, text=True).stdout
            prof.append((what, path, parse_callgrind(self_cost), parse_callgrind(incl)))
        return prof


def parse_callgrind(text):
    """(total Ir, [(Ir, percent, function)]) from callgrind_annotate."""
    total = 0
    rows = []
    seen = set()
    for line in text.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        what = m.group(3)
        if "PROGRAM TOTALS" in what:
            total = ir
            continue
        fn = re.sub(r"\s*\[.*\]$", "", what)
        fn = fn.split(":", 1)[1] if ":" in fn else fn
        if fn in seen:
            continue
        seen.add(fn)
        rows.append((ir, float(m.group(2)), fn))
    return total, rows


def human_bytes(n):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div:
            q = n / div
            return ("%.0f %s" if q >= 100 or q == int(q) else "%.1f %s") % (q, unit)
    return "%d B" % n


# ---------------------------------------------------------------- report

def machine_info(cli):
    info = {}
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info["nproc"] = os.cpu_count()
    try:
        info["nproc_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:
        info["nproc_usable"] = os.cpu_count()
    cpu = "unknown"
    mem = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / (1 << 20))
    except OSError:
        pass
    info["cpu"], info["mem"] = cpu, mem
    info["kernel"] = platform.system() + " " + platform.release()
    info["python"] = platform.python_version()
    import numpy
    import safetensors
    info["numpy"] = numpy.__version__
    info["safetensors"] = safetensors.__version__
    r = subprocess.run([cli, "--version"], capture_output=True, text=True)
    info["tensorproof"] = (r.stdout or r.stderr).strip().splitlines()[0] if r.returncode == 0 else "?"
    cc = os.environ.get("BENCH_CC", "cc")
    r = subprocess.run([cc, "--version"], capture_output=True, text=True)
    info["cc"] = r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else cc
    info["cflags"] = os.environ.get("BENCH_CFLAGS", "?")
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                       capture_output=True, text=True)
    commit = r.stdout.strip() if r.returncode == 0 else "unknown"
    r = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                       capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        commit += " + uncommitted changes"
    info["commit"] = commit
    return info


def fmt_time(s):
    if s >= 1:
        return "%.3f s" % s
    if s >= 1e-3:
        return "%.2f ms" % (s * 1e3)
    return "%.1f us" % (s * 1e6)


def fmt_ratio(x):
    return ("%.2fx" if x >= 0.01 else "%.1ex") % x


def fmt_mem(kb):
    if kb is None:
        return "-"
    return "%.1f MiB" % (kb / 1024)


ITEM_TITLES = {
    "1": "1. Validate a header of {n} tensors ({h}), entries in writer order unless marked",
    "2": "2. Header throughput, realistic headers",
    "3": "3. Open to first tensor pointer",
    "4": "4. Load every tensor of a {big} file into host memory (warm page cache)",
    "5": "5. Write a {big} file (tensors already in memory, or file to file for pack and cp)",
}


def rows_for(bench, item):
    by_key = {v.key: v for v in bench.variants}
    rows = []
    for v in bench.variants:
        if v.item != item:
            continue
        ratio = cratio = mratio = ""
        vs = ""
        if v.ref:
            r = by_key[v.ref]
            ratio = fmt_ratio(r.wall() / v.wall())
            cratio = fmt_ratio(r.cpu() / v.cpu())
            if v.mem() is not None and r.mem() is not None and r.mem() >= 1024:
                mratio = "%.2f" % (v.mem() / r.mem())
            vs = r.label.split(":")[0].replace("reference ", "")
        elif v.side == "ref":
            ratio = cratio = "ref"
        tp = v.throughput()
        rows.append([v.label, fmt_time(v.wall()), fmt_time(v.cpu()),
                     "" if tp is None else "%.1f %s" % (tp, v.unit),
                     fmt_mem(v.mem()), fmt_mem(v.peak()), ratio, cratio, mratio, vs])
    return rows


HEADS = ["operation", "median wall", "median CPU", "throughput", "op memory",
         "process peak", "speed vs ref", "CPU vs ref", "mem / ref", "ref"]


def print_table(bench):
    for item in ("1", "2", "3", "4", "5"):
        rows = rows_for(bench, item)
        if not rows:
            continue
        print()
        print(title_for(bench, item))
        widths = [max(len(HEADS[i]), *(len(r[i]) for r in rows)) for i in range(len(HEADS))]
        print("  ".join(h.ljust(widths[i]) for i, h in enumerate(HEADS)))
        for r in rows:
            print("  ".join(c.ljust(widths[i]) if i == 0 or i == 9 else c.rjust(widths[i])
                            for i, c in enumerate(r)))


def title_for(bench, item):
    n, h = bench.a.n_validate, "?"
    if getattr(bench, "item1_file", None):
        h = human_bytes(bench.item1_file[1]) + " of JSON"
    return ITEM_TITLES[item].format(n=n, h=h, big=human_bytes(bench.a.big))


def goals(bench):
    """Each goal of the benchmark: (text, met)."""
    by = {v.key: v for v in bench.variants}
    out = []
    if "1-tp-open-strict" in by:
        _, hl, n = bench.item1_file
        for mode in ("strict", "compat"):
            tp = by["1-tp-open-" + mode]
            for rk in ("1-ref-keys", "1-ref-deser"):
                r = by[rk]
                sw, sc = r.wall() / tp.wall(), r.cpu() / tp.cpu()
                out.append(("validation (%s) >= 5x faster than %s: %.2fx wall, %.2fx CPU"
                            % (mode, r.label.replace("reference ", ""), sw, sc), min(sw, sc) >= 5))
        tp = by["1s-tp-open-strict"]
        r = by["1s-ref-keys"]
        sw, sc = r.wall() / tp.wall(), r.cpu() / tp.cpu()
        out.append(("validation, shuffled entries, >= 5x faster than keys(): %.2fx wall, "
                    "%.2fx CPU" % (sw, sc), min(sw, sc) >= 5))
        limit = hl + 64 * n
        for mode in ("strict", "compat"):
            m = by["1-tp-open-" + mode].mem() * 1024
            out.append(("memory (%s) <= header + 64 B/tensor: %s used, limit %s "
                        "(%.1f B/tensor beyond the header)"
                        % (mode, human_bytes(m), human_bytes(limit), (m - hl) / n), m <= limit))
        st = by["1-tp-parse-strict"].mem() * 1024
        out.append(("(information) parser storage alone, st_parse with the header "
                    "already in memory: %s, %.1f B/tensor" % (human_bytes(st), st / n), None))
    if "4-tp-memcpy" in by:
        r = by["4-ref-mmap"]
        for k in ("4-tp-memcpy", "4-tp-read", "4-tp-cli"):
            tp = by[k]
            out.append(("host load at least as fast as load_file: %s %.2fx" %
                        (tp.label.replace("tensorproof ", ""), r.wall() / tp.wall()),
                        tp.wall() <= r.wall()))
    if "5-tp-write" in by:
        for k in ("5-tp-write", "5-tp-pack"):
            tp = by[k]
            for rk in ("5-ref-fsync", "5-ref"):
                r = by[rk]
                out.append(("write at least as fast as %s: %s %.2fx%s"
                            % (r.label.replace("reference numpy.", "").replace("reference ", ""),
                               tp.label.replace("tensorproof ", ""), r.wall() / tp.wall(),
                               "" if rk == "5-ref-fsync" else
                               " (not like for like: the reference leaves its data in "
                               "the page cache)"),
                            tp.wall() <= r.wall()))
    return out


def md_table(rows):
    out = ["| " + " | ".join(HEADS) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(HEADS) - 2) + ["---"]) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(out)


def write_results(bench, info, load_start, load_end, plot_rel, prof, path):
    a = bench.a
    L = []
    L.append("# Benchmarks: tensorproof and the reference safetensors %s" % info["safetensors"])
    L.append("")
    L.append("Generated by `%s` on %s. Do not edit by hand: run it again."
             % ("make bench-smoke" if a.smoke else "make bench", info["date"]))
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("- CPU: %s; %d logical CPUs (%d usable by this process)"
             % (info["cpu"], info["nproc"], info["nproc_usable"]))
    L.append("- Memory: %s; %s" % (info["mem"], info["kernel"]))
    L.append("- Load average at start: %.2f %.2f %.2f (1, 5, 15 min); at the end: "
             "%.2f %.2f %.2f" % (load_start + load_end))
    if load_start[0] > info["nproc"] * 0.5:
        L.append("- **The machine was shared and busy** (load above half the CPU count): "
                 "wall-clock times carry other processes' load. The CPU-time columns are "
                 "less sensitive to it; the variants of each item ran interleaved, so the "
                 "ratios compare like with like.")
    L.append("- Versions: %s (commit %s), built with %s, CFLAGS `%s`; "
             "Python %s, numpy %s, safetensors %s"
             % (info["tensorproof"], info["commit"], info["cc"], info["cflags"],
                info["python"], info["numpy"], info["safetensors"]))
    L.append("- Rounds: %d per item (variants interleaved), median of all samples; peak "
             "memory from fresh processes (median of %d)." % (a.rounds, a.mem_runs))
    L.append("")
    L.append("## Goals")
    L.append("")
    for text, met in goals(bench):
        tag = "" if met is None else ("**met**: " if met else "**MISSED**: ")
        L.append("- %s%s" % (tag, text))
    L.append("")
    L.append("## Results")
    L.append("")
    L.append("*speed vs ref* is the reference's median wall time divided by this line's "
             "(above 1: faster than the reference); *CPU vs ref* the same with CPU time; "
             "*mem / ref* this line's op memory over the reference's (below 1: less). "
             "*op memory* is the rise of the resident set during one operation (peak "
             "minus the resident set before it, mapped file pages included), *process "
             "peak* the peak resident set of the whole process (VmHWM; for the lines run "
             "as a command, the child's ru_maxrss): the Python interpreter with numpy and "
             "safetensors imported is about 30 MiB of the reference's.")
    for item in ("1", "2", "3", "4", "5"):
        rows = rows_for(bench, item)
        if rows:
            L.append("")
            L.append("### " + title_for(bench, item))
            L.append("")
            L.append(md_table(rows))
    L.append("")
    L.append("### Throughput against header size")
    L.append("")
    L.append("MoE-like headers (DeepSeek-V3 names, tiny shapes so that `deserialize` can "
             "take the whole file), the first N tensors, writer order.")
    L.append("")
    L.append("| tensors | header | st_open_file | st_parse | keys() | deserialize |")
    L.append("|---:|---:|---:|---:|---:|---:|")
    for n, hl, vs in bench.sweep:
        L.append("| %d | %s | %s |" % (n, human_bytes(hl), " | ".join(
            "%.1f MB/s" % vs[k].throughput() for k in ("open", "parse", "keys", "deser"))))
    if plot_rel:
        L.append("")
        L.append("![header throughput against header size](%s)" % plot_rel)
    if bench.notes:
        L.append("")
        L.append("## Notes")
        L.append("")
        for n in bench.notes:
            L.append("- " + n)
    L.append("")
    L.append("## Method")
    L.append("")
    L.append(METHOD)
    if prof:
        L.append("")
        L.append("## Profile: where validation spends its time")
        L.append("")
        L.append("`valgrind --tool=callgrind` on `bench_driver open FILE` (one st_open_file, "
                 "strict). Instruction counts do not depend on the machine's load. "
                 "Self cost per function; inclusive cost for the main phases.")
        for what, fpath, (total, rows), (_, incl) in prof:
            hl = bench.files[os.path.basename(fpath)][1]
            L.append("")
            L.append("#### %s, entries in %s: %s instructions, %.1f per header byte"
                     % (os.path.basename(fpath), what, format(total, ","), total / hl))
            L.append("")
            L.append("| self instructions | share | function |")
            L.append("|---:|---:|---|")
            for ir, pct, fn in rows[:14]:
                L.append("| %s | %.1f%% | `%s` |" % (format(ir, ","), pct, fn))
            L.append("")
            phases = [r for r in incl if r[2].split("/")[-1] in PHASES]
            L.append("Inclusive: " + "; ".join("`%s` %.1f%%" % (fn, pct)
                                               for _, pct, fn in phases) + ".")
        L.append("")
        L.append("What the profile means, and what could be done: see "
                 "[ANALYSIS.md](ANALYSIS.md).")
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


PHASES = {"st_parse", "st_parse_header", "st_utf8_valid", "st_mergesort", "st_heapsort",
          "st_json_string", "st_bytes_cmp"}

METHOD = """\
- Inputs are generated by `tests/bench/gen.py`, deterministically, under the build
  folder; nothing is downloaded. Header-only files have a sparse data section (a hole:
  real header, real offsets, no disk space); both implementations map the file and never
  touch the data. The item-1 and plot files have tiny tensors and zero-filled data, so
  that `deserialize` (which needs the whole file as bytes) can run. Files are laid out as
  the reference writer lays them out (dtype, then name); item 1 also has a file whose
  entries are shuffled (headers written by other tools).
- tensorproof is timed in-process by `tests/bench/bench_driver.c`, linked against
  `libtensorproof.a`: `st_open_file` (open, mmap, measuring parse, exact allocation,
  parse, validation, close) and `st_parse` alone on a header already in memory. The
  reference is timed in-process by `tests/bench/ref_worker.py`, excluding interpreter
  start and imports: `safe_open(f).keys()` (open, mmap, parse, validation, list of
  names) and `deserialize(bytes)` (the bytes are read before the clock starts; they are
  counted in its memory, since the API needs them).
- Open to first tensor: tensorproof until `st_tensor_data` returns the first tensor's
  pointer (mapped: no byte of data read); the reference until `get_slice` returns a lazy
  handle on the first tensor in offset order. The read-not-mapped line reads the whole
  file (`ST_OPEN_NO_MMAP`), which is O(file).
- Host load: the file is in the page cache (read once before the rounds). tensorproof:
  `st_open_file` + one malloc + memcpy of every tensor; `st_open_file` with
  `ST_OPEN_NO_MMAP` (the file read whole into the heap: the tensors are then in host
  memory); and the `tensorproof load --device host` command (whole process, exec
  included). Reference: `safetensors.numpy.load_file` with its mmap and pread backends.
- Write: tensorproof's `st_write_file` and `tensorproof pack` always make the file
  durable: temporary file, fsync, rename, fsync of the directory. The reference's
  `save_file` does not fsync, so it returns while the data is still in the page cache and
  the kernel writes it back later; the like-for-like comparison is `save_file + fsync`
  (file and directory), and the ratio column uses it. `cp` is the floor for a file to
  file copy. Before every sample the previous output is removed and `sync` is run,
  untimed, so that no sample pays for another's write-back. `pack` reads its tensors
  from a file (the page cache), the others from memory.
- Every output of the write item is compared byte for byte with the reference's, and
  every input is validated by both implementations before it is timed (tensor counts
  must agree).
- `make bench` never fails on a timing: goals are reported, not asserted.
"""


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--results")
    ap.add_argument("--plot")
    ap.add_argument("--profile", choices=["auto", "yes", "no"], default="auto")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    a = ap.parse_args()
    if a.smoke:
        a.n_validate, a.sweep = 2000, [16, 2000]
        a.big, a.small = 8 << 20, 64 << 10
        a.rounds = a.rounds or 1
        a.mem_runs = 0
        if a.profile == "auto":
            a.profile = "no"
    else:
        a.n_validate, a.sweep = 100000, [16, 128, 1024, 8192, 32768, 100000]
        a.big, a.small = 1 << 30, 1 << 20
        a.rounds = a.rounds or 5
        a.mem_runs = 3
    a.dir = os.path.abspath(a.dir)
    results = a.results or (os.path.join(a.dir, "RESULTS.md") if a.smoke
                            else os.path.join(HERE, "RESULTS.md"))
    plot = a.plot or os.path.join(os.path.dirname(results), "throughput.png")
    os.makedirs(a.dir, exist_ok=True)
    clean_dir(a.dir)

    b = Bench(a)
    load_start = os.getloadavg()
    info = machine_info(b.cli)
    print("bench: %s, %d CPUs, %s, load average %.2f %.2f %.2f"
          % (info["cpu"], info["nproc"], info["mem"], *load_start), flush=True)
    t0 = time.time()
    try:
        b.item1()
        b.item2()
        b.sweep_plot()
        b.item3()
        b.item4()
        b.item5()
    except Failure as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    load_end = os.getloadavg()
    print_table(b)
    print()
    for text, met in goals(b):
        print(("" if met is None else ("goal met:    " if met else "goal MISSED: ")) + text)

    prof = None
    missed = any(met is False and text.startswith("validation") for text, met in goals(b))
    if a.profile == "yes" or (a.profile == "auto" and missed):
        prof = b.profile()
        for what, _, (total, rows), _ in prof or []:
            print("profile (%s): %s instructions; top: %s" % (
                what, format(total, ","),
                ", ".join("%s %.1f%%" % (fn, pct) for _, pct, fn in rows[:5])))

    series = [
        ("tensorproof st_open_file", (200, 40, 40), [(hl, vs["open"].throughput())
                                                     for _, hl, vs in b.sweep]),
        ("tensorproof st_parse", (240, 150, 40), [(hl, vs["parse"].throughput())
                                                  for _, hl, vs in b.sweep]),
        ("reference keys()", (40, 60, 200), [(hl, vs["keys"].throughput())
                                             for _, hl, vs in b.sweep]),
        ("reference deserialize", (40, 160, 160), [(hl, vs["deser"].throughput())
                                                   for _, hl, vs in b.sweep]),
    ]
    plot_png.line_chart(plot, series, "Header validation throughput, MoE-like headers (wall clock)",
                        "header size (bytes)", "MB/s (median)")
    rel = os.path.relpath(plot, os.path.dirname(results))
    write_results(b, info, load_start, load_end, rel, prof, results)
    print("\nbench: wrote %s and %s (%.0f s)" % (results, plot, time.time() - t0))

    failed = [w for w, ok in b.checks if not ok]
    print("bench: %d checks, %d failed" % (len(b.checks), len(failed)))
    for w in failed:
        print("  FAILED: " + w)
    if not a.keep:
        clean_dir(a.dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
