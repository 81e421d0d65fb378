#!/usr/bin/env python3
"""Measured branch coverage of the core (make coverage).

Runs the coverage-instrumented test programs built by tests/assure/rules.mk
(the core is instrumented, the other layers are not), then the instrumented
CLI over corpus/cases, and reports with gcovr: a branch table per file, the
totals, and every branch of the core that no run took (file:line, which
outcome, the source line). Fails when the core's branch coverage is below
--min-branch.

Test verdicts are not judged here (that is `make test`, `make writer-test`,
`make device-test`): a program whose tests fail still counts what it ran,
and its Synthesis line is printed.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from assure_common import ROOT

CORE = "src/core/"


def run(cmd, cwd=None, timeout=600, env=None):
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              env=env)
        rc, out = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = -1, "timeout after %d s: %s" % (timeout, " ".join(cmd[:3]))
        del e
    return rc, out, time.monotonic() - t0


def synthesis(text):
    for line in text.splitlines():
        if "Synthesis:" in line:
            return line.strip()
    return None


def criterion(prog, label, tmp):
    env = dict(os.environ, TMPDIR=tmp)
    rc, out, secs = run([prog, "--jobs", "2"], cwd=tmp, env=env)
    syn = synthesis(out) or "(no Synthesis line; exit status %d)" % rc
    print("   %-10s %5.1f s  %s" % (label, secs, syn))
    return {"program": label, "status": rc, "synthesis": syn, "seconds": round(secs, 1)}


def corpus_files():
    files = sorted(glob.glob(os.path.join(ROOT, "corpus", "cases", "**", "*.safetensors"),
                             recursive=True))
    return files


def writer_manifests(tmp):
    """Turn the corpus's writer inputs into `tensorproof pack` manifests."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "corpus", "cases", "writer", "*.input.json"))):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        base = os.path.basename(path)[:-len(".input.json")]
        d = os.path.join(tmp, "pack", base)
        os.makedirs(d, exist_ok=True)
        tensors = []
        for i, t in enumerate(spec.get("tensors") or []):
            data = bytes.fromhex(t.get("data", "")) if isinstance(t.get("data"), str) else b""
            with open(os.path.join(d, "t%d.bin" % i), "wb") as g:
                g.write(data)
            entry = {k: v for k, v in t.items() if k != "data"}
            entry["file"] = "t%d.bin" % i
            tensors.append(entry)
        man = {"tensors": tensors}
        if spec.get("metadata") is not None:
            man["metadata"] = spec["metadata"]
        mpath = os.path.join(d, "manifest.json")
        with open(mpath, "w", encoding="utf-8") as g:
            json.dump(man, g, ensure_ascii=False)
        out.append(mpath)
    return out


def corpus_runs(cli, tmp):
    """The CLI over the corpus: every command that reaches the core."""
    files = corpus_files()
    runs = {"validate": 0, "inspect": 0, "normalize": 0, "pack": 0, "load": 0}
    t0 = time.monotonic()
    for mode in ("--strict", "--compat"):
        for i in range(0, len(files), 200):
            run([cli, "validate", mode, "--json", "--"] + files[i:i + 200])
            runs["validate"] += len(files[i:i + 200])
        run([cli, "validate", mode, "--"] + files[:200])
    accepted = []
    for f in files:
        rc, _, _ = run([cli, "inspect", "--compat", f], timeout=60)
        runs["inspect"] += 1
        if rc == 0:
            accepted.append(f)
            run([cli, "inspect", "--strict", f], timeout=60)
            runs["inspect"] += 1
    norm = os.path.join(tmp, "normalized.safetensors")
    for f in accepted:
        run([cli, "normalize", "--compat", f, norm], timeout=60)
        runs["normalize"] += 1
    for m in writer_manifests(tmp):
        run([cli, "pack", m, os.path.join(tmp, "packed.safetensors")], timeout=60)
        runs["pack"] += 1
    for i in range(0, len(accepted), 100):
        run([cli, "load", "--device", "host", "--verify", "--compat", "--"] + accepted[i:i + 100],
            timeout=300)
        runs["load"] += len(accepted[i:i + 100])
    secs = time.monotonic() - t0
    print("   %-10s %5.1f s  %d corpus files (%d accepted in compat mode): %s"
          % ("cli", secs, len(files), len(accepted),
             ", ".join("%s %d" % kv for kv in runs.items())))
    return {"program": "cli", "files": len(files), "accepted": len(accepted), "runs": runs,
            "seconds": round(secs, 1)}


