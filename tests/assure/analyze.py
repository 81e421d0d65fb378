#!/usr/bin/env python3
"""Static analysis gate: clang-tidy and gcc -fanalyzer over the core, the
POSIX layer, the CLI and the device engine.

Every warning must be covered by a line of tests/assure/analyze.supp that
names an entry of spec/analysis-notes.md (A-n); lines usually fix the number
of warnings they cover (`n=`). Fails on an uncovered warning, a stale line, a
changed count, or an entry missing from the notes.

Usage: analyze.py --cflags "<warning flags>" [--layer core|posix|cli|device ...]
                  [--tool clang-tidy|gcc-analyzer ...] [--jobs N] [--json OUT]
"""
import argparse
import concurrent.futures
import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

from assure_common import LOGS, ROOT, load_log_ids, suppression_comment

SUPP = "tests/assure/analyze.supp"
TIDY_CONFIG = "tests/assure/clang-tidy.yaml"

LAYERS = {
    "core": {"sources": "src/core/*.c", "extra": ["-ffreestanding", "-fno-builtin"]},
    "posix": {"sources": "src/posix/*.c", "extra": []},
    "cli": {"sources": "src/cli/*.c", "extra": []},
    "device": {"sources": "src/device/*.c", "extra": []},
}
INCLUDES = ["-Isrc/core", "-Isrc/posix", "-Isrc/device"]

TIDY_LINE = re.compile(r"^(?P<file>/?[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>warning|error): "
                       r"(?P<msg>.*?) \[(?P<checks>[\w.,\-]+)\]$")
GCC_LINE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>warning|error): "
                      r"(?P<msg>.*?)(?: \[CWE-\d+\])? \[-W(?P<check>[\w\-=]+)\]$")


def rel(path):
    return os.path.relpath(os.path.join(ROOT, path), ROOT)


def run_tidy(src, flags):
    cmd = ["clang-tidy", "--quiet", "--config-file=" + os.path.join(ROOT, TIDY_CONFIG),
           src, "--"] + flags
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    out = []
    for line in proc.stdout.splitlines():
        m = TIDY_LINE.match(line)
        if m:
            out.append({"tool": "clang-tidy", "check": m.group("checks").split(",")[0],
                        "file": rel(m.group("file")), "line": int(m.group("line")),
                        "col": int(m.group("col")), "msg": m.group("msg")})
    errors = [l for l in proc.stderr.splitlines() if " error: " in l or l.startswith("Error")]
    return out, errors


def run_gcc(src, flags):
    cmd = ["gcc"] + flags + ["-fanalyzer", "-fdiagnostics-plain-output", "-c", "-o", os.devnull, src]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    out = []
    for line in proc.stderr.splitlines():
        m = GCC_LINE.match(line)
        if m:
            out.append({"tool": "gcc-analyzer", "check": m.group("check"),
                        "file": rel(m.group("file")), "line": int(m.group("line")),
                        "col": int(m.group("col")), "msg": m.group("msg")})
    errors = [] if proc.returncode == 0 else [l for l in proc.stderr.splitlines() if ": error: " in l] \
        or ["gcc exited with status %d on %s" % (proc.returncode, src)]
    return out, errors


def load_supp():
    entries = []
    with open(os.path.join(ROOT, SUPP), encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            spec, _, comment = line.partition("#")
            parts = spec.strip().split(":")
            if len(parts) != 3:
                entries.append({"lineno": no, "bad": True, "text": line})
                continue
            entry, count = suppression_comment(comment)
            entries.append({"lineno": no, "bad": False, "tool": parts[0], "check": parts[1],
                            "file": parts[2], "entry": entry, "n": count, "hits": 0,
                            "text": line})
    return entries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cflags", required=True, help="the project's warning and language flags")
    ap.add_argument("--layer", action="append", choices=sorted(LAYERS))
    ap.add_argument("--tool", action="append", choices=["clang-tidy", "gcc-analyzer"])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json")
    args = ap.parse_args()
    layers = args.layer or ["core", "posix", "cli", "device"]
    tools = args.tool or ["clang-tidy", "gcc-analyzer"]
    for prog in sorted({"clang-tidy": "clang-tidy", "gcc-analyzer": "gcc"}[t] for t in tools):
        if shutil.which(prog) is None:
            print("analyze: %s not found (Debian package %s; make deps)" % (prog, prog))
            return 2
    # Diagnostics are collected, not fatal: -Werror would stop at the first.
    base = [f for f in shlex.split(args.cflags) if f != "-Werror"] + INCLUDES

    log_ids = load_log_ids()
    sups = load_supp()
    problems = []
    for s in sups:
        if s["bad"]:
            problems.append("%s:%d: expected tool:check:file  # A-n [n=count]: %s"
                            % (SUPP, s["lineno"], s["text"]))
        elif s["entry"] is None or s["entry"] not in log_ids:
            problems.append("%s:%d: entry %s is not in %s" % (SUPP, s["lineno"], s["entry"],
                                                              LOGS["analysis"]))
    sups = [s for s in sups if not s["bad"]]

    jobs = []
    for layer in layers:
        spec = LAYERS[layer]
        for src in sorted(glob.glob(os.path.join(ROOT, spec["sources"]))):
            src = os.path.relpath(src, ROOT)
            for tool in tools:
                jobs.append((layer, tool, src, base + spec["extra"]))

    results = {}
    times = {}
    t_all = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {}
        for layer, tool, src, flags in jobs:
            fn = run_tidy if tool == "clang-tidy" else run_gcc
            futs[pool.submit(lambda fn=fn, src=src, flags=flags: (time.monotonic(), fn(src, flags),
                                                                   time.monotonic()))] = (layer, tool, src)
        for fut in concurrent.futures.as_completed(futs):
            layer, tool, src = futs[fut]
            t0, (found, errors), t1 = fut.result()
            results.setdefault((layer, tool), []).extend(found)
            times[(layer, tool)] = times.get((layer, tool), 0.0) + (t1 - t0)
            problems += ["%s (%s): %s" % (tool, src, e) for e in errors]
    wall = time.monotonic() - t_all

    summary = {"layers": {}, "tools": tools, "seconds": round(wall, 1)}
    for layer in layers:
        summary["layers"][layer] = {}
        for tool in tools:
            found = results.get((layer, tool), [])
            # A header's warning is reported once per unit that includes it.
            uniq = {(f["check"], f["file"], f["line"], f["col"]): f for f in found}
            found = sorted(uniq.values(), key=lambda f: (f["file"], f["line"], f["col"]))
            per_check = {}
            uncovered = 0
            for f in found:
                hit = [s for s in sups if s["tool"] == tool and s["check"] == f["check"]
                       and fnmatch.fnmatch(f["file"], s["file"])]
                for s in hit:
                    s["hits"] += 1
                row = per_check.setdefault(f["check"], {"findings": 0, "entries": set(), "uncovered": 0})
                row["findings"] += 1
                row["entries"].update(s["entry"] for s in hit)
                if not hit:
                    row["uncovered"] += 1
                    uncovered += 1
                    problems.append("%s:%d:%d: %s: %s [%s] (no entry in %s)" % (
                        f["file"], f["line"], f["col"], tool, f["msg"], f["check"], SUPP))
            print("== %s over %s: %d warning(s), %d not covered (%.0f s of tool time)"
                  % (tool, LAYERS[layer]["sources"], len(found), uncovered,
                     times.get((layer, tool), 0.0)))
            for check, row in sorted(per_check.items()):
                note = ", ".join(sorted(row["entries"]))
                if row["uncovered"]:
                    note += (", " if note else "") + "%d NOT COVERED" % row["uncovered"]
                print("   %-58s %3d  %s" % (check, row["findings"], note))
            summary["layers"][layer][tool] = {
                "warnings": len(found), "uncovered": uncovered,
                "per_check": {k: {"findings": v["findings"], "entries": sorted(v["entries"])}
                              for k, v in per_check.items()}}

    prefixes = tuple("src/%s/" % l for l in layers)
    for s in sups:
        if s["tool"] not in tools or not any(
                s["file"].startswith(p) or fnmatch.fnmatch(p + "x.c", s["file"]) for p in prefixes):
            continue
        if s["hits"] == 0:
            problems.append("%s:%d: stale, covers no warning: %s" % (SUPP, s["lineno"], s["text"]))
        elif s["n"] is not None and s["n"] != s["hits"]:
            problems.append("%s:%d: covers %d warnings, n=%d expected (review, then update n=): %s"
                            % (SUPP, s["lineno"], s["hits"], s["n"], s["text"]))

    summary["documented"] = sum(s["hits"] for s in sups)
    summary["problems"] = problems
    summary["passed"] = not problems
    if args.json:
        path = os.path.join(ROOT, args.json)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    print("== %.0f s wall; %d warning(s) documented in %s" % (wall, summary["documented"],
                                                            LOGS["analysis"]))
    if problems:
        print("analyze: FAILED, %d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("analyze: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