def gcovr(objdir, outdir):
    detail = os.path.join(outdir, "gcovr.json")
    summary = os.path.join(outdir, "gcovr-summary.json")
    table = os.path.join(outdir, "branches.txt")
    cmd = ["gcovr", "-r", ROOT, "--filter", os.path.join(ROOT, CORE),
           "--exclude-unreachable-branches", "-b", "--txt", table,
           "--json", detail, "--json-summary", summary, objdir]
    rc, out, _ = run(cmd)
    if rc != 0:
        print(out)
        raise SystemExit("coverage: gcovr failed (%d)" % rc)
    with open(table, encoding="utf-8") as f:
        text = f.read()
    with open(detail, encoding="utf-8") as f:
        det = json.load(f)
    with open(summary, encoding="utf-8") as f:
        summ = json.load(f)
    return text, det, summ


def uncovered(det):
    """Every branch outcome with count 0, with its source line."""
    rows = []
    for fdata in det["files"]:
        path = fdata["file"]
        try:
            with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
                src = f.read().splitlines()
        except OSError:
            src = []
        for ln in fdata["lines"]:
            if ln.get("gcovr/noncode"):
                continue
            branches = ln.get("branches", [])
            missed = [i for i, b in enumerate(branches) if b["count"] == 0]
            if not missed:
                continue
            text = src[ln["line_number"] - 1].strip() if ln["line_number"] <= len(src) else ""
            rows.append({"file": path, "line": ln["line_number"], "missed": missed,
                         "of": len(branches), "line_count": ln["count"], "source": text})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="the coverage build directory")
    ap.add_argument("--program", action="append", default=[],
                    help="instrumented programs to run: unit, writer, device, tensorproof")
    ap.add_argument("--min-branch", type=float, default=0.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    out = os.path.join(ROOT, args.out)
    if shutil.which("gcovr") is None:
        print("coverage: gcovr not found (Debian package gcovr; make deps)")
        return 2
    objdir = os.path.join(out, "obj")
    for g in glob.glob(os.path.join(objdir, "**", "*.gcda"), recursive=True):
        os.remove(g)

    print("== runs (instrumented core)")
    t0 = time.monotonic()
    runs = []
    tmp = tempfile.mkdtemp(prefix="tp-cov-")
    try:
        for name, label in (("unit", "unit"), ("writer", "writer"), ("device", "device")):
            if name in args.program:
                runs.append(criterion(os.path.join(out, name), label, tmp))
        if "tensorproof" in args.program:
            runs.append(corpus_runs(os.path.join(out, "tensorproof"), tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    table, det, summ = gcovr(objdir, out)
    elapsed = time.monotonic() - t0
    print("== branch coverage of the core (gcovr, %s)" % CORE)
    print(table.rstrip())

    # Lines and branches per file, side by side.
    print("== per file: lines and branches")
    print("   %-26s %16s %18s" % ("file", "lines", "branches"))
    for f in sorted(summ["files"], key=lambda x: x["filename"]):
        print("   %-26s %5d/%-5d %5.1f%% %6d/%-6d %5.1f%%" % (
            f["filename"].replace(CORE, ""), f["line_covered"], f["line_total"],
            f["line_percent"], f["branch_covered"], f["branch_total"], f["branch_percent"]))
    print("   %-26s %5d/%-5d %5.1f%% %6d/%-6d %5.1f%%" % (
        "TOTAL", summ["line_covered"], summ["line_total"], summ["line_percent"],
        summ["branch_covered"], summ["branch_total"], summ["branch_percent"]))

    rows = uncovered(det)
    print("== branches not taken in the core: %d outcome(s) on %d line(s)"
          % (sum(len(r["missed"]) for r in rows), len(rows)))
    for r in rows:
        print("   %s:%d  [%s of %d]  %s%s" % (
            r["file"], r["line"], ",".join(str(i) for i in r["missed"]), r["of"],
            "(line never run) " if r["line_count"] == 0 else "", r["source"][:90]))

    pct = summ["branch_percent"]
    result = {"branch_percent": pct, "branch_covered": summ["branch_covered"],
              "branch_total": summ["branch_total"], "line_percent": summ["line_percent"],
              "line_covered": summ["line_covered"], "line_total": summ["line_total"],
              "files": {f["filename"]: {"branch_percent": f["branch_percent"],
                                        "branch_covered": f["branch_covered"],
                                        "branch_total": f["branch_total"],
                                        "line_percent": f["line_percent"]}
                        for f in summ["files"]},
              "uncovered": rows, "runs": runs, "min_branch": args.min_branch,
              "seconds": round(elapsed, 1)}
    result["passed"] = pct >= args.min_branch
    if args.json:
        path = os.path.join(ROOT, args.json)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, sort_keys=True)
    print("== core branch coverage %.1f%% (%d of %d), lines %.1f%%; minimum %.1f%%; %.0f s"
          % (pct, summ["branch_covered"], summ["branch_total"], summ["line_percent"],
             args.min_branch, elapsed))
    if not result["passed"]:
        print("coverage: FAILED, branch coverage %.1f%% is below %.1f%%" % (pct, args.min_branch))
        return 1
    print("coverage: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
